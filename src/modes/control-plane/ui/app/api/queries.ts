// The query cache and the queries several screens share. Nodes, executors and events do not poll: the live
// layer (api/live.ts) writes every change the server streams into this cache, and refetches what is shown
// after a reconnection. What that stream does not carry (keys' last use, invitations, webhook deliveries)
// is polled every UNSTREAMED_POLL_MS by the screens that show it.
import { QueryCache, QueryClient, queryOptions, useQuery } from "@tanstack/react-query";
import { fetchSession } from "./auth.ts";
import { EXECUTORS, VIEWER } from "./documents.ts";
import { ApiError, request } from "./graphql.ts";

/** Data that changes without a stream event (keys' "last used", invitations, webhook attempts): ~5 s. */
export const UNSTREAMED_POLL_MS = 5_000;

export const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: true, staleTime: 1000 } },
  queryCache: new QueryCache({
    // The session ended (expired, revoked, signed out elsewhere): back to the sign-in screen.
    onError: (error) => {
      if (error instanceof ApiError && error.code === "unauthenticated") {
        window.location.assign(`/sign-in?next=${encodeURIComponent(window.location.pathname)}`);
      }
    },
  }),
});

export const sessionQuery = queryOptions({ queryKey: ["session"], queryFn: fetchSession, staleTime: 30_000 });
export const viewerQuery = queryOptions({ queryKey: ["viewer"], queryFn: () => request(VIEWER) });
export const executorsQuery = queryOptions({
  queryKey: ["executors"],
  queryFn: () => request(EXECUTORS),
});

/** Whether the signed-in person may change things here (owner or admin, or a system admin). */
export function useCanManage(): boolean {
  const me = useQuery(viewerQuery).data?.me;
  return !!me && (me.systemAdmin || me.role === "owner" || me.role === "admin");
}
