// Node writes: create, edit, lifecycle action, rollback, delete. Each is one transaction that writes the
// new spec and revision, keeps the revision history, advances the global change cursor, and appends the
// event and audit row; after the commit, waiting executors are woken. Nothing else writes a spec.
import type { Db, DbOrTx } from "../../../db/client.ts";
import { executorName, findExecutor, findLiveExecutor } from "../../../db/queries/executors.ts";
import {
  findLiveNodes,
  findNode,
  findRevision,
  insertNode,
  listNodes,
  listRecentRevisions,
  listRevisions,
  liveNodeNamed,
  liveNodesOn,
  type NodeListQuery,
  type NodeRow,
  writeRevisionRows,
} from "../../../db/queries/nodes.ts";
import type { Clock } from "../../../lib/clock.ts";
import { badRequest, conflict, invalidNodeConfig, notFound } from "../../../lib/errors.ts";
import { compileValidator, NodeSpec, type NodeSpecInput } from "../../../protocol/index.ts";
import { recordAudit } from "../audit/service.ts";
import type { CatalogService } from "../catalog/service.ts";
import { appendEvent } from "../events/service.ts";
import type { ChangeFeed } from "./change-feed.ts";
import { checkClientChange, clientChanges, describeClientChange, editSummary } from "./client-change.ts";
import { revertedFrom } from "./client-upgrade-outcome.ts";
import { type Caller, type LifecycleAction, lifecycleWrite, type RevisionWrite } from "./revision-write.ts";
import { changedFields, checkEditableChange, checkNodeSpec, revisionMoved } from "./validate.ts";

export type { LifecycleAction, NodeRow };
export interface CreateInput {
  executorId: string;
  name?: string | null;
  spec: NodeSpecInput;
}

const specValidator = compileValidator(NodeSpec);
const NODE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The most revisions one recentRevisions call returns (a page of history, not all of it). */
export const MAX_REVISIONS_PAGE = 500;

/** The most nodes one bulk lifecycle action may name (a whole 10,000-node fleet fits in one). */
export const MAX_NODES_PER_BULK_ACTION = 10_000;

export class NodeService {
  constructor(
    private readonly db: Db,
    private readonly feed: ChangeFeed,
    private readonly clock: Clock,
    private readonly catalog?: CatalogService,
  ) {}

  get(caller: Pick<Caller, "organizationId">, id: string): NodeRow | null {
    return findNode(this.db, caller.organizationId, id);
  }

  /** One page of the organization's nodes; every filter applies before the page is cut. */
  list(caller: Pick<Caller, "organizationId">, query: NodeListQuery): NodeRow[] {
    return listNodes(this.db, caller.organizationId, query);
  }

  /** The live nodes on an executor the caller already holds (a field of Executor), by name. */
  onExecutor(executor: { id: string }): NodeRow[] {
    return liveNodesOn(this.db, executor.id);
  }

  private requireLive(caller: Caller, id: string): NodeRow {
    const node = this.get(caller, id);
    if (!node || node.deletedAt) throw notFound(`node ${id} not found`);
    return node;
  }

  /**
   * Everything create() checks, without writing: what a deploy form asks before its last step, so it shows
   * the server's own words at each field. Throws the error create() would.
   */
  checkCreate(caller: Pick<Caller, "organizationId">, input: CreateInput) {
    const specInput = input.spec;
    const executor = findLiveExecutor(this.db, caller.organizationId, input.executorId);
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
    if (liveNodeNamed(this.db, executor.id, name))
      throw conflict(`a node named "${name}" already runs on this executor`, [
        { path: "/name", message: "pick another name" },
      ]);
    return { executor, spec, name };
  }

