// A real webhook receiver for the tests: an HTTP server on a free port (loopback unless another address and
// a TLS certificate are given) that records every request (headers and raw body) and answers according to a plan (e.g. 500 for the next three requests), and the
// signature check exactly as docs/webhooks.md tells a receiver to do it.
import { createHmac, timingSafeEqual } from "node:crypto";

export interface Received {
  at: number;
  headers: Record<string, string>;
  body: string;
  json: Record<string, unknown>;
  answered: number;
}

export class Receiver {
  readonly received: Received[] = [];
  private failures = 0;
  private server: ReturnType<typeof Bun.serve>;

  constructor(
    private readonly on: { hostname: string; tls?: { cert: string; key: string } } = {
      hostname: "127.0.0.1",
    },
  ) {
    this.server = Bun.serve({
      port: 0,
      hostname: on.hostname,
      tls: on.tls,
      fetch: async (request) => {
        const body = await request.text();
        const answered = this.failures > 0 ? 500 : 200;
        if (this.failures > 0) this.failures--;
        this.received.push({
          at: Date.now(),
          headers: Object.fromEntries(request.headers),
          body,
          json: JSON.parse(body),
          answered,
        });
        return new Response(answered === 200 ? "thanks" : "receiver broken", { status: answered });
      },
    });
  }

  get port(): number {
    return this.server.port!;
  }

  get url(): string {
    const host = this.on.hostname.includes(":") ? `[${this.on.hostname}]` : this.on.hostname;
    return `${this.on.tls ? "https" : "http"}://${host}:${this.server.port}/hook`;
  }

  /** Answer 500 to the next `n` requests. */
  failNext(n: number): void {
    this.failures = n;
  }

  /** Requests (of any answer) whose payload matches. */
  matching(match: Record<string, unknown>): Received[] {
    return this.received.filter((r) => Object.entries(match).every(([k, v]) => r.json[k] === v));
  }

  stop(): void {
    this.server.stop(true);
  }
}

/** docs/webhooks.md, "Verifying a delivery": the receiver's side, with a 5-minute tolerance. */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string,
  nowMs = Date.now(),
) {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowMs / 1000 - t) > 300) return false;
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(parts.v1 ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
