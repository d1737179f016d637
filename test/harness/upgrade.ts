// Test harness for self-upgrades: throwaway minisign keys (the real `minisign` tool), binaries built with
// another version and trusted key stamped in, and a small HTTP server standing in front of a real control
// plane. It forwards every executor call unchanged and plays only the control-plane pieces that live on
// another branch: it adds `pendingUpgrade` (the protocol's AgentUpgradeSpec shape) to /sync answers, clears it
// when the executor reports the target version or an upgrade event, and serves release files with Range.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildBinary } from "../../scripts/build.ts";
import type { RuntimeEvent } from "../../src/protocol/executor-api.ts";
import type { AgentUpgradeSpec } from "../../src/protocol/upgrade.ts";

export function minisignAvailable(): boolean {
  return Bun.spawnSync(["sh", "-c", "command -v minisign"]).exitCode === 0;
}

export interface MinisignKey {
  /** The public key's base64 line, as compiled into a binary. */
  publicKey: string;
  secretKeyPath: string;
}

/** A fresh key pair without a password (`minisign -G -W`). */
export function minisignKeyPair(dir: string, name: string): MinisignKey {
  mkdirSync(dir, { recursive: true });
  const pub = join(dir, `${name}.pub`);
  const sec = join(dir, `${name}.key`);
  const r = Bun.spawnSync(["minisign", "-G", "-W", "-f", "-p", pub, "-s", sec], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`minisign -G failed: ${r.stderr.toString()}`);
  return { publicKey: readFileSync(pub, "utf8").split("\n")[1]!.trim(), secretKeyPath: sec };
}

/** The .minisig text of `file` signed with `key`. */
export function minisignSign(file: string, key: MinisignKey): string {
  const out = `${file}.minisig`;
  const r = Bun.spawnSync(["minisign", "-S", "-s", key.secretKeyPath, "-m", file, "-x", out], {
    stderr: "pipe",
  });
  if (r.exitCode !== 0) throw new Error(`minisign -S failed: ${r.stderr.toString()}`);
  return readFileSync(out, "utf8");
}

export const sha256Of = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** `novacula` compiled with `version` and `trustedKey` stamped in (cached in `dir` per version and key). */
export async function buildVersion(dir: string, version: string, trustedKey: string): Promise<string> {
  const tag = createHash("sha256").update(trustedKey).digest("hex").slice(0, 8);
  const out = join(dir, `novacula-${version}-${tag}`);
  if (!existsSync(out)) await buildBinary(out, version, trustedKey);
  return out;
}

export interface ReleaseFile {
  path: string;
  /** Serve at most this many bytes, then cut the connection (a download interrupted mid-way). */
  cutAfterBytes?: number;
  /** Pause this long between 64 KiB chunks (a slow link). */
  chunkDelayMs?: number;
  /** Answer 503 to this many requests first (the control plane unreachable), counting down. */
  unavailableTimes?: number;
}

export interface UpgradeProxy {
  url: string;
  /** The pendingUpgrade the next /sync answers carry (null: none). */
  pending: AgentUpgradeSpec | null;
  /** Versions the executor reported on /sync, in order. */
  syncedVersions: string[];
  /** Runtime events the executor posted, in order. */
  events: RuntimeEvent[];
  /** Range headers of release requests, in order ("" without one). */
  releaseRanges: string[];
  releases: Map<string, ReleaseFile>;
  /** An AgentUpgradeSpec for a release file served here. */
  specFor(name: string, targetVersion: string, signature: string, sha256?: string): AgentUpgradeSpec;
  stop(): Promise<void>;
}

export function startUpgradeProxy(controlPlaneUrl: string): UpgradeProxy {
  const proxy: UpgradeProxy = {
    url: "",
    pending: null,
    syncedVersions: [],
    events: [],
    releaseRanges: [],
    releases: new Map(),
    specFor: (name, targetVersion, signature, sha256) => ({
      kind: "agent",
      targetVersion,
      downloadUrl: `${proxy.url}/releases/${name}`,
      sha256: sha256 ?? sha256Of(proxy.releases.get(name)!.path),
      signature,
    }),
    stop: async () => server.stop(true),
  };

  function serveRelease(request: Request, name: string): Response {
    const file = proxy.releases.get(name);
    if (!file) return new Response("no such release", { status: 404 });
    const range = request.headers.get("range") ?? "";
    proxy.releaseRanges.push(range);
    if (file.unavailableTimes) {
      file.unavailableTimes--;
      return new Response("unavailable", { status: 503 });
    }
    const size = statSync(file.path).size;
    const start = Number(/^bytes=(\d+)-$/.exec(range)?.[1] ?? 0);
    if (start >= size && range) return new Response("", { status: 416 });
    const bytes = readFileSync(file.path).subarray(start);
    const limit = file.cutAfterBytes === undefined ? bytes.length : Math.max(0, file.cutAfterBytes - start);
    const headers = {
      "content-length": String(bytes.length),
      ...(range ? { "content-range": `bytes ${start}-${size - 1}/${size}` } : {}),
    };
    let at = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (at >= bytes.length) return controller.close();
        const end = Math.min(at + 65536, bytes.length, limit);
        if (end <= at) {
          // Let the bytes sent so far reach the client, then break the connection.
          await Bun.sleep(100);
          return controller.error(new Error("connection cut"));
        }
        controller.enqueue(bytes.subarray(at, end));
        at = end;
        if (file.chunkDelayMs) await Bun.sleep(file.chunkDelayMs);
      },
    });
    return new Response(body, { status: range ? 206 : 200, headers });
  }

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 120,
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname.startsWith("/releases/")) {
        return serveRelease(request, decodeURIComponent(url.pathname.slice("/releases/".length)));
      }
      const body = request.method === "GET" ? undefined : await request.text();
      if (url.pathname === "/api/v1/executor/sync" && body) {
        const version = (JSON.parse(body) as { version: string }).version;
        proxy.syncedVersions.push(version);
        if (proxy.pending?.targetVersion === version) proxy.pending = null;
      }
      if (url.pathname === "/api/v1/executor/events" && body) {
        const events = (JSON.parse(body) as { events: RuntimeEvent[] }).events;
        proxy.events.push(...events);
        // A rollback clears the pending upgrade; a refusal does not (it stays refused until it expires).
        if (events.some((e) => e.reason === "upgrade.rolled_back")) proxy.pending = null;
      }
      const headers = new Headers(request.headers);
      headers.delete("host");
      const answer = await fetch(`${controlPlaneUrl}${url.pathname}${url.search}`, {
        method: request.method,
        headers,
        body,
        signal: request.signal,
      });
      if (url.pathname !== "/api/v1/executor/sync" || !answer.ok) return answer;
      const json = (await answer.json()) as Record<string, unknown>;
      return Response.json({ ...json, pendingUpgrade: proxy.pending });
    },
  });
  proxy.url = `http://127.0.0.1:${server.port}`;
  return proxy;
}

/** A "release" that is a shell script (crashes, exits 0 or hangs): signed and hashed like a real one. */
export function scriptRelease(dir: string, name: string, script: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return path;
}

export function copyExecutable(from: string, to: string): void {
  copyFileSync(from, to);
  Bun.spawnSync(["chmod", "755", to]);
}
