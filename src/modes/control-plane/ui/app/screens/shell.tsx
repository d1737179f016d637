// The signed-in frame: organization header, the sidebar of reference §7 (screens not built yet are listed
// but not links), the signed-in person with Sign out, and the current screen.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useRouter } from "@tanstack/react-router";
import { signOut } from "../api/auth.ts";
import { useLiveUpdates } from "../api/live.ts";
import { viewerQuery } from "../api/queries.ts";
import { Bell } from "../components/bell.tsx";
import { LiveBanner } from "../components/live-banner.tsx";
import { OrganizationSwitcher } from "./organization-switcher.tsx";

/** The organization's screens, after Executors, Nodes and Events (reference §7 sidebar order). */
const TENANCY_LINKS = [
  { to: "/keys", name: "API keys" },
  { to: "/members", name: "Members" },
  { to: "/organization", name: "Organization" },
  { to: "/settings/notifications", name: "Settings" },
] as const;

export function Shell() {
  const viewer = useQuery(viewerQuery).data;
  const router = useRouter();
  const queryClient = useQueryClient();
  useLiveUpdates(queryClient);
  const leave = async () => {
    await signOut();
    queryClient.clear();
    router.history.push("/sign-in");
  };
  return (
    <div className="shell">
      <aside className="sidebar">
        <OrganizationSwitcher />
        <Bell />
        <nav aria-label="Main">
          <ul>
            <li>
              <Link to="/executors" activeProps={{ "aria-current": "page" }}>
                Executors
              </Link>
            </li>
            <li>
              <Link to="/nodes" search={{}} activeProps={{ "aria-current": "page" }}>
                Nodes
              </Link>
            </li>
            <li>
              <Link to="/events" search={{}} activeProps={{ "aria-current": "page" }}>
                Events
              </Link>
            </li>
            {TENANCY_LINKS.map((l) => (
              <li key={l.to}>
                <Link to={l.to} activeProps={{ "aria-current": "page" }}>
                  {l.name}
                </Link>
              </li>
            ))}
            <li>
              <Link to="/audit" search={{}} activeProps={{ "aria-current": "page" }}>
                Audit log
              </Link>
            </li>
            {viewer?.me?.systemAdmin ? (
              <li>
                <Link to="/admin" activeProps={{ "aria-current": "page" }}>
                  Admin console
                </Link>
              </li>
            ) : null}
          </ul>
        </nav>
        <div className="account">
          <span className="muted">
            {viewer?.me?.email}
            {viewer?.me?.role ? ` · ${viewer.me.role}` : ""}
          </span>
          <Link to="/account" activeProps={{ "aria-current": "page" }}>
            Account
          </Link>
          <button type="button" onClick={leave}>
            Sign out
          </button>
        </div>
      </aside>
      <main className="content">
        <LiveBanner />
        <Outlet />
      </main>
    </div>
  );
}
