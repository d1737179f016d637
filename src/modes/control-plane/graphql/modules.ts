// GraphQL modules: each feature contributes SDL and resolvers; GRAPHQL_MODULES is the whole user API. Add
// a feature by writing a module file (typeDefs with `extend type Query/Mutation`) and one line here.
import type { ControlPlaneServices } from "../services.ts";
import { coreModule } from "./resolvers.ts";

export interface GraphQLModule {
  typeDefs: string;
  // biome-ignore lint/suspicious/noExplicitAny: resolver maps are shaped by the SDL, checked at startup
  resolvers: (s: ControlPlaneServices) => Record<string, any>;
}

export const GRAPHQL_MODULES: GraphQLModule[] = [coreModule];
