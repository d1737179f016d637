// The routes (the control plane answers each with index.html: ui/serve.ts UI_ROUTES). Everything but
// /sign-in needs a session; search parameters (the nodes filters) live in the URL, so a filtered list can
// be bookmarked and shared.
import { createRootRoute, createRoute, createRouter, Outlet, redirect } from "@tanstack/react-router";
import { queryClient, sessionQuery } from "./api/queries.ts";
import { DeployNodeScreen } from "./screens/deploy-node.tsx";
import { ExecutorsScreen } from "./screens/executors.tsx";
import { NodeDetailScreen } from "./screens/node-detail.tsx";
import { NodesScreen, parseNodesSearch } from "./screens/nodes-list.tsx";
import { NotificationSettingsScreen } from "./screens/notifications.tsx";
import { IncidentsScreen, parseIncidentsSearch } from "./screens/notifications-incidents.tsx";
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
  shellRoute.addChildren([
    indexRoute,
    nodesRoute,
    deployRoute,
    nodeRoute,
    executorsRoute,
    notificationsRoute,
    incidentsRoute,
  ]),
]);

export const router = createRouter({ routeTree, defaultPreload: false });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
