// The host's port plan on its own, with real sockets: ports held for real by the test (tcp and udp) stand for
// "something else on the host", and the plan file is read back by a new PortPlan as a restarted agent would.
// Defaults are ports that were free a moment ago (never a fixed port such as 8545).
import { afterEach, describe, expect, test } from "bun:test";
import { createSocket, type Socket } from "node:dgram";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import type { HostPort } from "../../src/adapters/types.ts";
import { PortPlan, type PortPlanNode } from "../../src/modes/agent/ports.ts";
import { makeTestDir } from "./helpers.ts";

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.reverse()) {
    try {
      cleanup();
    } catch {
      // already released by the test
    }
  }
  cleanups = [];
});

function planFile(): string {
  const scratch = makeTestDir("port-plan");
  cleanups.push(scratch.cleanup);
  return join(scratch.dir, "ports.json");
}

/** Hold a port on the host until the test ends, as another program would. */
function holdTcp(port = 0): Promise<{ port: number; server: Server }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => {
      cleanups.push(() => server.close());
      resolve({ port: (server.address() as { port: number }).port, server });
    });
  });
}

function holdUdp(port = 0): Promise<{ port: number; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    socket.once("error", reject);
    socket.bind({ port, address: "127.0.0.1", exclusive: true }, () => {
      cleanups.push(() => socket.close());
      resolve({ port: socket.address().port, socket });
    });
  });
}

/** A port free on tcp (and udp) a moment ago, to use as an adapter default. */
async function freeDefault(): Promise<number> {
  for (;;) {
    const { port, server } = await holdTcp();
    server.close();
    const udp = await holdUdp(port).catch(() => null);
    if (!udp) continue;
    udp.socket.close();
    return port;
  }
}

const nameOfPort = (p: HostPort) => p.path.slice("/ports/".length);

const port = (name: string, value: number, extra: Partial<HostPort> = {}): HostPort => ({
  path: `/ports/${name}`,
  port: value,
  explicit: false,
  ...extra,
});

function node(n: number, hostPorts: HostPort[], extra: Partial<PortPlanNode> = {}): PortPlanNode {
  return {
    nodeId: `00000000-0000-4000-8000-00000000000${n}`,
    name: `node-${n}`,
    hostPorts,
    wantsRunning: true,
    running: false,
    materialized: () => false,
    ...extra,
  };
}

const portsOf = (plan: PortPlan, n: PortPlanNode) => {
  const assignment = plan.assignment(n.nodeId);
  if (!assignment?.ok) throw new Error(`no ports for ${n.name}: ${JSON.stringify(assignment)}`);
  return assignment.ports;
};

