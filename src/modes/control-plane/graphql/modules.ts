// GraphQL modules: each feature contributes SDL and resolvers; GRAPHQL_MODULES is the whole user API. Add
// a feature by writing a module file (typeDefs with `extend type Query/Mutation`) and one line here.
import type { ControlPlaneServices } from "../services.ts";
import { accountModule } from "./modules/account.ts";
import { adminModule } from "./modules/admin.ts";
import { auditModule } from "./modules/audit.ts";
import { catalogModule } from "./modules/catalog.ts";
import { clientUpgradesModule } from "./modules/client-upgrades.ts";
import { executorsModule } from "./modules/executors.ts";
import { historyModule } from "./modules/history.ts";
import { keysModule } from "./modules/keys.ts";
import { membersModule } from "./modules/members.ts";
import { nodeEndpointsModule } from "./modules/node-endpoints.ts";
import { nodesModule } from "./modules/nodes.ts";
import { notificationsModule } from "./modules/notifications.ts";
import { organizationsModule } from "./modules/organizations.ts";
import { releasesModule } from "./modules/releases.ts";
import { coreModule } from "./resolvers.ts";
import { subscriptionsModule } from "./subscriptions.ts";

export interface GraphQLModule {
  typeDefs: string;
  // biome-ignore lint/suspicious/noExplicitAny: resolver maps are shaped by the SDL, checked at startup
  resolvers: (s: ControlPlaneServices) => Record<string, any>;
}

export const GRAPHQL_MODULES: GraphQLModule[] = [
  coreModule,
  // Tenancy.
  organizationsModule,
  membersModule,
  accountModule,
  keysModule,
  executorsModule,
  auditModule,
  subscriptionsModule,
  nodeEndpointsModule,
  adminModule,
  nodesModule,
  clientUpgradesModule,
  notificationsModule,
  historyModule,
  catalogModule,
  releasesModule,
];
