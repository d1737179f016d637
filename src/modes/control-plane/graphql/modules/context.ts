// Shared by the GraphQL modules: the guarded resolver context (which carries the one Caller) and the
// argument map type.
import type { GuardedContext } from "../authz.ts";

export type Ctx = GuardedContext;
// biome-ignore lint/suspicious/noExplicitAny: GraphQL validated the argument shapes against the SDL
export type Args = Record<string, any>;