describe("the host's port plan", () => {
  test("two nodes with the same default ports get different ones, and a restarted agent gives each the same again", async () => {
    const file = planFile();
    const rpc = await freeDefault();
    const p2p = await freeDefault();
    const make = (n: number) => node(n, [port("rpc", rpc), port("p2p", p2p, { protocols: ["tcp", "udp"] })]);
    const [a, b] = [make(1), make(2)];
    const plan = new PortPlan(file);
    const { moves } = await plan.update([a, b]);
    const first = portsOf(plan, a);
    const second = portsOf(plan, b);
    expect(first).toEqual({ rpc, p2p });
    expect(new Set([...Object.values(first), ...Object.values(second)]).size).toBe(4);
    expect(moves.map((m) => [m.node, m.port, m.because, m.other])).toEqual([
      ["node-2", "rpc", "node", "node-1"],
      ["node-2", "p2p", "node", "node-1"],
    ]);
    // A restarted agent (a new plan read from the file) gives the same ports, even when node 2 now comes
    // first and the first node's defaults are free again.
    const again = new PortPlan(file);
    await again.update([b, a]);
    expect(portsOf(again, a)).toEqual(first);
    expect(portsOf(again, b)).toEqual(second);
    const stored = JSON.parse(readFileSync(file, "utf8"));
    expect(stored.nodes[b.nodeId]).toEqual({ name: "node-2", ports: second });
  });

  test("a default port another program holds is moved to a free one; a port the spec sets is kept", async () => {
    const held = await holdTcp();
    const heldToo = await holdTcp();
    const plan = new PortPlan(planFile());
    const a = node(1, [port("rpc", held.port)]);
    const b = node(2, [port("rpc", heldToo.port, { explicit: true })]);
    const { moves } = await plan.update([a, b]);
    const moved = portsOf(plan, a).rpc!;
    expect(moved).not.toBe(held.port);
    expect(moves).toEqual([
      { nodeId: a.nodeId, node: "node-1", port: "rpc", from: held.port, to: moved, because: "host" },
    ]);
    // The moved port can be bound: it is free for the node to listen on.
    const bound = await holdTcp(moved);
    expect(bound.port).toBe(moved);
    // Explicit: the node gets what it asked for (the reconciler then reports the busy port on the node).
    expect(portsOf(plan, b).rpc).toBe(heldToo.port);
  });

  test("a port held on udp moves a port that listens on udp, and not a tcp-only one", async () => {
    const held = await holdUdp(await freeDefault());
    const plan = new PortPlan(planFile());
    const tcpOnly = node(1, [port("rpc", held.port)]);
    const p2p = node(2, [port("p2p", held.port, { protocols: ["tcp", "udp"] })]);
    await plan.update([tcpOnly]);
    expect(portsOf(plan, tcpOnly).rpc).toBe(held.port);
    await plan.update([p2p]); // tcpOnly left the host: its port is free for others again
    expect(portsOf(plan, p2p).p2p).not.toBe(held.port);
  });

  test("a port one spec sets wins over a default given to another node, which moves", async () => {
    const rpc = await freeDefault();
    const plan = new PortPlan(planFile());
    const a = node(1, [port("rpc", rpc)]);
    await plan.update([a]);
    expect(portsOf(plan, a).rpc).toBe(rpc);
    const b = node(2, [port("rpc", rpc, { explicit: true })]);
    const { changed, moves } = await plan.update([a, b]);
    expect(portsOf(plan, b).rpc).toBe(rpc);
    expect(portsOf(plan, a).rpc).not.toBe(rpc);
    expect(changed.sort()).toEqual([a.nodeId, b.nodeId]);
    expect(moves[0]).toMatchObject({ node: "node-1", from: rpc, because: "node", other: "node-2" });
  });

  test("two specs setting the same port: the node that did not have it is refused with the port's path", async () => {
    const rpc = await freeDefault();
    const file = planFile();
    const plan = new PortPlan(file);
    // node-2 is there first; node-1 comes later and sorts first, yet node-2 keeps its port.
    const b = node(2, [port("rpc", rpc, { explicit: true })]);
    await plan.update([b]);
    const a = node(1, [port("rpc", rpc, { explicit: true })]);
    await plan.update([a, b]);
    expect(portsOf(plan, b).rpc).toBe(rpc);
    expect(plan.assignment(a.nodeId)).toEqual({
      ok: false,
      errors: [
        {
          path: "/ports/rpc",
          message: `port ${rpc} is also set for node "node-2" on this host: pick another port for rpc`,
        },
      ],
    });
  });

  test("a node that leaves the host releases its ports for the next node", async () => {
    const rpc = await freeDefault();
    const file = planFile();
    const plan = new PortPlan(file);
    const a = node(1, [port("rpc", rpc)]);
    const b = node(2, [port("rpc", rpc)]);
    await plan.update([a, b]);
    expect(portsOf(plan, b).rpc).not.toBe(rpc);
    await plan.update([b]);
    expect(plan.assignment(a.nodeId)).toBeUndefined();
    expect(Object.keys(JSON.parse(readFileSync(file, "utf8")).nodes)).toEqual([b.nodeId]);
    const c = node(3, [port("rpc", rpc)]);
    await plan.update([b, c]);
    expect(portsOf(plan, c).rpc).toBe(rpc);
  });

  test("a kept port another program took while its node was down moves; while the node runs it stays", async () => {
    const rpc = await freeDefault();
    const plan = new PortPlan(planFile());
    const a = node(1, [port("rpc", rpc)]);
    await plan.update([a]);
    const held = await holdTcp(rpc);
    // Running: whatever holds the port may be the node itself; nothing is tried or moved.
    await plan.update([{ ...a, running: true }]);
    expect(portsOf(plan, a).rpc).toBe(rpc);
    // Stopped on purpose: it keeps its port for when it starts.
    await plan.update([{ ...a, wantsRunning: false }]);
    expect(portsOf(plan, a).rpc).toBe(rpc);
    // Should run and does not: it would never start there.
    const { moves } = await plan.update([a]);
    expect(portsOf(plan, a).rpc).not.toBe(held.port);
    expect(moves).toEqual([
      {
        nodeId: a.nodeId,
        node: "node-1",
        port: "rpc",
        from: rpc,
        to: portsOf(plan, a).rpc!,
        because: "host",
      },
    ]);
  });

  test("a node the host ran before the port plan existed keeps its default ports, held by its own process", async () => {
    const held = await holdTcp(); // the node's own process, still running
    const plan = new PortPlan(planFile());
    const a = node(1, [port("rpc", held.port)], { running: true, materialized: () => true });
    const { moves } = await plan.update([a]);
    expect(portsOf(plan, a).rpc).toBe(held.port);
    expect(moves).toEqual([]);
  });

  test("two Ethereum nodes and a devnet node on one host get ports that collide nowhere", async () => {
    // The ports of an Ethereum node as reference §11.2 lists them (EL and CL), and devnet's rpc. The plan
    // tries each default by binding it for an instant; whatever the host already holds is skipped too.
    const ethereum = [
      port("rpc", 8545),
      port("ws", 8546),
      port("p2p", 30303, { protocols: ["tcp", "udp"] }),
      port("engine", 8551),
      port("metrics", 6060),
      port("beacon", 5052),
      port("cl-p2p", 9000, { protocols: ["tcp", "udp"] }),
      port("cl-metrics", 5054),
    ];
    const nodes = [node(1, ethereum), node(2, ethereum), node(3, [port("rpc", 8545)])];
    const plan = new PortPlan(planFile());
    await plan.update(nodes);
    const all = nodes.flatMap((n) => Object.values(portsOf(plan, n)));
    expect(all).toHaveLength(ethereum.length * 2 + 1);
    expect(new Set(all).size).toBe(all.length);
    // A moved port avoids every default (its rpc moving to 8546 would push its own ws away in turn).
    const defaults = new Set(ethereum.map((p) => p.port));
    const second = portsOf(plan, nodes[1]!);
    for (const [name, value] of Object.entries(second)) {
      const own = ethereum.find((p) => nameOfPort(p) === name)!.port;
      if (value !== own) expect(defaults.has(value)).toBe(false);
    }
  });
});
