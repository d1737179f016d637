// What the sign-in screen shows for a refused sign-in. A person must be able to tell a wrong password from
// an address the control plane does not accept (BETTER_AUTH_URL) and from too many attempts: each has a
// different fix. Pure, so the server tests call it with real better-auth answers.

/**
 * The message for a refused sign-in, from the HTTP status and better-auth's `{ code, message }` body.
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
