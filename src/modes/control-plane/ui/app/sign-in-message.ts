// GET /: a minimal page until the web UI lands: sign in (sets the session cookie through better-auth),
// then POST GraphQL with that session. Static HTML; no secrets are ever embedded in it. A failed sign-in
// shows its real reason (see signInFailureMessage), not a guess at the password.
import { NOVACULA_VERSION } from "../../../protocol/index.ts";

/**
 * What the page shows for a refused sign-in, from the status and better-auth's `{ code, message }` body.
 * Self-contained on purpose: its source is embedded in the page as it is, and tests call it directly.
 */
export function signInFailureMessage(
  status: number,
  body: { code?: string; message?: string } | null,
): string {
  const code = body?.code ?? "";
  if (status === 403 && /ORIGIN/.test(code)) {
    return `Sign-in refused: this control plane does not accept sign-ins from the address this page was opened at (${code}). Open it at its public URL, or have the administrator set BETTER_AUTH_URL to the address you use.`;
  }
  if (status === 401) return "Sign-in failed: wrong email or password.";
  if (status === 429) return `Too many attempts: ${body?.message ?? "wait a little and try again"}.`;
  return `Sign-in failed (HTTP ${status}): ${body?.message ?? "no reason given"}.`;
}

export function landingPage(): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Novacula</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 34rem; margin: 4rem auto; padding: 0 1rem; color: #1d2433; }
  h1 { font-size: 1.4rem; } label { display: block; margin-top: .8rem; }
  input { width: 100%; padding: .45rem; font: inherit; box-sizing: border-box; }
  button { margin-top: 1rem; padding: .5rem 1.2rem; font: inherit; }
  #status { margin-top: 1rem; min-height: 1.5rem; } .muted { color: #667; font-size: .9rem; }
</style></head>
<body>
<h1>Novacula control plane <span class="muted">${NOVACULA_VERSION}</span></h1>
<p class="muted">The web UI is not part of this build yet. Sign in, then use the GraphQL API at /graphql.</p>
<form id="signin">
  <label>Email <input name="email" type="email" autocomplete="username" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>
<p id="status" role="status"></p>
<script>
  const signInFailureMessage = ${signInFailureMessage.toString()};
  const form = document.getElementById("signin"), status = document.getElementById("status");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "Signing in…";
    const body = JSON.stringify({ email: form.email.value, password: form.password.value });
    const response = await fetch("/api/auth/sign-in/email", { method: "POST", headers: { "content-type": "application/json" }, body });
    if (!response.ok) {
      const reason = await response.json().catch(() => null);
      status.textContent = signInFailureMessage(response.status, reason);
      return;
    }
    status.textContent = "Signed in. POST GraphQL queries to /graphql with this session, e.g. { nodes { name phase observed } }.";
  });
</script>
</body></html>`;
  return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
}