  create(caller: Caller, input: CreateInput): NodeRow {
    const { executor, spec, name } = this.checkCreate(caller, input);
    const now = this.clock.now();
    const node = this.db.transaction((tx) => {
      const row = insertNode(tx, {
        id: crypto.randomUUID(),
        organizationId: caller.organizationId,
        executorId: executor.id,
        name,
        spec,
        createdAt: now,
        updatedAt: now,
      });
      return this.writeRevision(tx, caller, {
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

  /** `expectedRevision`: the revision the edit started from; a newer one refuses it (no lost update). */
  update(caller: Caller, id: string, input: NodeSpecInput, expectedRevision?: number): NodeRow {
    const node = this.requireLive(caller, id);
    if (expectedRevision !== undefined && expectedRevision !== node.revision)
      throw revisionMoved(node.revision, expectedRevision);
    const spec: NodeSpec = {
      ...input,
      desiredState: node.spec.desiredState,
      restartGeneration: node.spec.restartGeneration,
    };
    this.checkClients(node, spec);
    this.checkSpec(node.executorId, spec, node.id);
    const changed = changedFields(node.spec, spec);
    if (changed.length === 0) return node;
    return this.commit(caller, {
      node,
      spec,
      summary: editSummary(node.spec, spec, changed),
      audit: { action: "node.updated", details: { changedFields: changed } },
    });
  }

  lifecycle(caller: Caller, id: string, action: LifecycleAction): NodeRow {
    const node = this.requireLive(caller, id);
    this.requireLifecycleFeature([node.executorId], action);
    return this.commit(caller, lifecycleWrite(caller, node, action));
  }

  /** Start, stop and restart go only to executors that declare `lifecycle`: undeclared features are never used. */
  private requireLifecycleFeature(executorIds: Iterable<string>, action: LifecycleAction): void {
    for (const id of new Set(executorIds)) {
      const executor = findExecutor(this.db, id);
      if (executor && !executor.capabilities.features.includes("lifecycle")) {
        throw conflict(
          `executor "${executor.name}" does not declare the lifecycle feature, so it cannot ${action} nodes: upgrade it to a version that does`,
        );
      }
    }
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
    const found = new Map(findLiveNodes(this.db, caller.organizationId, unique).map((n) => [n.id, n]));
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length > 0) {
      // Another organization's node reads as missing, like one that never existed.
      throw notFound(
        `${missing.length} of the nodes were not found: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}`,
      );
    }
    this.requireLifecycleFeature(
      [...found.values()].map((n) => n.executorId),
      action,
    );
    // One mutation, one audit row (naming how many nodes); each node's event links to it.
    const rows = this.db.transaction((tx) => {
      const audit = {
        id: recordAudit(
          tx,
          caller,
          `node.${action}.requested`,
          { kind: "node", name: `${unique.length} nodes` },
          { nodeCount: unique.length },
          this.clock.now(),
        ),
      };
      return unique.map((id) =>
        this.writeRevision(tx, caller, {
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
    const target = findRevision(this.db, id, toRevision);
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
    // An older revision may name an older client version: the same rules as an edit (a downgrade needs a
    // data-compatible one, or a change the host reverted).
    this.checkClients(node, spec, true);
    this.checkSpec(node.executorId, spec, node.id);
    return this.commit(caller, {
      node,
      spec,
      summary: [
        `rolled back to revision ${toRevision}`,
        ...clientChanges(node.spec, spec).map(describeClientChange),
      ].join("; "),
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
    return listRevisions(this.db, id);
  }

  /** The newest `take` revisions (1 to MAX_REVISIONS_PAGE), newest first: what a history screen shows. */
  recentRevisions(caller: Pick<Caller, "organizationId">, id: string, take: number) {
    if (!this.get(caller, id)) return [];
    return listRecentRevisions(this.db, id, Math.min(Math.max(Math.trunc(take), 1), MAX_REVISIONS_PAGE));
  }

  /**
   * Fields fixed after deploy, and a client version change within its rules. `clientsOnly`: a rollback, whose
   * target revision passed the other checks when it was written.
   */
  private checkClients(node: NodeRow, spec: NodeSpec, clientsOnly = false): void {
    const executor = findExecutor(this.db, node.executorId) ?? undefined;
    const reverted = revertedFrom(this.db, node.id);
    if (!clientsOnly) {
      checkEditableChange(node.spec, spec, executor, reverted);
      return;
    }
    const offered = executor?.capabilities.supportedChains.find((c) => c.chain === node.spec.chain);
    const errors = checkClientChange(node.spec, spec, offered, reverted);
    if (errors.length > 0) throw invalidNodeConfig(errors);
  }

  /** Everything checkable before a revision is written (validate.ts), against the executor and its other nodes. */
  private checkSpec(executorId: string, spec: NodeSpec, nodeId?: string): void {
    const executor = findExecutor(this.db, executorId)!;
    const others = liveNodesOn(this.db, executorId);
    checkNodeSpec(spec, executor, nodeId ? others.filter((n) => n.id !== nodeId) : others, this.catalog);
  }

  private commit(caller: Caller, write: RevisionWrite): NodeRow {
    const row = this.db.transaction((tx) => this.writeRevision(tx, caller, write));
    this.feed.notify(write.node.executorId);
    return row;
  }

  /**
   * The writes of one revision, in the caller's transaction (a bulk action runs this for thousands of nodes
   * in one transaction, so every statement below is a cached raw one).
   */
  private writeRevision(tx: DbOrTx, caller: Caller, write: RevisionWrite): NodeRow {
    const now = this.clock.now();
    const { node } = write;
    const revision = node.revision + 1;
    const deletion = write.deleted ? { deletedAt: now, retainData: write.deleted.retainData } : null;
    const seq = writeRevisionRows(tx, {
      node,
      revision,
      spec: write.spec,
      authorId: caller.actor.id,
      summary: write.summary,
      at: now,
      deletedAt: deletion?.deletedAt ?? node.deletedAt,
      retainData: deletion?.retainData ?? node.retainData,
    });
    const auditId =
      "id" in write.audit
        ? write.audit.id
        : recordAudit(
            tx,
            caller,
            write.audit.action,
            { kind: "node", id: node.id, name: node.name },
            { ...write.audit.details, revision },
            now,
          );
    if (write.event)
      appendEvent(tx, {
        organizationId: caller.organizationId,
        type: write.event.type,
        message: write.event.message,
        executorId: node.executorId,
        executorName: executorName(tx, node.executorId),
        nodeId: node.id,
        nodeName: node.name,
        payload: { revision, ...write.event.payload },
        auditActionId: auditId,
        createdAt: now,
      });
    // Every column this revision changed is known here, so the row is not read back.
    return { ...node, spec: write.spec, revision, changeSeq: seq, updatedAt: now, ...deletion };
  }
}

function generatedName(spec: NodeSpec, executorName: string): string {
  const base = `${spec.chain}-${spec.network}-${executorName}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
  const suffix = crypto.randomUUID().slice(0, 6);
  return `${base.slice(0, 55).replace(/-+$/, "")}-${suffix}`;
}
