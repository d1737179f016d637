// Runtime events are bounded by bytes: a payload past its cap is refused with a 400 naming the field, and
// one page of the events query stays within its byte cap however large the stored payloads are, while
// the cursor still walks through every event.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { MAX_EVENT_PAYLOAD_BYTES } from "../../src/protocol/index.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { call, syncExecutor } from "./protocol-client.ts";

let cp: ControlPlaneHandle;
let cookie: string;
let key: string;
let executorId: string;

beforeAll(async () => {
  cp = await startControlPlane();
  cookie = await cp.adminSession();
  key = await cp.createExecutorKey("events");
  executorId = (await syncExecutor(cp, key, "host-events")).executorId;
});
afterAll(() => cp.stop());

/** A payload whose JSON is `bytes` long. */
const payloadOf = (bytes: number) => ({ blob: "x".repeat(bytes - '{"blob":""}'.length) });
const report = (events: unknown[]) =>
  call(cp, "/api/v1/executor/events", { key, executorId, body: { events } });

test("an event payload past its byte cap is a 400 naming the payload, and nothing is stored", async () => {
  const result = await report([
    { level: "info", message: "fine", payload: payloadOf(100) },
    { level: "info", message: "too big", payload: payloadOf(MAX_EVENT_PAYLOAD_BYTES + 1) },
  ]);
  expect(result.status).toBe(400);
  expect(result.json.details.map((d: { path: string }) => d.path)).toContain("/events/1/payload");
  const stored = await cp.gql(`{ events(filter: { type: "runtime.event" }) { id } }`, {}, { cookie });
  expect(stored.data.events).toHaveLength(0);
});

test("a payload at the cap is accepted", async () => {
  const result = await report([
    { level: "info", message: "at cap", payload: payloadOf(MAX_EVENT_PAYLOAD_BYTES) },
  ]);
  expect(result.status).toBe(200);
});

test("one events page stays within its byte cap, and the cursor reaches every event", async () => {
  const BATCHES = 6;
  const PER_BATCH = 50;
  for (let b = 0; b < BATCHES; b++) {
    const events = Array.from({ length: PER_BATCH }, (_, i) => ({
      level: "warn",
      message: `big ${b}-${i}`,
      payload: payloadOf(MAX_EVENT_PAYLOAD_BYTES - 200),
    }));
    expect((await report(events)).status).toBe(200);
  }
  const seen = new Set<string>();
  let cursor: string | null = null;
  let pages = 0;
  for (;;) {
    const response = await fetch(`${cp.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({
        query: `query($cursor: ID) { events(filter: { level: warn, take: 500, cursor: $cursor }) { id payload message } }`,
        variables: { cursor },
      }),
    });
    const text = await response.text();
    // The whole page, events and envelope, within the cap plus the GraphQL envelope's few bytes.
    expect(text.length).toBeLessThan(1024 * 1024 + 4096);
    const page = JSON.parse(text).data.events as { id: string }[];
    if (page.length === 0) break;
    for (const e of page) seen.add(e.id);
    cursor = page.at(-1)!.id;
    pages++;
    expect(pages).toBeLessThan(BATCHES * PER_BATCH);
  }
  expect(seen.size).toBe(BATCHES * PER_BATCH);
  expect(pages).toBeGreaterThan(1);
}, 60_000);
