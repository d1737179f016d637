// A stand-in for a consensus client, named as such: no consensus client is installable from the registries
// these machines reach, so the end-to-end Ethereum test runs this in the `cl` role, compiled to a binary and
// installed through the catalog like any client. It takes Lighthouse's `beacon_node` arguments as the adapter
// renders them and does the two things a real CL does that the test can check: it authenticates to the
// execution client's Engine API with the node's JWT (HS256 over the shared secret, as the Engine API
// specifies) every second, and it serves the standard beacon-API answers the CL probe reads, reporting
// `el_offline` when the Engine API refused or did not answer. GET /stand-in/engine says how the last call went.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";

function flag(name: string): string {
  const index = process.argv.indexOf(name);
  const value = index === -1 ? undefined : process.argv[index + 1];
  if (value === undefined) {
    console.error(`cl-stand-in: missing ${name}`);
    process.exit(2);
  }
  return value;
}

const engineUrl = flag("--execution-endpoint");
const jwtPath = flag("--execution-jwt");
const httpPort = Number(flag("--http-port"));

const base64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/** An Engine API token: HS256, `iat` within the EL's allowed drift, signed with the hex secret in jwtPath. */
function engineToken(): string {
  const secret = Buffer.from(readFileSync(jwtPath, "utf8").trim().replace(/^0x/, ""), "hex");
  const head = `${base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${base64url(
    JSON.stringify({ iat: Math.floor(Date.now() / 1000) }),
  )}`;
  return `${head}.${createHmac("sha256", secret).update(head).digest("base64url")}`;
}

let engine: { authenticated: boolean; calls: number; lastError?: string } = {
  authenticated: false,
  calls: 0,
};

async function callEngine(): Promise<void> {
  try {
    const response = await fetch(engineUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${engineToken()}` },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "engine_exchangeCapabilities", params: [[]] }),
      signal: AbortSignal.timeout(2000),
    });
    const ok = response.ok && Array.isArray(((await response.json()) as { result?: unknown }).result);
    engine = {
      authenticated: ok,
      calls: engine.calls + 1,
      ...(ok ? {} : { lastError: `HTTP ${response.status}` }),
    };
  } catch (error) {
    engine = { authenticated: false, calls: engine.calls + 1, lastError: String(error) };
  }
}

setInterval(callEngine, 1000);
void callEngine();

const json = (body: unknown) => Response.json(body);
Bun.serve({
  hostname: "127.0.0.1",
  port: httpPort,
  fetch(request) {
    const path = new URL(request.url).pathname;
    switch (path) {
      case "/eth/v1/node/syncing":
        return json({
          data: {
            head_slot: "0",
            sync_distance: "0",
            is_syncing: false,
            is_optimistic: true,
            el_offline: !engine.authenticated,
          },
        });
      case "/eth/v1/node/peer_count":
        return json({ data: { disconnected: "0", connecting: "0", connected: "0", disconnecting: "0" } });
      case "/eth/v1/beacon/states/head/finality_checkpoints": {
        const zero = { epoch: "0", root: `0x${"0".repeat(64)}` };
        return json({ data: { previous_justified: zero, current_justified: zero, finalized: zero } });
      }
      case "/stand-in/engine":
        return json(engine);
      default:
        return new Response("not found", { status: 404 });
    }
  },
});
console.log(`cl-stand-in: beacon API on 127.0.0.1:${httpPort}, Engine API at ${engineUrl}`);
process.on("SIGTERM", () => process.exit(0));
