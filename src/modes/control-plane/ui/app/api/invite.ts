// What the invitation accept page needs before anyone is signed in: the invitation behind a link
// (POST /api/v1/invitations/preview, invitations/routes.ts) and account creation for the invitee
// (better-auth's sign-up, which the control plane admits for an email with a pending invitation).

export type InvitationPreview =
  | { status: "invalid" }
  | {
      status: "pending" | "expired";
      organizationName: string;
      organizationActive: boolean;
      inviterName: string;
      email: string;
      role: string;
      expiresAt: string;
    };

export async function previewInvitation(token: string): Promise<InvitationPreview> {
  const response = await fetch("/api/v1/invitations/preview", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });
  if (!response.ok)
    throw new Error(`the control plane answered HTTP ${response.status}; reload to try again`);
  return (await response.json()) as InvitationPreview;
}

/** null when the account exists and is signed in; otherwise what to fix. */
export async function signUp(name: string, email: string, password: string): Promise<string | null> {
  const response = await fetch("/api/auth/sign-up/email", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, email, password }),
  });
  if (response.ok) return null;
  const body = (await response.json().catch(() => null)) as { code?: string; message?: string } | null;
  const code = body?.code ?? "";
  if (/ALREADY_EXISTS/.test(code))
    return "An account with this email already exists: sign in with it instead.";
  if (/PASSWORD_TOO_SHORT/.test(code)) return "Password: use at least 8 characters.";
  if (/PASSWORD_TOO_LONG/.test(code)) return "Password: use at most 256 characters.";
  return `Creating the account failed (HTTP ${response.status}): ${body?.message ?? "no reason given"}.`;
}
