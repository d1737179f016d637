// Node writes: create, edit, lifecycle action, rollback, delete. Each is one transaction that writes the
// new spec and revision, keeps the revision history, advances the global change cursor, and appends the
// event and audit row; after the commit, waiting executors are woken. Nothing else writes a spec.
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { connectionOf } from "../../../db/connection.ts";
import { executors, nodeRevisions, nodes } from "../../../db/schema/index.ts";
import type { Clock } from "../../../lib/clock.ts";
import { badRequest, conflict, invalidNodeConfig, notFound } from "../../../lib/errors.ts";
import { compileValidator, type EventType, NodeSpec, NodeSpecInput } from "../../../protocol/index.ts";
import { type Actor, appendAudit, type RequestMeta } from "../audit/service.ts";
import { appendEvent } from "../events/service.ts";
import type { ChangeFeed } from "./change-feed.ts";
import { changedFields, checkEditableChange, checkNodeSpec } from "./validate.ts";

export type NodeRow = typeof nodes.$inferSelect;
export type LifecycleAction = "start" | "stop" | "restart";

/** Who asks, for which organization: every service call is scoped by the caller, never by an argument. */
export interface Caller {
  organizationId: string;
  actor: Actor;
  meta: RequestMeta;
}

const specInputValidator = compileValidator(NodeSpecInput);
const specValidator = compileValidator(NodeSpec);
const NODE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The most nodes one bulk lifecycle action may name (a whole 10,000-node fleet fits in one). */
export const MAX_NODES_PER_BULK_ACTION = 10_000;
/** Ids per lookup statement, well under SQLite's bound-parameter limit. */
const ID_CHUNK = 500;

/** The revision a lifecycle action makes: desiredState and, for restart, the next restart generation. */
function lifecycleWrite(caller: Caller, node: NodeRow, action: LifecycleAction): RevisionWrite {
  const spec: NodeSpec = { ...node.spec };
  if (action === "start") spec.desiredState = "running";
  if (action === "stop") spec.desiredState = "stopped";
  if (action === "restart") {
    spec.desiredState = "running";
    spec.restartGeneration = node.spec.restartGeneration + 1;
  }
  return {
    node,
    spec,
    summary: `${action} requested`,
    event: {
      type: "node.lifecycle.requested",
      message: `${caller.actor.name} requested ${action} of node ${node.name}`,
      payload: { action, requestedBy: caller.actor.id },
    },
    audit: { action: `node.${action}.requested`, details: { restartGeneration: spec.restartGeneration } },
  };
}

export function parseSpecInput(raw: unknown): NodeSpecInput {
  const errors = specInputValidator.errors(raw, "/spec");
  if (errors.length > 0) throw invalidNodeConfig(errors);
  return raw as NodeSpecInput;
}

interface RevisionWrite {
  node: NodeRow;
  spec: NodeSpec;
  summary: string;
  event: { type: EventType; message: string; payload?: Record<string, unknown> };
  /** The audit row to write, or the id of one already written for a whole bulk action. */
  audit: { action: string; details: Record<string, unknown> } | { id: string };
  deleted?: { retainData: boolean };
}

export class NodeService {
  constructor(
    private readonly db: Db,
    private readonly feed: ChangeFeed,
    private readonly clock: Clock,
  ) {}

  get(caller: Pick<Caller, "organizationId">, id: string): NodeRow | null {
    return (
      this.db
        .select()
        .from(nodes)
        .where(and(eq(nodes.id, id), eq(nodes.organizationId, caller.organizationId)))
        .get() ?? null
    );
  }

  private requireLive(caller: Caller, id: string): NodeRow {
    const node = this.get(caller, id);
    if (!node || node.deletedAt) throw notFound(`node ${id} not found`);
    return node;
  }

  create(caller: Caller, input: { executorId: string; name?: string | null; spec: unknown }): NodeRow {
    const specInput = parseSpecInput(input.spec);
    const executor = this.db
      .select()
      .from(executors)
      .where(
        and(
          eq(executors.id, input.executorId),
          eq(executors.organizationId, caller.organizationId),
          isNull(executors.deletedAt),
        ),
      )
      .get();
    if (!executor) throw notFound(`executor ${input.executorId} not found`);
    const spec: NodeSpec = {
      ...specInput,
      desiredState: specInput.desiredState ?? "running",
      restartGeneration: 0,
    };
    this.checkSpec(executor.id, spec);
    const name = input.name?.trim() || generatedName(spec, executor.name);
    if (!NODE_NAME.test(name)) {
      throw badRequest(`node name "${name}" is not valid`, [
        { path: "/name", message: "use lowercase letters, digits and '-', 1 to 63 characters" },
      ]);
    }
    const now = this.clock.now();
    const clash = this.db
      .select({ id: nodes.id })
      .from(nodes)
      .where(and(eq(nodes.executorId, executor.id), eq(nodes.name, name), isNull(nodes.deletedAt)))
      .get();
    if (clash)
      throw conflict(`a node named "${name}" already runs on this executor`, [
        { path: "/name", message: "pick another name" },
      ]);
    const node = this.db.transaction((tx) => {
      const row = tx
        .insert(nodes)
        .values({
          id: crypto.randomUUID(),
          organizationId: caller.organizationId,
          executorId: executor.id,
          name,
          spec,
          revision: 0,
          changeSeq: 0,
          createdAt: now,
          updatedAt: now,
        })
        .returning()
        .get();
      return this.writeRevision(tx as unknown as Db, caller, {
        node: row,
        spec,
        summary: "created",
        event: { type: "node.created", message: `Node ${name} deployed on ${executor.name}` },
        audit: {
          action: "node.created",
          details: { chain: spec.chain, network: spec.network, executorId: executor.id },
        },
      });
    });
    this.feed.notify(executor.id);
    return node;
  }

