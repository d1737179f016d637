// Test harness for self-upgrades: throwaway minisign keys (the real `minisign` tool), binaries built with
// another version and the throwaway key stamped in (`scripts/build.ts --test-release-key`), and a fault
// server. The fault server forwards every executor call to the real control plane unchanged and injects only
// what the real path cannot produce: a slow, cut or unavailable release download (the link, not the control
// plane, misbehaves), and a pendingUpgrade whose signature was swapped on the way (the control plane refuses
// to publish a release whose signature does not verify, so a forged one can only come from the wire). It also
// serves local files under /releases/<name> with the same faults, for the core's tests without a control
// plane.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildBinary } from "../../scripts/build.ts";

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

/** `novacula` compiled with `version` and the test release key stamped in (cached in `dir` per version and key). */
export async function buildVersion(dir: string, version: string, trustedKey: string): Promise<string> {
  const tag = createHash("sha256").update(trustedKey).digest("hex").slice(0, 8);
  const out = join(dir, `novacula-${version}-${tag}`);
  if (!existsSync(out)) await buildBinary(out, version, trustedKey);
  return out;
}

export interface LinkFaults {
  /** Serve at most this many bytes, then cut the connection (a download interrupted mid-way). */
  cutAfterBytes?: number;
  /** Pause this long between 64 KiB chunks (a slow link). */
  chunkDelayMs?: number;
  /** Answer 503 to this many requests first (the control plane unreachable), counting down. */
  unavailableTimes?: number;
}

export interface ReleaseFile extends LinkFaults {
  path: string;
}

export interface FaultServer {
  url: string;
  /** Local files served at /releases/<name> (the core's tests). */
  releases: Map<string, ReleaseFile>;
  /** Faults on the control plane's release downloads (GET /api/v1/executor/releases/…) passing through. */
  releaseFaults: LinkFaults | null;
  /** When set, the pendingUpgrade of /sync answers carries this signature instead of the published one. */
  signatureOverride: string | null;
  /** Range headers of release requests, in order ("" without one). */
  releaseRanges: string[];
  stop(): Promise<void>;
}

/** Answers `bytes` from the request's Range on, with the faults of `faults` (counting down unavailableTimes). */
function serveBytes(request: Request, bytesWhole: Uint8Array, faults: LinkFaults): Response {
  if (faults.unavailableTimes) {
    faults.unavailableTimes--;
    return new Response("unavailable", { status: 503 });
  }
  const range = request.headers.get("range") ?? "";
  const size = bytesWhole.byteLength;
  const start = Number(/^bytes=(\d+)-$/.exec(range)?.[1] ?? 0);
  if (start >= size && range) return new Response("", { status: 416 });
  const bytes = bytesWhole.subarray(start);
  const limit = faults.cutAfterBytes === undefined ? bytes.length : Math.max(0, faults.cutAfterBytes - start);
  const headers = {
    "content-length": String(bytes.length),
    ...(range ? { "content-range": `bytes ${start}-${size - 1}/${size}` } : {}),
  };
  let at = 0;
  const delay = faults.chunkDelayMs;
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
      if (delay) await Bun.sleep(delay);
    },
  });
  return new Response(body, { status: range ? 206 : 200, headers });
}

/** A fault server in front of `controlPlaneUrl` (null: local release files only). */
export function startFaultServer(controlPlaneUrl: string | null): FaultServer {
  const faults: FaultServer = {
    url: "",
    releases: new Map(),
    releaseFaults: null,
    signatureOverride: null,
    releaseRanges: [],
    stop: async () => server.stop(true),
  };

  async function forward(request: Request, url: URL): Promise<Response> {
    const body = request.method === "GET" ? undefined : await request.text();
    const headers = new Headers(request.headers);
    headers.delete("host");
    const isRelease = url.pathname.startsWith("/api/v1/executor/releases/");
    if (isRelease) faults.releaseRanges.push(request.headers.get("range") ?? "");
    const link = isRelease ? faults.releaseFaults : null;
    if (link) headers.delete("range"); // fetch it whole, then answer the range with the faults
    const answer = await fetch(`${controlPlaneUrl}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body,
      signal: request.signal,
    });
    if (link && answer.ok) return serveBytes(request, new Uint8Array(await answer.arrayBuffer()), link);
    if (url.pathname !== "/api/v1/executor/sync" || !answer.ok || faults.signatureOverride === null)
      return answer;
    const json = (await answer.json()) as { pendingUpgrade?: { signature: string } | null };
    if (json.pendingUpgrade) json.pendingUpgrade.signature = faults.signatureOverride;
    return Response.json(json);
  }

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 120,
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname.startsWith("/releases/")) {
        const file = faults.releases.get(decodeURIComponent(url.pathname.slice("/releases/".length)));
        if (!file) return new Response("no such release", { status: 404 });
        faults.releaseRanges.push(request.headers.get("range") ?? "");
        return serveBytes(request, readFileSync(file.path), file);
      }
      if (!controlPlaneUrl) return new Response("no control plane behind this server", { status: 404 });
      return forward(request, url);
    },
  });
  faults.url = `http://127.0.0.1:${server.port}`;
  return faults;
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
