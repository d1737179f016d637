// The page for an address the app does not know (a typo, an old bookmark): it says so and offers the way back,
// instead of an empty screen. The control plane answers such an address with status 404 (ui/serve.ts).
import { Link, useLocation } from "@tanstack/react-router";

export function NotFoundScreen() {
  const { pathname } = useLocation();
  return (
    <main className="sign-in">
      <h1>Page not found</h1>
      <p className="muted">
        There is no page at <code>{pathname}</code>.
      </p>
      <p>
        <Link to="/nodes" search={{}}>
          Go to Nodes
        </Link>
      </p>
    </main>
  );
}
