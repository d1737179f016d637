// Sign-in, sign-out and the current session, through better-auth's own endpoints (/api/auth/*). The
// session lives in an HttpOnly cookie the page never reads.
import { signInFailureMessage } from "../sign-in-message.ts";

export interface Session {
  user: { id: string; email: string; name: string };
}

/** The signed-in session, or null. get-session answers 200 with null when signed out (no error logged). */
export async function fetchSession(): Promise<Session | null> {
  const response = await fetch("/api/auth/get-session", { credentials: "same-origin" });
  if (!response.ok) return null;
  const body = (await response.json().catch(() => null)) as Session | null;
  return body?.user ? body : null;
}

/** null when signed in; otherwise the message to show (wrong password, refused origin, too many tries). */
export async function signIn(email: string, password: string): Promise<string | null> {
  const response = await fetch("/api/auth/sign-in/email", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (response.ok) return null;
  const reason = (await response.json().catch(() => null)) as { code?: string; message?: string } | null;
  return signInFailureMessage(response.status, reason);
}

export async function signOut(): Promise<void> {
  await fetch("/api/auth/sign-out", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
}
