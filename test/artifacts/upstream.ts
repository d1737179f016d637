// A local HTTP server in the role of an upstream release host (GitHub releases, a vendor's CDN): serves
// files by path with byte ranges, counts requests, and can misbehave the ways real hosts do — hold a
// download half way until released, drop the connection half way, or not be there at all (stop it, start
// one later on the same port).
import { createServer } from "node:http";

export interface UpstreamRequest {
  path: string;
  range: string | null;
  authorization: string | null;
}

export interface Upstream {
  url: string;
  port: number;
  files: Map<string, Uint8Array>;
  requests: UpstreamRequest[];
  /** Send the first `bytes` of the next bodies, then wait until release() or cut(). */
  holdAfter(bytes: number): void;
  /** Send the rest of the held bodies. */
  release(): void;
  /** Break the connections of the held bodies (the client has what was sent: it may resume). */
  cut(): void;
  stop(): void;
}

/** node:http rather than Bun.serve: it sends the Content-Length we set, so a cut body is seen as cut. */
export async function startUpstream(port = 0): Promise<Upstream> {
  const files = new Map<string, Uint8Array>();
  const requests: UpstreamRequest[] = [];
  let pauseAt: number | null = null;
  let open: (how: "release" | "cut") => void = () => {};
  let gate = Promise.resolve<"release" | "cut">("release");
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? "/", "http://upstream").pathname;
    const range = request.headers.range ?? null;
    requests.push({ path, range, authorization: request.headers.authorization ?? null });
    const file = files.get(path);
    if (!file) {
      response.writeHead(404).end("not found");
      return;
    }
    const from = range ? Number(/^bytes=(\d+)-$/.exec(range)?.[1] ?? 0) : 0;
    const part = file.subarray(from);
    const headers: Record<string, string> = {
      "content-length": String(part.byteLength),
      "content-type": "application/octet-stream",
    };
    if (from > 0) headers["content-range"] = `bytes ${from}-${file.byteLength - 1}/${file.byteLength}`;
    response.writeHead(from > 0 ? 206 : 200, headers);
    const cut = pauseAt;
    if (cut === null || cut >= part.byteLength) {
      response.end(part);
      return;
    }
    const held = gate;
    response.write(part.subarray(0, cut));
    if ((await held) === "cut") response.socket?.destroy();
    else response.end(part.subarray(cut));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    files,
    requests,
    holdAfter(bytes) {
      pauseAt = bytes;
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      pauseAt = null;
      open("release");
    },
    cut() {
      pauseAt = null;
      open("cut");
    },
    stop: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Deterministic bytes of a given size (a stand-in client file; its sha256 is what a catalog would pin). */
export function fileBytes(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export function sha256Of(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}
