// The signed-in frame: organization header, the sidebar of reference §7 (screens not built yet are listed
// but not links), the signed-in person with Sign out, and the current screen.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useRouter } from "@tanstack/react-router";
import { signOut } from "../api/auth.ts";
import { viewerQuery } from "../api/queries.ts";
import { Bell } from "../components/bell.tsx";

const LATER = ["API keys", "Members", "Organization", "Audit log"];

export function Shell() {
  const viewer = useQuery(viewerQuery).data;
  const router = useRouter();
  const queryClient = useQueryClient();
  const leave = async () => {
    await signOut();
    queryClient.clear();
    router.history.push("/sign-in");
  };
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="org">
          <span className="org-logo" aria-hidden="true">
            {(viewer?.organization?.name ?? "N").slice(0, 1).toUpperCase()}
          </span>
          <span className="org-name">{viewer?.organization?.name ?? "No organization"}</span>
        </div>
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
              <Link to="/settings/notifications" activeProps={{ "aria-current": "page" }}>
                Settings
              </Link>
            </li>
            {LATER.map((name) => (
              <li key={name}>
                <span className="nav-later" title="Not in this build yet">
                  {name}
                  <span className="sr-only"> (not in this build yet)</span>
                </span>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          <span className="muted">
            {viewer?.me?.email}
            {viewer?.me?.role ? ` · ${viewer.me.role}` : ""}
          </span>
          <button type="button" onClick={leave}>
            Sign out
          </button>
        </div>
      </aside>
      <main className="content" style={{ position: "relative" }}>
        <Bell />
        <Outlet />
      </main>
    </div>
  );
}
