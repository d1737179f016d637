// The control plane's log-session hub on its own (the real class, in process): the executor's poll is
// level-triggered on the sessions it holds, a closed reader wakes a held poll at once, and a session the
// executor neither picks up nor feeds ends after the idle timeout with a message saying which.
import { describe, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import {
  LOG_SESSION_IDLE_TIMEOUT_MS,
  LogSessionHub,
  type LogSink,
  type OpenSession,
} from "../../src/modes/control-plane/logs/sessions.ts";

function sink() {
  const seen = { ended: null as string | null, lines: 0, statuses: [] as string[] };
  const s: LogSink = {
    lines: (lines) => {
      seen.lines += lines.length;
    },
    status: (state) => seen.statuses.push(state),
    end: (message) => {
      seen.ended = message;
    },
  };
  return { s, seen };
}

const request = (executorId: string): OpenSession => ({
  organizationId: "org",
  executorId,
  executorName: "host-1",
  nodeId: "node-1",
  nodeName: "devnet-1",
  role: "node",
  client: "anvil",
  tail: 200,
  level: "info",
});

describe("log sessions", () => {
  test("the poll answers at once when the held sessions differ, and a closed reader wakes a held poll", async () => {
    const hub = new LogSessionHub();
    const { s } = sink();
    const id = hub.open(request("exec-a"), s);
    const first = await hub.poll("exec-a", new Set(), 30_000);
    expect(first.map((x) => x.sessionId)).toEqual([id]);
    // Holding exactly what is open: the poll waits, until the reader goes.
    const held = hub.poll("exec-a", new Set([id]), 30_000);
    const started = Date.now();
    setTimeout(() => hub.close(id), 50);
    expect(await held).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000);
    // Another executor never sees it, and its chunks for it are answered closed.
    expect(hub.post("exec-b", id, { lines: [] })).toBe(false);
    hub.closeAll("test over");
  });

  test("chunks reach the reader, and the executor's end message ends the session", () => {
    const hub = new LogSessionHub();
    const { s, seen } = sink();
    const id = hub.open(request("exec-a"), s);
    expect(hub.post("exec-a", id, { lines: [{ level: "info", text: "hello" }] })).toBe(true);
    expect(seen.statuses).toEqual(["streaming"]);
    expect(seen.lines).toBe(1);
    expect(hub.post("exec-a", id, { lines: [], end: { message: "node devnet-1 has no process" } })).toBe(
      false,
    );
    expect(seen.ended).toBe("node devnet-1 has no process");
    expect(hub.size).toBe(0);
  });

  test("a session nobody picks up ends after the idle timeout, saying the executor did not pick it up", async () => {
    let now = 1_000_000;
    const hub = new LogSessionHub(() => now);
    const { s, seen } = sink();
    hub.open(request("exec-offline"), s);
    now += LOG_SESSION_IDLE_TIMEOUT_MS - 1000;
    const fed = sink();
    const fedId = hub.open(request("exec-live"), fed.s);
    await hub.poll("exec-live", new Set(), 0);
    now += 2000;
    // The idle sweep runs every few seconds of real time.
    await eventually(() => seen.ended, { timeoutMs: 10_000, message: "the idle session ended" });
    expect(seen.ended).toContain("did not pick the log session up within 60 s");
    expect(fed.seen.ended).toBeNull();
    expect(hub.post("exec-live", fedId, { lines: [] })).toBe(true);
    hub.closeAll("test over");
    expect(fed.seen.ended).toBe("test over");
  }, 20_000);
});
