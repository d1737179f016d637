// The per-request budget of a GraphQL execution. Static limits (limits.ts) cannot see list sizes: a
// document of depth 7 over Executor.nodes ↔ Node.executor multiplies by the number of nodes at each level.
// Our resolvers are synchronous (SQLite), so an execution holds the event loop while it runs. Every field
// resolution, list item and resolver call is charged to the request, and so is the event-loop time its
// synchronous stretches take (the writes root mutations were asked to make aside); past either budget the
// execution is aborted (graphql-tools checks the signal before each field) and answered with one
// `query_too_complex` error instead of partial data. /healthz, syncs and long-polls wait at most that long.
import { defaultFieldResolver, type GraphQLSchema, isObjectType } from "graphql";
import type { Plugin } from "graphql-yoga";
import { queryTooComplex } from "./limits.ts";

export const REQUEST_BUDGET = {
  /** Units of work: 1 per field resolved, 1 per list item, RESOLVER_COST per resolver of our own. */
  work: 50_000,
  /**
   * Time the execution may hold the event loop, summed over its synchronous stretches: time spent awaiting
   * (a mutation's write, a session lookup) is not counted, since others run meanwhile. Counted as the
   * event-loop thread's CPU time, not the wall clock: on a busy host the scheduler may pause a stretch for
   * longer than the whole budget, and a legitimate page must not fail because another process ran meanwhile.
   */
  ms: 75,
} as const;

/** CPU time this thread (the event loop's) has used, in milliseconds: GC and JIT helper threads aside. */
function cpuMs(): number {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1000;
}
const RESOLVER_COST = 5;
const CLOCK_EVERY = 64;

export class RequestBudget {
  readonly controller = new AbortController();
  private work: number = REQUEST_BUDGET.work;
  private charges = 0;
  /** CPU time of the stretches that have ended, and the start and last reading of the current one. */
  private heldMs = 0;
  private stretchStart: number | null = null;
  private lastReading = 0;
  /** Time spent inside root mutation resolvers: writes the caller asked for, not amplification. */
  private writingMs = 0;

  get exhausted(): boolean {
    return this.controller.signal.aborted;
  }

  charge(units: number): void {
    if (this.exhausted) throw this.controller.signal.reason;
    this.work -= units;
    if (this.work < 0) this.abort("work", `more than ${REQUEST_BUDGET.work} fields and list items`);
    // Our own resolvers may query the database: the clock is read at each of them, and every
    // CLOCK_EVERY default field resolutions in between.
    if (units > 1 || this.charges++ % CLOCK_EVERY === 0) this.readClock();
  }

  private readClock(): void {
    const now = cpuMs();
    if (this.stretchStart === null) {
      // A new synchronous stretch; it ends when the event loop next gets to run anything else.
      const start = now;
      this.stretchStart = start;
      setImmediate(() => {
        this.heldMs += this.lastReading - start;
        this.stretchStart = null;
      });
    }
    this.lastReading = now;
    if (this.heldMs + (now - this.stretchStart) - this.writingMs > REQUEST_BUDGET.ms)
      this.abort("time", `more than ${REQUEST_BUDGET.ms} ms`);
  }

  /** Runs a root mutation resolver without charging its own (synchronous) time to the budget. */
  write<T>(resolve: () => T): T {
    const started = cpuMs();
    try {
      return resolve();
    } finally {
      this.writingMs += cpuMs() - started;
    }
  }

  private abort(kind: string, what: string): never {
    const error = queryTooComplex(
      "budget",
      `the query exceeded its ${kind} budget (${what}) and its result was not sent`,
      "ask for fewer nested lists or fewer items per page (take), or split the query",
    );
    this.controller.abort(error);
    throw error;
  }
}

interface BudgetContext {
  budget?: RequestBudget;
}

const chargeList = (budget: RequestBudget, value: unknown) => {
  if (Array.isArray(value)) budget.charge(value.length);
  return value;
};

/**
 * Wraps every field of the schema's object types (introspection aside) so that it charges the budget. A
 * subscription's context lives as long as its stream and each change is an execution of its own: the root
 * field, which starts each one, gives it a fresh budget (charging the last one would add up every change
 * of the stream, and all the work of other streams done meanwhile).
 */
export function chargeEveryField(schema: GraphQLSchema): void {
  const mutation = schema.getMutationType();
  const subscription = schema.getSubscriptionType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      if (type === subscription) {
        field.resolve = (source, args, context: BudgetContext, info) => {
          if (context.budget) context.budget = new RequestBudget();
          return resolve(source, args, context, info);
        };
        continue;
      }
      const units = field.resolve ? RESOLVER_COST : 1;
      const writes = type === mutation;
      field.resolve = (source, args, context: BudgetContext, info) => {
        const budget = context.budget;
        if (!budget) return resolve(source, args, context, info);
        budget.charge(units);
        const result = writes
          ? budget.write(() => resolve(source, args, context, info))
          : resolve(source, args, context, info);
        if (result instanceof Promise) return result.then((value) => chargeList(budget, value));
        return chargeList(budget, result);
      };
    }
  }
}

/**
 * Gives each execution the budget's signal, and answers an exhausted budget with its one error (an
 * aborted execution otherwise reports it once per level it was unwinding). A subscription executes once per
 * change, each on a budget of its own (graphql/subscriptions.ts): a change past it is answered the same way.
 */
export const requestBudgetPlugin: Plugin<BudgetContext> = {
  onSubscribe() {
    return {
      onSubscribeResult: () => ({
        onNext({ args, setResult }) {
          const budget = args.contextValue.budget;
          if (budget?.exhausted) setResult({ errors: [budget.controller.signal.reason] });
        },
      }),
    };
  },
  onExecute({ args }) {
    const budget = args.contextValue.budget;
    if (!budget) return;
    (args as { signal?: AbortSignal }).signal = budget.controller.signal;
    return {
      onExecuteDone({ setResult }) {
        if (budget.exhausted) setResult({ errors: [budget.controller.signal.reason] });
      },
    };
  },
};
