// GraphQL resolvers: map arguments to service calls, scoped to the caller's organization. Every root
// field is wrapped by `guard` (authz.ts); field resolvers below only shape rows for the schema.

import { GraphQLScalarType, Kind, type ValueNode } from "graphql";
import {
  compatWindowStatus,
  getDerivedNodePhase,
  isObservationStale,
  NOVACULA_VERSION,
} from "../../../protocol/index.ts";
import { listEvents } from "../events/service.ts";
import type { ExecutorRow } from "../executors/service.ts";
import { parseSpecInput } from "../nodes/models.ts";
import type { LifecycleAction, NodeRow } from "../nodes/service.ts";
import type { ControlPlaneServices } from "../services.ts";
import { guard, MANAGERS, READ_LIST, READ_ONE } from "./authz.ts";
import type { Args, Ctx } from "./modules/context.ts";
import type { GraphQLModule } from "./modules.ts";
import { EVENTS_PAGE_MAX_BYTES, withinBytes } from "./page-bytes.ts";
import { typeDefs as coreTypeDefs } from "./schema.ts";

function parseLiteral(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, parseLiteral(f.value)]));
    case Kind.LIST:
      return ast.values.map(parseLiteral);
    default:
      return null;
  }
}

const JSONScalar = new GraphQLScalarType({
  name: "JSON",
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral,
});

const DateTimeScalar = new GraphQLScalarType({
  name: "DateTime",
  serialize: (v) => (v instanceof Date ? v.toISOString() : v),
  parseValue: (v) => new Date(String(v)),
});

const page = (take: unknown, skip: unknown) => ({
  limit: Math.min(Math.max(Number(take ?? 100), 1), 500),
  offset: Math.max(Number(skip ?? 0), 0),
});

export function coreResolvers(s: ControlPlaneServices) {
  const Query = {
    me: guard("Query.me", { kind: "self" }, (_s, _a, ctx: Ctx) => {
      const c = ctx.caller;
      return { ...c, id: c.userId, name: c.actor.name, email: c.actor.email };
    }),
    executors: guard("Query.executors", READ_LIST, (_s, args: Args, ctx: Ctx) =>
      s.executors.list(ctx.caller, {
        name: args.where?.name ?? undefined,
        kind: args.where?.kind ?? undefined,
        order: args.orderBy?.name === "desc" ? "desc" : "asc",
        ...page(args.take, args.skip),
      }),
    ),
    executor: guard("Query.executor", READ_ONE, (_s, args: Args, ctx: Ctx) =>
      s.executors.get(ctx.caller, args.where.id),
    ),
    nodes: guard("Query.nodes", READ_LIST, (_s, args: Args, ctx: Ctx) => {
      const byCreation = !args.orderBy?.name && !!args.orderBy?.createdAt;
      const order = byCreation ? args.orderBy.createdAt : args.orderBy?.name;
      return s.nodes.list(ctx.caller, {
        name: args.where?.name ?? undefined,
        executorId: args.where?.executorId ?? undefined,
        chain: args.where?.chain ?? undefined,
        phase: args.where?.phase ?? undefined,
        phaseAt: s.clock.now(),
        includeDeleted: args.where?.includeDeleted ?? false,
        sort: byCreation ? "createdAt" : "name",
        order: order === "desc" ? "desc" : "asc",
        ...page(args.take, args.skip),
      });
    }),
    node: guard("Query.node", READ_ONE, (_s, args: Args, ctx: Ctx) => s.nodes.get(ctx.caller, args.where.id)),
    events: guard("Query.events", READ_LIST, (_s, args: Args, ctx: Ctx) => {
      const filter = args.filter ?? {};
      // Cut at the byte cap nearest the cursor first, so the next page starts where this one ends.
      const page = withinBytes(listEvents(s.db, ctx.caller.organizationId, filter), EVENTS_PAGE_MAX_BYTES);
      return filter.direction === "newer" ? page.reverse() : page;
    }),
  };

  const Mutation = {
    createNode: guard("Mutation.createNode", MANAGERS, (_s, args: Args, ctx: Ctx) =>
      s.nodes.create(ctx.caller, { ...args.data, spec: parseSpecInput(args.data.spec) }),
    ),
    updateNode: guard("Mutation.updateNode", MANAGERS, (_s, args: Args, ctx: Ctx) =>
      s.nodes.update(
        ctx.caller,
        args.where.id,
        parseSpecInput(args.data.spec),
        args.data.expectedRevision ?? undefined,
      ),
    ),
    requestNodeLifecycleAction: guard(
      "Mutation.requestNodeLifecycleAction",
      MANAGERS,
      (_s, args: Args, ctx: Ctx) => s.nodes.lifecycle(ctx.caller, args.id, args.action as LifecycleAction),
    ),
    requestNodesLifecycleAction: guard(
      "Mutation.requestNodesLifecycleAction",
      MANAGERS,
      (_s, args: Args, ctx: Ctx) =>
        s.nodes.lifecycleMany(ctx.caller, args.ids, args.action as LifecycleAction),
    ),
    rollbackNode: guard("Mutation.rollbackNode", MANAGERS, (_s, args: Args, ctx: Ctx) =>
      s.nodes.rollback(ctx.caller, args.id, args.revision),
    ),
    deleteNode: guard("Mutation.deleteNode", MANAGERS, (_s, args: Args, ctx: Ctx) =>
      s.nodes.delete(ctx.caller, args.where.id, args.retainData ?? false),
    ),
  };

  const Executor = {
    status: (e: ExecutorRow) => s.executors.status(e),
    lastSyncAt: (e: ExecutorRow) => s.executors.lastSyncAt(e),
    currentVersion: (e: ExecutorRow) => s.executors.currentVersion(e),
    // An executor this process has not seen sync yet: computed from its stored version.
    compat: (e: ExecutorRow) =>
      s.executors.liveState(e.id)?.compat ?? compatWindowStatus(NOVACULA_VERSION, e.currentVersion),
    lastUsedKeyId: (e: ExecutorRow) => e.lastKeyId,
    nodes: (e: ExecutorRow) => s.nodes.onExecutor(e),
  };

  const Node = {
    executor: (n: NodeRow) => s.executors.ofNode(n),
    desiredState: (n: NodeRow) => n.spec.desiredState,
    restartGeneration: (n: NodeRow) => n.spec.restartGeneration,
    observedRevision: (n: NodeRow) => n.observed?.revision ?? null,
    drifted: (n: NodeRow) => (n.observed?.revision ?? 0) < n.revision,
    phase: (n: NodeRow) =>
      getDerivedNodePhase(
        {
          deleted: n.deletedAt !== null,
          desiredState: n.spec.desiredState,
          revision: n.revision,
          observed: n.observed,
          observedAt: n.observedAt,
          updatedAt: n.updatedAt,
        },
        s.clock.now(),
      ),
    observedStale: (n: NodeRow) => {
      const executorSyncAt = s.executors.liveState(n.executorId)?.lastSyncAt;
      return isObservationStale(
        { ...n, executorSyncAt: executorSyncAt === undefined ? null : new Date(executorSyncAt) },
        s.clock.now(),
        s.config.heartbeatTimeoutMs,
      );
    },
    revisions: (n: NodeRow) => s.nodes.revisions({ organizationId: n.organizationId }, n.id),
  };

  return { JSON: JSONScalar, DateTime: DateTimeScalar, Query, Mutation, Executor, Node };
}

export const coreModule: GraphQLModule = { typeDefs: coreTypeDefs, resolvers: coreResolvers };
