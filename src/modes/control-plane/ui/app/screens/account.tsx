// Account (reference §6.12): Profile (display name; the email is read-only), Change password (current +
// new, at least 8 characters; the other sessions end), Active sessions and My recent activity
// (account-sessions.tsx). Any signed-in person, whatever their role.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { describeError, request } from "../api/graphql.ts";
import { viewerQuery } from "../api/queries.ts";
import { CHANGE_PASSWORD, UPDATE_PROFILE } from "../api/tenancy.ts";
import { ErrorNote } from "../components/ui.tsx";
import { RecentActivity, Sessions } from "./account-sessions.tsx";

export const MIN_PASSWORD = 8;

/** What is wrong with a password change, named by field, or null. */
export function passwordProblem(current: string, next: string, repeat: string): string | null {
  if (current === "") return "Current password: enter it to confirm it is you.";
  if (next.length < MIN_PASSWORD) return `New password: use at least ${MIN_PASSWORD} characters.`;
  if (next.length > 256) return "New password: use at most 256 characters.";
  if (next !== repeat) return "Repeat new password: it does not match the new password.";
  return null;
}

export function AccountScreen() {
  const me = useQuery(viewerQuery).data?.me;
  return (
    <section aria-labelledby="account-title">
      <header className="page-header">
        <h1 id="account-title">Account</h1>
      </header>
      <div className="account-grid">
        {me ? <Profile key={me.id} name={me.name} email={me.email} /> : null}
        <ChangePassword />
      </div>
      <Sessions />
      <RecentActivity />
    </section>
  );
}

function Profile({ name: initial, email }: { name: string; email: string }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(initial);
  const [problem, setProblem] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () => request(UPDATE_PROFILE, { name: name.trim() }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["viewer"] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = name.trim() === "" || name.length > 64 ? "Name: use 1 to 64 characters." : null;
    setProblem(found);
    if (!found) save.mutate();
  };
  return (
    <form onSubmit={submit} className="settings-form" aria-labelledby="profile-title" noValidate>
      <h2 id="profile-title">Profile</h2>
      <label>
        Display name
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={64} autoComplete="name" />
      </label>
      <label>
        Email
        <input value={email} readOnly aria-describedby="email-hint" />
      </label>
      <p id="email-hint" className="muted">
        Contact an administrator to change your email.
      </p>
      <div className="form-buttons">
        <button type="submit" className="primary" disabled={save.isPending}>
          Save profile
        </button>
        {save.isSuccess ? <span role="status">Saved.</span> : null}
      </div>
      <ErrorNote error={problem ?? (save.error ? describeError(save.error) : null)} />
    </form>
  );
}

function ChangePassword() {
  const queryClient = useQueryClient();
  const [problem, setProblem] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: (input: { currentPassword: string; newPassword: string }) =>
      request(CHANGE_PASSWORD, { input }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["sessions"] });
      void queryClient.invalidateQueries({ queryKey: ["audit"] });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const current = String(form.get("current"));
    const next = String(form.get("next"));
    const found = passwordProblem(current, next, String(form.get("repeat")));
    setProblem(found);
    change.reset();
    if (!found)
      change.mutate(
        { currentPassword: current, newPassword: next },
        { onSuccess: () => formElement.reset() },
      );
  };
  const ended = change.data?.changePassword;
  return (
    <form onSubmit={submit} className="settings-form" aria-labelledby="password-title" noValidate>
      <h2 id="password-title">Change password</h2>
      <label>
        Current password
        <input name="current" type="password" autoComplete="current-password" />
      </label>
      <label>
        New password
        <input
          name="next"
          type="password"
          autoComplete="new-password"
          minLength={MIN_PASSWORD}
          aria-describedby="new-password-hint"
        />
      </label>
      <p id="new-password-hint" className="muted">
        At least {MIN_PASSWORD} characters. Your other sessions end; this one stays signed in.
      </p>
      <label>
        Repeat new password
        <input name="repeat" type="password" autoComplete="new-password" />
      </label>
      <div className="form-buttons">
        <button type="submit" className="primary" disabled={change.isPending}>
          Change password
        </button>
        {ended !== undefined ? (
          <span role="status">
            Password changed. {ended === 1 ? "1 other session ended." : `${ended} other sessions ended.`}
          </span>
        ) : null}
      </div>
      <ErrorNote error={problem ?? (change.error ? describeError(change.error) : null)} />
    </form>
  );
}
