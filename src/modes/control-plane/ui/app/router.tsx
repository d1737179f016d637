// The routes (the control plane answers each with index.html: ui/serve.ts UI_ROUTES; any other address a
// browser opens gets it with status 404, and the not-found screen). Everything but /sign-in, /invite/<token>
// and that screen needs a session; search parameters (the nodes and audit filters) live in the
// URL, so a filtered list can be bookmarked and shared.
import { createRootRoute, createRoute, createRouter, Outlet, redirect } from "@tanstack/react-router";
import { queryClient, sessionQuery, viewerQuery } from "./api/queries.ts";
import { AccountScreen } from "./screens/account.tsx";
import { AdminScreen } from "./screens/admin.tsx";
import { AuditScreen } from "./screens/audit.tsx";
import { parseAuditSearch } from "./screens/audit-filters.ts";
import { DeployNodeScreen } from "./screens/deploy-node.tsx";
import { EventsScreen, parseEventsSearch } from "./screens/events.tsx";
import { ExecutorDetailScreen } from "./screens/executor-detail.tsx";
import { ExecutorsScreen } from "./screens/executors.tsx";
import { InviteScreen } from "./screens/invite.tsx";
import { KeysScreen } from "./screens/keys.tsx";
import { MembersScreen } from "./screens/members.tsx";
import { NodeDetailScreen } from "./screens/node-detail.tsx";
import { NodesScreen, parseNodesSearch } from "./screens/nodes-list.tsx";
import { NotFoundScreen } from "./screens/not-found.tsx";
import { NotificationSettingsScreen } from "./screens/notifications.tsx";
import { IncidentsScreen, parseIncidentsSearch } from "./screens/notifications-incidents.tsx";
import { OrganizationScreen } from "./screens/organization.tsx";
import { Shell } from "./screens/shell.tsx";
import { SignInScreen } from "./screens/sign-in.tsx";

const rootRoute = createRootRoute({ component: Outlet });

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/sign-in",
  validateSearch: (search: Record<string, unknown>): { next?: string } =>
    typeof search.next === "string" && search.next.startsWith("/") ? { next: search.next } : {},
  component: SignInScreen,
});

const shellRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "signed-in",
  beforeLoad: async ({ location }) => {
    const session = await queryClient.ensureQueryData(sessionQuery);
    if (!session) throw redirect({ to: "/sign-in", search: { next: location.href } });
  },
  component: Shell,
});

const indexRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/",
  beforeLoad: () => {
    throw redirect({ to: "/nodes", search: {} });
  },
});

const nodesRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/nodes",
  validateSearch: parseNodesSearch,
  component: NodesScreen,
});

const deployRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/nodes/deploy",
  component: DeployNodeScreen,
});

const nodeRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/nodes/$nodeId",
  component: NodeDetailScreen,
});

const executorsRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/executors",
  component: ExecutorsScreen,
});

const executorRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/executors/$executorId",
  component: ExecutorDetailScreen,
});

const eventsRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/events",
  validateSearch: parseEventsSearch,
  component: EventsScreen,
});

/** System administrators only: anyone else lands on Nodes (the API would show them nothing anyway). */
const adminRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/admin",
  beforeLoad: async () => {
    const viewer = await queryClient.ensureQueryData(viewerQuery);
    if (!viewer.me?.systemAdmin) throw redirect({ to: "/nodes", search: {} });
  },
  component: AdminScreen,
});

/** The invitation accept page: open without a session (the invitee may have no account yet). */
const inviteRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/invite/$token",
  component: InviteScreen,
});

/** The organization's people, keys, settings and audit, and the person's own account. */
const tenancyRoutes = [
  createRoute({ getParentRoute: () => shellRoute, path: "/keys", component: KeysScreen }),
  createRoute({ getParentRoute: () => shellRoute, path: "/members", component: MembersScreen }),
  createRoute({ getParentRoute: () => shellRoute, path: "/organization", component: OrganizationScreen }),
  createRoute({ getParentRoute: () => shellRoute, path: "/account", component: AccountScreen }),
  createRoute({
    getParentRoute: () => shellRoute,
    path: "/audit",
    validateSearch: parseAuditSearch,
    component: AuditScreen,
  }),
] as const;

/** The sidebar's Settings: its one page today is Notifications. */
const settingsRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/settings",
  beforeLoad: () => {
    throw redirect({ to: "/settings/notifications" });
  },
});

const notificationsRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/settings/notifications",
  component: NotificationSettingsScreen,
});

const incidentsRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/incidents",
  validateSearch: parseIncidentsSearch,
  component: IncidentsScreen,
});

const routeTree = rootRoute.addChildren([
  signInRoute,
  inviteRoute,
  shellRoute.addChildren([
    indexRoute,
    nodesRoute,
    deployRoute,
    nodeRoute,
    executorsRoute,
    executorRoute,
    eventsRoute,
    adminRoute,
    ...tenancyRoutes,
    settingsRoute,
    notificationsRoute,
    incidentsRoute,
  ]),
]);

export const router = createRouter({
  routeTree,
  defaultPreload: false,
  defaultNotFoundComponent: NotFoundScreen,
});

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