  update(caller: Caller, id: string, rawSpec: unknown): NodeRow {
    const node = this.requireLive(caller, id);
    const input = parseSpecInput(rawSpec);
    const spec: NodeSpec = {
      ...input,
      desiredState: node.spec.desiredState,
      restartGeneration: node.spec.restartGeneration,
    };
    checkEditableChange(node.spec, spec);
    this.checkSpec(node.executorId, spec, node.id);
    const changed = changedFields(node.spec, spec);
    if (changed.length === 0) return node;
    return this.commit(caller, {
      node,
      spec,
      summary: `edited ${changed.join(", ")}`,
      event: {
        type: "node.updated",
        message: `Node ${node.name} configuration changed (${changed.join(", ")})`,
      },
      audit: { action: "node.updated", details: { changedFields: changed } },
    });
  }

  lifecycle(caller: Caller, id: string, action: LifecycleAction): NodeRow {
    const node = this.requireLive(caller, id);
    return this.commit(caller, lifecycleWrite(caller, node, action));
  }

  /**
   * One lifecycle action on many nodes of the caller's organization (a fleet-wide restart, say): all or
   * nothing, in one transaction, and every executor concerned is woken once it has committed.
   */
  lifecycleMany(caller: Caller, ids: string[], action: LifecycleAction): NodeRow[] {
    const unique = [...new Set(ids)];
    if (unique.length === 0 || unique.length > MAX_NODES_PER_BULK_ACTION) {
      throw badRequest(`give from 1 to ${MAX_NODES_PER_BULK_ACTION} node ids`, [
        {
          path: "/ids",
          message: `split the ${unique.length} ids into calls of at most ${MAX_NODES_PER_BULK_ACTION}`,
        },
      ]);
    }
    const found = new Map<string, NodeRow>();
    for (let i = 0; i < unique.length; i += ID_CHUNK) {
      const chunk = unique.slice(i, i + ID_CHUNK);
      for (const node of this.db
        .select()
        .from(nodes)
        .where(
          and(
            inArray(nodes.id, chunk),
            eq(nodes.organizationId, caller.organizationId),
            isNull(nodes.deletedAt),
          ),
        )
        .all())
        found.set(node.id, node);
    }
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length > 0) {
      // Another organization's node reads as missing, like one that never existed.
      throw notFound(
        `${missing.length} of the nodes were not found: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}`,
      );
    }
    // One mutation, one audit row (naming how many nodes); each node's event links to it.
    const rows = this.db.transaction((tx) => {
      const audit = {
        id: appendAudit(tx, {
          organizationId: caller.organizationId,
          actor: caller.actor,
          action: `node.${action}.requested`,
          targetKind: "node",
          targetName: `${unique.length} nodes`,
          details: { nodeCount: unique.length },
          meta: caller.meta,
          at: this.clock.now(),
        }),
      };
      return unique.map((id) =>
        this.writeRevision(tx as unknown as Db, caller, {
          ...lifecycleWrite(caller, found.get(id)!, action),
          audit,
        }),
      );
    });
    for (const executorId of new Set(rows.map((row) => row.executorId))) this.feed.notify(executorId);
    return rows;
  }

  rollback(caller: Caller, id: string, toRevision: number): NodeRow {
    const node = this.requireLive(caller, id);
    const target = this.db
      .select()
      .from(nodeRevisions)
      .where(and(eq(nodeRevisions.nodeId, id), eq(nodeRevisions.revision, toRevision)))
      .get();
    if (!target) {
      throw badRequest(`node ${node.name} has no revision ${toRevision}`, [
        { path: "/revision", message: `use a revision from 1 to ${node.revision}` },
      ]);
    }
    // Configuration comes back; whether the node runs and its restart generation stay as they are now,
    // so a rollback never silently starts a stopped node or re-rolls its processes.
    const spec: NodeSpec = {
      ...target.spec,
      desiredState: node.spec.desiredState,
      restartGeneration: node.spec.restartGeneration,
    };
    if (!specValidator.check(spec)) throw invalidNodeConfig(specValidator.errors(spec, "/spec"));
    this.checkSpec(node.executorId, spec, node.id);
    return this.commit(caller, {
      node,
      spec,
      summary: `rolled back to revision ${toRevision}`,
      event: { type: "node.updated", message: `Node ${node.name} rolled back to revision ${toRevision}` },
      audit: { action: "node.rolled_back", details: { toRevision } },
    });
  }

  delete(caller: Caller, id: string, retainData: boolean): NodeRow {
    const node = this.requireLive(caller, id);
    return this.commit(caller, {
      node,
      spec: node.spec,
      summary: retainData ? "deleted (data retained)" : "deleted",
      event: {
        type: "node.deleted",
        message: `Node ${node.name} deleted${retainData ? " (data retained)" : ""}`,
      },
      audit: { action: "node.deleted", details: { retainData } },
      deleted: { retainData },
    });
  }

  revisions(caller: Pick<Caller, "organizationId">, id: string) {
    if (!this.get(caller, id)) return [];
    return this.db
      .select()
      .from(nodeRevisions)
      .where(eq(nodeRevisions.nodeId, id))
      .orderBy(nodeRevisions.revision)
      .all();
  }

  /** Everything checkable before a revision is written (validate.ts), against the executor and its other nodes. */
  private checkSpec(executorId: string, spec: NodeSpec, nodeId?: string): void {
    const executor = this.db.select().from(executors).where(eq(executors.id, executorId)).get()!;
    const others = this.db
      .select({ id: nodes.id, name: nodes.name, spec: nodes.spec })
      .from(nodes)
      .where(and(eq(nodes.executorId, executorId), isNull(nodes.deletedAt)))
      .all();
    checkNodeSpec(spec, executor, nodeId ? others.filter((n) => n.id !== nodeId) : others);
  }

  private commit(caller: Caller, write: RevisionWrite): NodeRow {
    const row = this.db.transaction((tx) => this.writeRevision(tx as unknown as Db, caller, write));
    this.feed.notify(write.node.executorId);
    return row;
  }

  /**
   * The writes of one revision, in the caller's transaction, as raw cached statements (a bulk action runs
   * this for thousands of nodes in one transaction: see src/db/connection.ts).
   */
  private writeRevision(tx: Db, caller: Caller, write: RevisionWrite): NodeRow {
    const sqlite = connectionOf(tx);
    const now = this.clock.now();
    const at = now.getTime();
    const { node } = write;
    const revision = node.revision + 1;
    const spec = JSON.stringify(write.spec);
    const seq = sqlite
      .query<{ seq: number }, [string, string, number, number]>(
        "INSERT INTO node_changes (node_id, executor_id, revision, created_at) VALUES (?, ?, ?, ?) RETURNING seq",
      )
      .get(node.id, node.executorId, revision, at)!.seq;
    sqlite
      .query(
        `INSERT INTO node_revisions (node_id, revision, spec, author_id, summary, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(node.id, revision, spec, caller.actor.id, write.summary, at);
    const auditId =
      "id" in write.audit
        ? write.audit.id
        : appendAudit(tx, {
            organizationId: caller.organizationId,
            actor: caller.actor,
            action: write.audit.action,
            targetKind: "node",
            targetId: node.id,
            targetName: node.name,
            details: { ...write.audit.details, revision },
            meta: caller.meta,
            at: now,
          });
    const executor = sqlite
      .query<{ name: string }, [string]>("SELECT name FROM executors WHERE id = ?")
      .get(node.executorId);
    appendEvent(tx, {
      organizationId: caller.organizationId,
      type: write.event.type,
      message: write.event.message,
      executorId: node.executorId,
      executorName: executor?.name ?? null,
      nodeId: node.id,
      nodeName: node.name,
      payload: { revision, ...write.event.payload },
      auditActionId: auditId,
      createdAt: now,
    });
    const deletion = write.deleted ? { deletedAt: now, retainData: write.deleted.retainData } : null;
    sqlite
      .query(
        `UPDATE nodes SET spec = ?, revision = ?, change_seq = ?, updated_at = ?,
         deleted_at = ?, retain_data = ? WHERE id = ?`,
      )
      .run(
        spec,
        revision,
        seq,
        at,
        (deletion?.deletedAt ?? node.deletedAt)?.getTime() ?? null,
        (deletion?.retainData ?? node.retainData) ? 1 : 0,
        node.id,
      );
    // Every column this revision changed is known here, so the row is not read back.
    return { ...node, spec: write.spec, revision, changeSeq: seq, updatedAt: now, ...deletion };
  }
}

function generatedName(spec: NodeSpec, executorName: string): string {
  const base = `${spec.chain}-${spec.network}-${executorName}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
  const suffix = crypto.randomUUID().slice(0, 6);
  return `${base.slice(0, 55).replace(/-+$/, "")}-${suffix}`;
}
