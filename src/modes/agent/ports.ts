// The host's port plan: which port each named port of each node on this host listens on (ADR 0052).
// - A node's ports start at its adapter's defaults (adapter.hostPorts). A default port moves to the next free
//   one when another node of this host already has it, or when something else on the host holds it (tried by
//   binding it: tcp, and udp for ports that listen on udp too).
// - Ports the spec sets (spec.ports) always win over moved ones; two nodes setting the same port is refused on
//   the node that did not have it first, with the path /ports/<name>.
// - What a node was given it keeps, across restarts of the node and of the agent and across re-plans: the plan
//   lives in <data_dir>/ports.json (written atomically, read back by a restarted agent). A kept port is tried
//   again only while its node should run and does not: if something else took it meanwhile, the node would
//   never start there, so it moves (and an event says so).
// - A node that leaves the host (deleted, or no longer assigned here) releases its ports.
// The plan gives planning.ts the ports to write into the spec before the adapter plans it, so every adapter
// gets all of its ports through spec.ports and none needs to know about other nodes.
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { getAdapter } from "../../adapters/registry.ts";
import type { HostPort } from "../../adapters/types.ts";
import { writeFileAtomicSync } from "../../lib/atomic-write.ts";
import type { ErrorDetail } from "../../protocol/errors.ts";
import type { AssignedSpec } from "../../protocol/executor-api.ts";
import { nodePaths, readNodeRecord } from "./layout.ts";

/** A node's ports, or why it cannot have them. Kept as the same object while it does not change. */
export type PortAssignment =
  | { ok: true; ports: Readonly<Record<string, number>> }
  | { ok: false; errors: ErrorDetail[] };

/** What the plan needs to know of one node on this host. */
export interface PortPlanNode {
  nodeId: string;
  name: string;
  /** adapter.hostPorts(spec): every named port with its default or spec value. */
  hostPorts: readonly HostPort[];
  /** The node's desiredState is running. */
  wantsRunning: boolean;
  /** One of its processes runs, starts or stops now (its ports may be held by itself: never tried). */
  running: boolean;
  /** The host has materialized this node before (its node record exists); asked only when it matters. */
  materialized: () => boolean;
}

/** A port given to a node somewhere other than its default or its previous place, for an event. */
export interface PortMove {
  nodeId: string;
  node: string;
  port: string;
  from: number;
  to: number;
  /** "node": another node of this host has `from`; "host": something else on the host holds it. */
  because: "node" | "host";
  /** The other node, when `because` is "node". */
  other?: string;
}

/** Whether a port can be bound on every address right now, for each protocol it listens on. */
export type PortProbe = (port: number, protocols: readonly ("tcp" | "udp")[]) => Promise<boolean>;

interface StoredNode {
  name: string;
  ports: Record<string, number>;
}

interface StoredPlan {
  version: 1;
  nodes: Record<string, StoredNode>;
}

const LOWEST = 1024;
const HIGHEST = 65_535;

