// Sign-in: email and password to better-auth; a refusal says why (wrong password, an address the control
// plane does not accept, too many attempts), each with its own fix (sign-in-message.ts).
import { useQueryClient } from "@tanstack/react-query";
import { useRouter, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { signIn } from "../api/auth.ts";
import { sessionQuery } from "../api/queries.ts";
import { ErrorNote } from "../components/ui.tsx";

export function SignInScreen() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const { next } = useSearch({ from: "/sign-in" });
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setFailure(null);
    try {
      const refused = await signIn(String(form.get("email")), String(form.get("password")));
      if (refused) {
        setFailure(refused);
        return;
      }
      queryClient.clear();
      await queryClient.fetchQuery(sessionQuery);
      router.history.push(next ?? "/nodes");
    } catch (error) {
      setFailure(`Sign-in failed: the control plane did not answer (${String(error)}).`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <h1>Novacula</h1>
      <p className="muted">Sign in to manage your executors and nodes.</p>
      <form onSubmit={submit}>
        <label>
          Email
          <input name="email" type="email" autoComplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <ErrorNote error={failure} />
    </main>
  );
}
