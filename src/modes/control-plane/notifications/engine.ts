// The alert engine: evaluates the rules on every node observation and executor liveness change it hears
// from the signal hub, and opens or resolves incidents. It is on the ingestion path of every report
// (10,000 nodes every 10 s), so an evaluation reads memory only: the node's policy (settings.ts), whether
// an incident is open (incidents.ts) and a few facts per node kept here. The database is touched when an
// incident opens or resolves, and to ask whether a node should run, only while a process is stopped or in
// error (cached per observed revision: any desired-state change bumps the revision the executor reports).
import type { Db } from "../../../db/client.ts";
import { nodeIntent } from "../../../db/queries/notifications.ts";
import type { ExecutorStatusSignal, NodeObservedSignal, SignalHub } from "../signals/hub.ts";
import type { IncidentService, Subject } from "./incidents.ts";
import type { NotificationMetrics } from "./metrics.ts";
import {
  diskPercent,
  diskVerdict,
  type HeadTrack,
  NODE_RULES,
  nodeDownVerdict,
  type ProcessHealth,
  processHealth,
  type Rule,
  ruleMessage,
  syncStalledVerdict,
  type Verdict,
} from "./rules.ts";
import type { NotificationSettingsService } from "./settings.ts";

/** A cached "should this node run?" is asked again after this long even at the same revision. */
const INTENT_TTL_MS = 60_000;

interface NodeMemory {
  health: ProcessHealth;
  diskPercent: number | null;
  head: HeadTrack | undefined;
  intent: { revision: number; checkedAtMs: number; shouldRun: boolean; deleted: boolean } | undefined;
}

export class AlertEngine {
  private nodes = new Map<string, NodeMemory>();
  private unsubscribe: (() => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly settings: NotificationSettingsService,
    private readonly incidents: IncidentService,
    private readonly metrics: NotificationMetrics,
  ) {}

  subscribe(signals: SignalHub): void {
    this.unsubscribe.push(
      signals.onNodeObserved((signal) => this.timed(() => this.nodeObserved(signal))),
      signals.onExecutorStatus((signal) => this.timed(() => this.executorStatus(signal))),
    );
  }

  unsubscribeAll(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private timed(work: () => void): void {
    const t0 = performance.now();
    try {
      work();
    } finally {
      this.metrics.evaluated((performance.now() - t0) / 1000);
    }
  }

  nodeObserved({ node, observation, at }: NodeObservedSignal): void {
    if (observation.removed) {
      this.forgetNode(node.id, at, "node removed");
      return;
    }
    let memory = this.nodes.get(node.id);
    if (!memory) {
      memory = { health: "unknown", diskPercent: null, head: undefined, intent: undefined };
      this.nodes.set(node.id, memory);
    }
    if (memory.intent?.deleted) return;
    const policy = this.settings.policy(node.organizationId, node.id);
    const subject: Subject = {
      kind: "node",
      key: node.id,
      name: node.name,
      organizationId: node.organizationId,
      executorId: node.executorId,
      executorName: node.executorName,
    };
    memory.health = processHealth(observation);
    const down = nodeDownVerdict(policy, memory.health, () =>
      this.shouldRun(node.id, memory, observation.revision, at),
    );
    this.apply("node_down", down, subject, memory, at, {});

    memory.diskPercent = diskPercent(observation);
    this.apply("disk_usage", diskVerdict(policy, memory.diskPercent), subject, memory, at, {
      percent: memory.diskPercent ?? 0,
      threshold: policy.diskUsageThresholdPercent,
    });

    const stalled = syncStalledVerdict(policy, observation, memory.head, at);
    memory.head = stalled.track;
    this.apply("sync_stalled", stalled.verdict, subject, memory, at, {
      height: stalled.track?.height,
      minutes: policy.syncStalledMinutes,
    });
  }

  executorStatus({ executor, status, at }: ExecutorStatusSignal): void {
    const subject: Subject = {
      kind: "executor",
      key: executor.id,
      name: executor.name,
      organizationId: executor.organizationId,
    };
    const enabled = this.settings.of(executor.organizationId).executorOfflineEnabled;
    const verdict: Verdict = status === "offline" && enabled ? "fire" : "clear";
    this.apply("executor_offline", verdict, subject, null, at, {});
  }

  /**
   * After a settings save: resolves the organization's open incidents the new settings no longer support
   * (a rule turned off, a threshold raised above the last reading), linked to the save's audit row.
   * Incidents the new settings would open open on the node's next observation.
   */
  reevaluate(organizationId: string, auditActionId: string | null, atMs: number): void {
    const org = this.settings.of(organizationId);
    for (const { rule, subject } of this.incidents.openOf(organizationId)) {
      let clear: boolean;
      if (rule === "executor_offline") clear = !org.executorOfflineEnabled;
      else {
        const policy = this.settings.policy(organizationId, subject.key);
        const memory = this.nodes.get(subject.key);
        if (rule === "node_down") clear = !policy.nodeDownEnabled;
        else if (rule === "sync_stalled") clear = !policy.syncStalledEnabled;
        else clear = diskVerdict(policy, memory?.diskPercent ?? null) === "clear";
      }
      if (clear) this.incidents.resolve(rule, subject.key, new Date(atMs), { auditActionId });
    }
  }

  private apply(
    rule: Rule,
    verdict: Verdict,
    subject: Subject,
    memory: NodeMemory | null,
    at: number,
    facts: Parameters<typeof ruleMessage>[3],
  ): void {
    if (verdict === "keep") return;
    const open = this.incidents.isOpen(rule, subject.key);
    if (verdict === "clear") {
      if (open) this.incidents.resolve(rule, subject.key, new Date(at));
      return;
    }
    if (open) return;
    // Opening is rare: confirm the node still exists (a deleted node's last reports open nothing).
    if (memory) {
      const intent = nodeIntent(this.db, subject.key);
      if (!intent || intent.deleted_at !== null) {
        memory.intent = { revision: -1, checkedAtMs: at, shouldRun: false, deleted: true };
        return;
      }
    }
    this.incidents.openIncident(rule, subject, ruleMessage(rule, "open", subject.name, facts), new Date(at));
  }

  private shouldRun(nodeId: string, memory: NodeMemory, revision: number, at: number): boolean {
    const cached = memory.intent;
    if (cached && cached.revision === revision && at - cached.checkedAtMs < INTENT_TTL_MS)
      return cached.shouldRun;
    const row = nodeIntent(this.db, nodeId);
    const deleted = !row || row.deleted_at !== null;
    const shouldRun = !deleted && row.desired === "running";
    memory.intent = { revision, checkedAtMs: at, shouldRun, deleted };
    return shouldRun;
  }

  /** A node whose removal was reported: its incidents resolve and its memory goes. */
  private forgetNode(nodeId: string, at: number, reason: string): void {
    this.nodes.delete(nodeId);
    for (const rule of NODE_RULES) this.incidents.resolve(rule, nodeId, new Date(at), { reason });
  }
}
