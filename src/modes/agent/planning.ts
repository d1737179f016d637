// From one desired entry to its plan on this host: resolve the adapter, choose the node's paths, and ask the
// adapter for the plan. Shared by the reconciler (to apply it) and the observer (to know what to probe), so
// both always agree on the processes of a node. Also holds the per-node problems the last reconcile found.
import { getAdapter, supportedChains } from "../../adapters/registry.ts";
import type { ChainAdapter, Platform, ProcessPlan } from "../../adapters/types.ts";
import type { AssignedSpec } from "../../protocol/executor-api.ts";
import type { NodeSpec } from "../../protocol/node-spec.ts";
import { NODE_NAME, type NodePaths, nodePaths, planEnv } from "./layout.ts";
import type { PortAssignment } from "./ports.ts";

export type NodePlan =
  | { ok: true; adapter: ChainAdapter; spec: NodeSpec; plan: ProcessPlan; paths: NodePaths }
  | { ok: false; reason: string; message: string };

/**
 * Plans per desired entry. An entry object is replaced whenever its spec changes (DesiredSet.apply), and a
 * plan depends on nothing else but the data dir and platform, so the plan made for an entry holds until the
 * entry is replaced: the reporter (every 10 s) and the reconciler need not re-plan an unchanged node. Plans
 * are only read, never modified, by their users.
 */
const plans = new WeakMap<
  AssignedSpec,
  { dataDir: string; platform: Platform | null; ports: PortAssignment | undefined; plan: NodePlan }
>();

/** `ports`: the node's ports from the host's port plan (ports.ts); without it, the spec's own and defaults. */
export function planNode(
  entry: AssignedSpec,
  agentDataDir: string,
  platform: Platform | null,
  ports?: PortAssignment,
): NodePlan {
  const cached = plans.get(entry);
  if (cached && cached.dataDir === agentDataDir && cached.platform === platform && cached.ports === ports)
    return cached.plan;
  const plan = makePlan(entry, agentDataDir, platform, ports);
  plans.set(entry, { dataDir: agentDataDir, platform, ports, plan });
  return plan;
}

function makePlan(
  entry: AssignedSpec,
  agentDataDir: string,
  platform: Platform | null,
  ports: PortAssignment | undefined,
): NodePlan {
  if (!entry.spec) return { ok: false, reason: "spec.missing", message: "the node has no spec" };
  if (ports && !ports.ok) {
    const list = ports.errors.map((e) => `${e.path}: ${e.message}`).join("; ");
    return { ok: false, reason: "port.conflict", message: `the node's ports collide: ${list}` };
  }
  // Every port as the host's plan gave it, written into the spec: adapters read ports from spec.ports only.
  const spec = ports ? { ...entry.spec, ports: { ...entry.spec.ports, ...ports.ports } } : entry.spec;
  if (!NODE_NAME.test(entry.name)) {
    return {
      ok: false,
      reason: "node.name",
      message: `node name ${JSON.stringify(entry.name)} is not usable on a host`,
    };
  }
  const adapter = getAdapter(spec.chain);
  if (!adapter) {
    const chains = supportedChains()
      .map((c) => c.chain)
      .join(", ");
    return {
      ok: false,
      reason: "spec.rejected",
      message: `chain "${spec.chain}" is not supported by this agent (it runs: ${chains}); upgrade the agent or move the node`,
    };
  }
  if (!platform) {
    return {
      ok: false,
      reason: "host.platform",
      message: `this host (${process.platform}/${process.arch}) cannot run chain clients: use linux x64 or arm64`,
    };
  }
  const paths = nodePaths(agentDataDir, entry.name);
  // The artifacts the control plane resolved for this node, at the paths they are (or will be) installed.
  const result = adapter.plan(entry.name, spec, planEnv(agentDataDir, paths, platform, entry.artifacts));
  if (!result.ok) {
    const list = result.errors.map((e) => `${e.path}: ${e.message}`).join("; ");
    return {
      ok: false,
      reason: "spec.rejected",
      message: `the ${spec.chain} adapter rejected the spec: ${list}`,
    };
  }
  return { ok: true, adapter, spec, plan: result.plan, paths };
}

/** A problem that keeps a node from converging; reported as `error` with this message until it clears. */
export interface NodeIssue {
  reason: string;
  message: string;
  /** The process the problem is about, when it is about one. */
  role?: string;
  /** Not a fault: the node waits for something under way (a download); reported as `starting`, not `error`. */
  waiting?: boolean;
}

/** The problems found by the latest reconcile, per node id (rebuilt every tick: nothing here outlives a fix). */
export class NodeIssues {
  private readonly byNode = new Map<string, NodeIssue[]>();

  get(nodeId: string): NodeIssue[] {
    return this.byNode.get(nodeId) ?? [];
  }

  /** Replace a node's issues; returns the issues that are new since the last tick (to raise events once). */
  replace(nodeId: string, issues: NodeIssue[]): NodeIssue[] {
    const before = new Set(this.get(nodeId).map((i) => `${i.role ?? ""}\u0000${i.message}`));
    if (issues.length === 0) this.byNode.delete(nodeId);
    else this.byNode.set(nodeId, issues);
    return issues.filter((i) => !before.has(`${i.role ?? ""}\u0000${i.message}`));
  }

  retain(nodeIds: Set<string>): void {
    for (const id of this.byNode.keys()) if (!nodeIds.has(id)) this.byNode.delete(id);
  }
}