const nameOf = (port: HostPort) => port.path.replace(/^\/ports\//, "");

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    // 0.0.0.0 conflicts with a holder on any IPv4 address, loopback included.
    server.listen({ host: "0.0.0.0", port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ port, address: "0.0.0.0", exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

/** The real host: bind each protocol for a moment. */
export const hostPortFree: PortProbe = async (port, protocols) => {
  for (const protocol of protocols) {
    if (!(await (protocol === "udp" ? udpFree(port) : tcpFree(port)))) return false;
  }
  return true;
};

function readStored(file: string): Map<string, StoredNode> {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as StoredPlan;
    const nodes = new Map<string, StoredNode>();
    for (const [id, node] of Object.entries(parsed.nodes ?? {})) {
      if (typeof node?.name !== "string" || typeof node.ports !== "object" || node.ports === null) continue;
      const ports = Object.fromEntries(
        Object.entries(node.ports).filter(([, p]) => Number.isInteger(p) && p >= 1 && p <= HIGHEST),
      );
      nodes.set(id, { name: node.name, ports });
    }
    return nodes;
  } catch {
    // Absent (a new host) or unreadable: start from the defaults; running nodes keep theirs (materialized).
    return new Map();
  }
}

const samePorts = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
};

export class PortPlan {
  private stored: Map<string, StoredNode>;
  /** The file's text as last written (or read), so an unchanged plan is not rewritten every tick. */
  private storedText: string | null = null;
  private readonly assigned = new Map<string, PortAssignment>();
  /** update() runs one at a time: its port tries are asynchronous. */
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly probe: PortProbe = hostPortFree,
  ) {
    this.stored = readStored(file);
  }

  /** The node's ports as of the last update(), or undefined before its first one. */
  assignment(nodeId: string): PortAssignment | undefined {
    return this.assigned.get(nodeId);
  }

  /**
   * Bring the plan up to date with the nodes now on this host (all of them: a node left out releases its
   * ports). Returns the ids of the nodes whose assignment changed and the ports that moved.
   */
  update(nodes: readonly PortPlanNode[]): Promise<{ changed: string[]; moves: PortMove[] }> {
    const next = this.running.then(() => this.compute(nodes));
    this.running = next.catch(() => undefined);
    return next;
  }

  private async compute(nodes: readonly PortPlanNode[]) {
    const taken = new Map<number, string>(); // port → the node name that has it
    const errors = new Map<string, ErrorDetail[]>();
    const ports = new Map<string, Record<string, number>>();
    for (const node of nodes) ports.set(node.nodeId, {});
    const previous = (node: PortPlanNode, name: string) => this.stored.get(node.nodeId)?.ports[name];

    // 1. Ports set in specs. A port the node already had goes first, so a newcomer cannot take it away.
    const explicit = nodes.flatMap((node) =>
      node.hostPorts.filter((p) => p.explicit).map((p) => ({ node, port: p, name: nameOf(p) })),
    );
    explicit.sort((a, b) => {
      const had = (x: typeof a) => (previous(x.node, x.name) === x.port.port ? 0 : 1);
      return had(a) - had(b) || a.node.name.localeCompare(b.node.name);
    });
    for (const { node, port, name } of explicit) {
      const owner = taken.get(port.port);
      if (owner !== undefined && owner !== node.name) {
        const list = errors.get(node.nodeId) ?? [];
        list.push({
          path: port.path,
          message: `port ${port.port} is also set for node "${owner}" on this host: pick another port for ${name}`,
        });
        errors.set(node.nodeId, list);
        continue;
      }
      taken.set(port.port, node.name);
      ports.get(node.nodeId)![name] = port.port;
    }
    // A refused node changes nothing on the host (its previous revision keeps running): it keeps its ports.
    for (const node of nodes) {
      if (!errors.has(node.nodeId)) continue;
      for (const port of Object.values(this.stored.get(node.nodeId)?.ports ?? {})) {
        if (!taken.has(port)) taken.set(port, node.name);
      }
    }

    // 2. Default ports a node was given before, unless a spec's port now wins over them.
    const open: { node: PortPlanNode; port: HostPort; name: string }[] = [];
    for (const node of nodes) {
      if (errors.has(node.nodeId)) continue;
      for (const port of node.hostPorts.filter((p) => !p.explicit)) {
        const name = nameOf(port);
        const had = previous(node, name);
        if (had !== undefined && !taken.has(had)) {
          taken.set(had, node.name);
          ports.get(node.nodeId)![name] = had;
        } else open.push({ node, port, name });
      }
    }
    // A kept port of a node that should run but does not is tried again: something else may hold it now.
    const moves: PortMove[] = [];
    for (const node of nodes) {
      if (errors.has(node.nodeId) || !node.wantsRunning || node.running) continue;
      for (const port of node.hostPorts.filter((p) => !p.explicit)) {
        const name = nameOf(port);
        const had = ports.get(node.nodeId)![name];
        if (had === undefined || (await this.probe(had, port.protocols ?? ["tcp"]))) continue;
        delete ports.get(node.nodeId)![name];
        taken.delete(had); // held by another program now, not by this node
        open.push({ node, port, name });
      }
    }

    // 3. The rest: the default when nobody has it and the host lets it bind, else the next such port that is
    // nobody's default either (so a moved port does not push another node's default away in turn).
    const defaults = new Set(nodes.flatMap((n) => n.hostPorts.filter((p) => !p.explicit).map((p) => p.port)));
    for (const { node, port, name } of open) {
      const protocols = port.protocols ?? ["tcp"];
      const had = previous(node, name);
      const from = had ?? port.port;
      // Why `from` is not kept: another node has it, else something on the host holds it.
      const other = taken.get(from);
      // A node materialized before this host kept a plan runs on its defaults: adopt them, do not try them.
      const adopt = had === undefined && other === undefined && node.materialized();
      let candidate = port.port;
      for (let tries = 0; !adopt; tries++) {
        if (tries > HIGHEST) throw new Error(`no free port left on this host for ${node.name}'s ${name}`);
        const free =
          !taken.has(candidate) &&
          (candidate === port.port || !defaults.has(candidate)) &&
          (await this.probe(candidate, protocols));
        if (free) break;
        candidate = candidate >= HIGHEST ? LOWEST : candidate + 1;
      }
      taken.set(candidate, node.name);
      ports.get(node.nodeId)![name] = candidate;
      if (candidate !== from) {
        moves.push({
          nodeId: node.nodeId,
          node: node.name,
          port: name,
          from,
          to: candidate,
          ...(other !== undefined ? { because: "node" as const, other } : { because: "host" as const }),
        });
      }
    }

    // 4. Publish, keeping unchanged assignments as the same objects (plans are cached on them).
    const changed: string[] = [];
    const stored = new Map<string, StoredNode>();
    const live = new Set(nodes.map((n) => n.nodeId));
    for (const id of this.assigned.keys()) if (!live.has(id)) this.assigned.delete(id);
    for (const node of nodes) {
      const before = this.assigned.get(node.nodeId);
      const nodeErrors = errors.get(node.nodeId);
      let now: PortAssignment;
      if (nodeErrors) {
        const same = before?.ok === false && JSON.stringify(before.errors) === JSON.stringify(nodeErrors);
        now = same ? before : { ok: false, errors: nodeErrors };
        const kept = this.stored.get(node.nodeId);
        if (kept) stored.set(node.nodeId, kept);
      } else {
        const given = ports.get(node.nodeId)!;
        now = before?.ok && samePorts(before.ports, given) ? before : { ok: true, ports: given };
        stored.set(node.nodeId, { name: node.name, ports: { ...now.ports } });
      }
      if (now !== before) {
        this.assigned.set(node.nodeId, now);
        changed.push(node.nodeId);
      }
    }
    const sorted = [...stored].sort(([a], [b]) => a.localeCompare(b));
    const text = `${JSON.stringify({ version: 1, nodes: Object.fromEntries(sorted) }, null, 2)}\n`;
    // Written before any node starts on a new port: an agent killed right after never hands it out twice.
    if (text !== this.storedText) {
      writeFileAtomicSync(this.file, text);
      this.storedText = text;
    }
    this.stored = stored;
    return { changed, moves };
  }
}

