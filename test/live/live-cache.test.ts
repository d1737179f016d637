// The live layer's cache writes: a change merged into a cached answer keeps what the answer asked for and
// the change does not carry (a node's executor capabilities), a node whose phase changes makes the node
// lists refetch, so a list filtered by phase gains or loses it, and a node's runtime event (a client version
// change's outcome is one) makes that node's revision history refetch.
// biome-ignore-all lint/suspicious/noExplicitAny: cached answers are read as the screens read them
import { expect, test } from "bun:test";
import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { eventually } from "../../src/lib/eventually.ts";
import { LiveCache } from "../../src/modes/control-plane/ui/app/api/live-cache.ts";

const nodeChange = (node: Record<string, unknown>) => ({
  resync: false,
  node: { id: "n1", ...node },
  executor: null,
  event: null,
});

test("a live change overlays a cached node's executor instead of replacing it", async () => {
  const client = new QueryClient();
  client.setQueryData(["node", "n1", "config"], {
    node: { id: "n1", phase: "running", executor: { id: "e1", name: "old", capabilities: { chains: [] } } },
  });
  const cache = new LiveCache(client);
  cache.add(nodeChange({ phase: "stopped", executor: { id: "e1", name: "new" } }));
  await eventually(() => (client.getQueryData(["node", "n1", "config"]) as any).node.phase === "stopped");
  expect(client.getQueryData(["node", "n1", "config"])).toEqual({
    node: { id: "n1", phase: "stopped", executor: { id: "e1", name: "new", capabilities: { chains: [] } } },
  });
});

test("a node whose phase changes makes a node list filtered by phase refetch", async () => {
  const client = new QueryClient();
  let fetches = 0;
  const observer = new QueryObserver(client, {
    queryKey: ["nodes", { phase: "stopped" }],
    queryFn: async () => ({ nodes: [], fetch: ++fetches }),
  });
  const unsubscribe = observer.subscribe(() => {}); // an active query, as on a mounted screen
  await eventually(() => fetches === 1);
  new LiveCache(client).add(nodeChange({ phase: "stopped" }));
  await eventually(() => fetches === 2, { timeoutMs: 3_000 });
  unsubscribe();
});

test("a node's runtime event (a client version change's outcome) makes that node's revision history refetch", async () => {
  const client = new QueryClient();
  const fetches: Record<string, number> = { n1: 0, n2: 0 };
  const observers = ["n1", "n2"].map((id) =>
    new QueryObserver(client, {
      queryKey: ["node", id, "config", 2, 21],
      queryFn: async () => ({ node: { id }, fetch: ++fetches[id]! }),
    }).subscribe(() => {}),
  );
  await eventually(() => fetches.n1 === 1 && fetches.n2 === 1);
  new LiveCache(client).add({
    resync: false,
    node: null,
    executor: null,
    event: { type: "runtime.event", nodeId: "n1" },
  });
  await eventually(() => fetches.n1 === 2, { timeoutMs: 3_000 });
  expect(fetches.n2).toBe(1);
  for (const unsubscribe of observers) unsubscribe();
});
