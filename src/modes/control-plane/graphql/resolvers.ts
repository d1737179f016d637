// GraphQL resolvers: map arguments to service calls, scoped to the caller's organization. Every root
// field is wrapped by `guard` (authz.ts); field resolvers below only shape rows for the schema.

import { and, asc, type Column, desc, eq, isNull, like, type SQL } from "drizzle-orm";
import { GraphQLScalarType, Kind, type ValueNode } from "graphql";
import { executors, nodes } from "../../../db/schema/index.ts";
import { getDerivedNodePhase } from "../../../protocol/index.ts";
import { listEvents } from "../events/service.ts";
import type { ExecutorRow } from "../executors/service.ts";
import type { LifecycleAction, NodeRow } from "../nodes/service.ts";
import type { ControlPlaneServices } from "../services.ts";
import { guard, MANAGERS, type OrgCaller, READ_LIST, READ_ONE } from "./authz.ts";
import { type Args, type Ctx, tenantCaller } from "./modules/context.ts";
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

function stringFilter(column: Column, filter: { equals?: string; contains?: string } | undefined) {
  const out: SQL[] = [];
  if (filter?.equals) out.push(eq(column, filter.equals));
  if (filter?.contains) out.push(like(column, `%${filter.contains.replace(/[%_]/g, "")}%`));
  return out;
}

export function coreResolvers(s: ControlPlaneServices) {
  const { db } = s;
  const executorById = (caller: OrgCaller, id: string) =>
    db
      .select()
      .from(executors)
      .where(
        and(
          eq(executors.id, id),
          eq(executors.organizationId, caller.organizationId),
          isNull(executors.deletedAt),
        ),
      )
      .get() ?? null;

  const Query = {
    me: guard("Query.me", { kind: "self" }, (_s, _a, ctx: Ctx) => ({ ...ctx.caller, id: ctx.caller.userId })),
    executors: guard("Query.executors", READ_LIST, (_s, args: Args, ctx: Ctx) => {
      const where: SQL[] = [
        eq(executors.organizationId, ctx.caller.organizationId),
        isNull(executors.deletedAt),
      ];
      where.push(...stringFilter(executors.name, args.where?.name));
      if (args.where?.kind) where.push(eq(executors.kind, args.where.kind));
      const { limit, offset } = page(args.take, args.skip);
      const order = args.orderBy?.name === "desc" ? desc(executors.name) : asc(executors.name);
      return db
        .select()
        .from(executors)
        .where(and(...where))
        .orderBy(order)
        .limit(limit)
        .offset(offset)
        .all();
    }),
    executor: guard("Query.executor", READ_ONE, (_s, args: Args, ctx: Ctx) =>
      executorById(ctx.caller, args.where.id),
    ),
    nodes: guard("Query.nodes", READ_LIST, (_s, args: Args, ctx: Ctx) => {
      const where: SQL[] = [eq(nodes.organizationId, ctx.caller.organizationId)];
      if (!args.where?.includeDeleted) where.push(isNull(nodes.deletedAt));
      where.push(...stringFilter(nodes.name, args.where?.name));
      if (args.where?.executorId) where.push(eq(nodes.executorId, args.where.executorId));
      const { limit, offset } = page(args.take, args.skip);
      const order = args.orderBy?.name === "desc" ? desc(nodes.name) : asc(nodes.name);
      const rows = db
        .select()
        .from(nodes)
        .where(and(...where))
        .orderBy(order)
        .limit(limit)
        .offset(offset)
        .all();
      return args.where?.chain ? rows.filter((n) => n.spec.chain === args.where.chain) : rows;
    }),
    node: guard("Query.node", READ_ONE, (_s, args: Args, ctx: Ctx) => s.nodes.get(ctx.caller, args.where.id)),
    events: guard("Query.events", READ_LIST, (_s, args: Args, ctx: Ctx) =>
      withinBytes(listEvents(db, ctx.caller.organizationId, args.filter ?? {}), EVENTS_PAGE_MAX_BYTES),
    ),
  };

  const Mutation = {
    createNode: guard("Mutation.createNode", MANAGERS, (_s, args: Args, ctx: Ctx) =>
      s.nodes.create(tenantCaller(ctx), args.data),
    ),
    updateNode: guard("Mutation.updateNode", MANAGERS, (_s, args: Args, ctx: Ctx) =>
      s.nodes.update(tenantCaller(ctx), args.where.id, args.data.spec),
    ),
    requestNodeLifecycleAction: guard(
      "Mutation.requestNodeLifecycleAction",
      MANAGERS,
      (_s, args: Args, ctx: Ctx) =>
        s.nodes.lifecycle(tenantCaller(ctx), args.id, args.action as LifecycleAction),
    ),
    requestNodesLifecycleAction: guard(
      "Mutation.requestNodesLifecycleAction",
      MANAGERS,
      (_s, args: Args, ctx: Ctx) =>
        s.nodes.lifecycleMany(tenantCaller(ctx), args.ids, args.action as LifecycleAction),
    ),
    rollbackNode: guard("Mutation.rollbackNode", MANAGERS, (_s, args: Args, ctx: Ctx) =>
      s.nodes.rollback(tenantCaller(ctx), args.id, args.revision),
    ),
    deleteNode: guard("Mutation.deleteNode", MANAGERS, (_s, args: Args, ctx: Ctx) =>
      s.nodes.delete(tenantCaller(ctx), args.where.id, args.retainData ?? false),
    ),
  };

  const Executor = {
    status: (e: ExecutorRow) => s.executors.status(e),
    lastSyncAt: (e: ExecutorRow) => s.executors.lastSyncAt(e),
    compat: (e: ExecutorRow) => s.executors.liveState(e.id)?.compat ?? "in-window",
    lastUsedKeyId: (e: ExecutorRow) => e.lastKeyId,
    nodes: (e: ExecutorRow) =>
      db
        .select()
        .from(nodes)
        .where(and(eq(nodes.executorId, e.id), isNull(nodes.deletedAt)))
        .orderBy(asc(nodes.name))
        .all(),
  };

  const Node = {
    executor: (n: NodeRow) => db.select().from(executors).where(eq(executors.id, n.executorId)).get() ?? null,
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
    revisions: (n: NodeRow) => s.nodes.revisions({ organizationId: n.organizationId }, n.id),
  };

  return { JSON: JSONScalar, DateTime: DateTimeScalar, Query, Mutation, Executor, Node };
}

export const coreModule: GraphQLModule = { typeDefs: coreTypeDefs, resolvers: coreResolvers };