/** hostPorts per desired entry: an entry is replaced whenever its spec changes (see planning.ts). */
const hostPortsSeen = new WeakMap<AssignedSpec, readonly HostPort[]>();

/**
 * The port plan's view of the live nodes of a reconcile pass: each node with a spec its adapter knows, and
 * whether one of its processes runs (by node name, from the pass's unit listing).
 */
export function portPlanNodes(
  live: readonly AssignedSpec[],
  runningNodes: ReadonlySet<string>,
  agentDataDir: string,
): PortPlanNode[] {
  const nodes: PortPlanNode[] = [];
  for (const entry of live) {
    const spec = entry.spec;
    const adapter = spec ? getAdapter(spec.chain) : undefined;
    if (!spec || !adapter) continue;
    let hostPorts = hostPortsSeen.get(entry);
    if (!hostPorts) {
      hostPorts = adapter.hostPorts(spec);
      hostPortsSeen.set(entry, hostPorts);
    }
    nodes.push({
      nodeId: entry.nodeId,
      name: entry.name,
      hostPorts,
      wantsRunning: spec.desiredState === "running",
      running: runningNodes.has(entry.name),
      materialized: () => {
        try {
          return readNodeRecord(nodePaths(agentDataDir, entry.name))?.nodeId === entry.nodeId;
        } catch {
          return false; // a name no host path may carry: planning reports it
        }
      },
    });
  }
  return nodes;
}

/** The runtime event of a moved port: where the node listens now and why not where it would have. */
export function portMoveMessage(move: PortMove): string {
  const why =
    move.because === "node"
      ? `node "${move.other}" on this host has ${move.from}`
      : `${move.from} is held by another program on this host`;
  return `${move.node}: its ${move.port} port is ${move.to} (${why}); set spec.ports.${move.port} to choose one`;
}
