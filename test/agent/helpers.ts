// Test support for the agent and adapter suites: scratch directories under the repo (never /tmp), free
// loopback ports, the real anvil binary, a plain HTTP file server standing in for an artifact source, and the
// artifacts a control plane would deliver for anvil from such a server.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import type { NodeArtifacts } from "../../src/protocol/artifacts.ts";

export const REPO_ROOT = resolve(import.meta.dir, "../..");
export const ANVIL_BIN = join(REPO_ROOT, "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
export const ANVIL_SHA256 = "10c1c727d6c1de973aeb160e59875b9a9a23464d6e74149ee8abb30b3500311b";

/**
 * A devnet anvil node's artifacts as AssignedSpec.artifacts carries them: the binary at `url` (absolute, as
 * with ARTIFACT_SOURCE=upstream), pinned by its real sha256, so the agent's installer downloads and checks it.
 */
export function anvilArtifacts(url: string): NodeArtifacts {
  return { node: { client: { url, sha256: ANVIL_SHA256, format: "binary" } } };
}

/** A fresh directory under test-output/ (removed by the returned cleanup unless KEEP_TEST_OUTPUT is set). */
export function makeTestDir(name: string): { dir: string; cleanup: () => void } {
  const root = join(REPO_ROOT, "test-output");
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(join(root, `${name}-`));
  return {
    dir,
    cleanup: () => {
      if (!process.env.KEEP_TEST_OUTPUT) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A loopback TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Serves files of `dir` at /<name>, and counts requests so tests can tell a download from a cache hit. */
export function startFileServer(dir: string): { url: string; requests: string[]; stop: () => void } {
  const requests: string[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const name = decodeURIComponent(new URL(request.url).pathname.slice(1));
      requests.push(name);
      if (name.includes("/") || name.startsWith(".")) return new Response("bad name", { status: 400 });
      const file = Bun.file(join(dir, name));
      if (!(await file.exists())) return new Response("not found", { status: 404 });
      return new Response(file);
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) };
}

/** One JSON-RPC call with a deadline; throws on transport errors. */
export async function jsonRpc(port: number, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${port}/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(2000),
  });
  const body = (await response.json()) as { result?: unknown; error?: unknown };
  if (body.error) throw new Error(JSON.stringify(body.error));
  return body.result;
}

export async function blockNumber(port: number): Promise<number> {
  return Number.parseInt(String(await jsonRpc(port, "eth_blockNumber")).slice(2), 16);
}

/**
 * Hold `port` on loopback, as another program would, if nobody does: resolves to the server (close it when
 * done), or null when something else already holds the port. Either way the port is held for the test.
 */
export function holdPortIfFree(port: number): Promise<import("node:net").Server | null> {
  return new Promise((resolveHeld) => {
    const server = createServer();
    server.once("error", () => resolveHeld(null));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => resolveHeld(server));
  });
}
