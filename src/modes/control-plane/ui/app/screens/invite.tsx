// The invitation accept page, /invite/<token> (reference §6.12): the link from the invitation email (or
// the one the inviter copied). It names the organization, the inviter and the role; a signed-out person
// creates an account for the invited email or signs in, then accepts; a signed-in one accepts at once,
// or is told to switch accounts when the invitation is for another email. A link that no longer works
// says why (expired; or used, cancelled or replaced) and what to do.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams, useRouter } from "@tanstack/react-router";
import { type FormEvent, type ReactNode, useState } from "react";
import { signIn, signOut } from "../api/auth.ts";
import { describeError, request } from "../api/graphql.ts";
import { type InvitationPreview, previewInvitation, signUp } from "../api/invite.ts";
import { sessionQuery } from "../api/queries.ts";
import { ACCEPT_INVITATION, SET_ACTIVE_ORGANIZATION } from "../api/tenancy.ts";
import { ErrorNote, formatTime } from "../components/ui.tsx";

type Pending = Exclude<InvitationPreview, { status: "invalid" }>;

export function InviteScreen() {
  const { token } = useParams({ from: "/invite/$token" });
  const preview = useQuery({
    queryKey: ["invitation", token],
    queryFn: () => previewInvitation(token),
    retry: false,
  });
  const session = useQuery(sessionQuery);
  let body: ReactNode = <p role="status">Loading the invitation…</p>;
  if (preview.error) body = <ErrorNote error={describeError(preview.error)} />;
  else if (preview.data && session.isSuccess) body = <InviteBody preview={preview.data} token={token} />;
  return (
    <main className="sign-in invite">
      <h1>Novacula</h1>
      {body}
    </main>
  );
}

function Gone({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div role="alert">
      <h2>{title}</h2>
      <p>{children}</p>
      <p>
        <Link to="/sign-in" search={{}}>
          Go to sign-in
        </Link>
      </p>
    </div>
  );
}

function InviteBody({ preview, token }: { preview: InvitationPreview; token: string }) {
  if (preview.status === "invalid")
    return (
      <Gone title="This invitation link does not work">
        It was already used, cancelled, replaced by a newer link, or copied incompletely. Ask the person who
        invited you to send a new invitation.
      </Gone>
    );
  if (preview.status === "expired")
    return (
      <Gone title="This invitation has expired">
        {preview.inviterName}'s invitation to {preview.organizationName} expired{" "}
        {formatTime(preview.expiresAt)}. Ask them to resend it from Members → Invitations.
      </Gone>
    );
  if (!preview.organizationActive)
    return (
      <Gone title={`${preview.organizationName} is deactivated`}>
        A system administrator has to reactivate it before anyone can join. Contact {preview.inviterName}.
      </Gone>
    );
  return <PendingInvitation preview={preview} token={token} />;
}

function PendingInvitation({ preview, token }: { preview: Pending; token: string }) {
  const session = useQuery(sessionQuery).data;
  const queryClient = useQueryClient();
  const router = useRouter();
  const accept = useMutation({
    mutationFn: async () => {
      const organization = (await request(ACCEPT_INVITATION, { token })).acceptInvitation;
      await request(SET_ACTIVE_ORGANIZATION, { id: organization.id });
    },
    onSuccess: () => {
      queryClient.clear();
      router.history.push("/nodes");
    },
  });
  const signedInAs = session?.user.email ?? null;
  const matches = signedInAs?.toLowerCase() === preview.email.toLowerCase();
  return (
    <div>
      <h2>Join {preview.organizationName}</h2>
      <p>
        <strong>{preview.inviterName}</strong> invited <strong>{preview.email}</strong> to{" "}
        <strong>{preview.organizationName}</strong> as <strong>{preview.role}</strong>. The invitation expires{" "}
        {formatTime(preview.expiresAt)}.
      </p>
      {signedInAs && matches ? (
        <>
          <p className="muted">Signed in as {signedInAs}.</p>
          <button
            type="button"
            className="primary"
            disabled={accept.isPending}
            onClick={() => accept.mutate()}
          >
            Accept invitation
          </button>
        </>
      ) : signedInAs ? (
        <SwitchAccount signedInAs={signedInAs} invited={preview.email} />
      ) : (
        <SignedOut preview={preview} onSignedIn={() => accept.mutate()} busy={accept.isPending} />
      )}
      <ErrorNote error={accept.error ? describeError(accept.error) : null} />
    </div>
  );
}

function SwitchAccount({ signedInAs, invited }: { signedInAs: string; invited: string }) {
  const queryClient = useQueryClient();
  const leave = async () => {
    await signOut();
    // Forget the other account's answers, keep this page's invitation, and learn that nobody is signed in.
    queryClient.removeQueries({
      predicate: (q) => q.queryKey[0] !== "invitation" && q.queryKey[0] !== "session",
    });
    await queryClient.refetchQueries({ queryKey: sessionQuery.queryKey });
  };
  return (
    <div role="alert">
      <p>
        You are signed in as {signedInAs}, but this invitation is for {invited}. Sign out, then sign in or
        create an account as {invited}.
      </p>
      <button type="button" onClick={leave}>
        Sign out of {signedInAs}
      </button>
    </div>
  );
}

/** Create an account for the invited email, or sign in to an existing one; either way, then accept. */
function SignedOut({
  preview,
  onSignedIn,
  busy,
}: {
  preview: Pending;
  onSignedIn: () => void;
  busy: boolean;
}) {
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<"create" | "sign-in">("create");
  const [failure, setFailure] = useState<string | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get("password"));
    setFailure(null);
    let refused: string | null;
    if (mode === "create") {
      if (password.length < 8) return setFailure("Password: use at least 8 characters.");
      if (password !== String(form.get("confirm")))
        return setFailure("Repeat password: it does not match the password.");
      refused = await signUp(String(form.get("name")).trim(), preview.email, password);
    } else {
      refused = await signIn(preview.email, password);
    }
    if (refused) return setFailure(refused);
    await queryClient.fetchQuery(sessionQuery);
    onSignedIn();
  };
  return (
    <form onSubmit={submit}>
      <fieldset className="choice">
        <legend>Do you have a Novacula account for {preview.email}?</legend>
        <label>
          <input type="radio" name="mode" checked={mode === "create"} onChange={() => setMode("create")} />{" "}
          No, create one
        </label>
        <label>
          <input type="radio" name="mode" checked={mode === "sign-in"} onChange={() => setMode("sign-in")} />{" "}
          Yes, sign in
        </label>
      </fieldset>
      <label>
        Email
        <input name="email" type="email" value={preview.email} readOnly autoComplete="username" />
      </label>
      {mode === "create" ? (
        <label>
          Your name
          <input name="name" required maxLength={64} autoComplete="name" />
        </label>
      ) : null}
      <label>
        Password
        <input
          name="password"
          type="password"
          required
          autoComplete={mode === "create" ? "new-password" : "current-password"}
        />
      </label>
      {mode === "create" ? (
        <label>
          Repeat password
          <input name="confirm" type="password" required autoComplete="new-password" />
        </label>
      ) : null}
      <ErrorNote error={failure} />
      <button type="submit" className="primary" disabled={busy}>
        {mode === "create" ? "Create account and accept" : "Sign in and accept"}
      </button>
    </form>
  );
}
