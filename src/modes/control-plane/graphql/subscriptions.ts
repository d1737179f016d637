// `Subscription.changes`: one stream per client of what changes in its active organization (executor
// status and version, node phase / desired state / revision / drift / observation / staleness, new
// events), sent over server-sent events by yoga (POST or GET /graphql with `accept: text/event-stream`).
// Authentication is the queries' (session cookie from a trusted origin, or a personal token); the
// organization is fixed when the stream opens and the caller is checked again every RECHECK_MS, so a
// revoked session or membership ends its streams. Each change is executed with a fresh request budget
// (budget.ts), so a long-lived stream is bounded per change like a query, not cut off after its first
// 50,000 fields.
import type { GraphQLFieldResolver } from "graphql";
import type { ControlPlaneServices } from "../services.ts";
import { type GraphQLContext, guard, MEMBERS } from "./authz.ts";
import type { Ctx } from "./modules/context.ts";
import type { GraphQLModule } from "./modules.ts";
import type { Change, ChangeStream } from "./subscriptions-stream.ts";

/** How often an open stream's caller is resolved again (sign-out, removal, deactivation end it). */
export const RECHECK_MS = 30_000;

const typeDefs = /* GraphQL */ `
  "One change in the caller's organization; exactly one of executor, node, event is set unless resync is true."
  type Change {
    "An executor whose status (online/offline) or version changed."
    executor: Executor
    "A node whose phase, desired state, revision, drift, observation or staleness changed, in its latest state."
    node: Node
    "A new event of the organization."
    event: Event
    "More changed at once than the stream sends one by one: refetch whatever is shown."
    resync: Boolean!
  }

  type Subscription {
    """
    What changes in the active organization, as it happens: executors, nodes (at most 4 updates a second
    per node, each in its latest state) and new events. Over server-sent events: send the operation to
    /graphql with accept: text/event-stream. A session holds at most 8 streams at once.
    """
    changes: Change!
  }
`;

/** Ends the stream when the client disconnects, or when the caller no longer belongs to the organization. */
function watchCaller(s: ControlPlaneServices, ctx: Ctx, stream: ChangeStream): void {
  const request = ctx.request;
  request.signal.addEventListener("abort", () => stream.close(), { once: true });
  const timer = setInterval(async () => {
    if (stream.isClosed) {
      clearInterval(timer);
      return;
    }
    const p = await s.principals.resolve(request).catch(() => null);
    const still =
      p?.kind === "user" && p.organizationId === stream.organizationId && (p.role !== null || p.systemAdmin);
    if (!still) stream.close();
  }, RECHECK_MS);
  timer.unref?.();
}

function subscriptionResolvers(s: ControlPlaneServices) {
  const changes = guard("Subscription.changes", MEMBERS, (_s, _a, ctx: Ctx) => {
    const c = ctx.caller;
    const holder = c.sessionId ? `session:${c.sessionId}` : `user:${c.userId}`;
    const stream = s.live.open(c.organizationId, holder);
    watchCaller(s, ctx, stream);
    return stream;
  });
  // Each change is its own execution, on a fresh budget (budget.ts, chargeEveryField).
  const resolve: GraphQLFieldResolver<Change, GraphQLContext> = (change) => change;
  return { Subscription: { changes: { subscribe: changes, resolve } } };
}

export const subscriptionsModule: GraphQLModule = { typeDefs, resolvers: subscriptionResolvers };
