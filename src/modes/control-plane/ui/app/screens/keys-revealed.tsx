// The one-time dialog after a key or token is created or rotated (reference §3.2): the plaintext, shown
// only now, with what to do with it. An executor key goes into the executor's configuration; a personal
// access token goes into an `Authorization: Bearer` header on /graphql, shown as a request to copy.
import type { CreatedKey } from "../api/tenancy.ts";
import { CopyField, OneTimeSecretDialog } from "../components/ui.tsx";

/** A request that proves a token works: it answers who the token acts as. */
export function exampleRequest(origin: string, token: string): string {
  return [
    `curl -sS ${origin}/graphql \\`,
    `  -H "Authorization: Bearer ${token}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"query":"{ me { email role } }"}'`,
  ].join("\n");
}

export function RevealedKeyDialog({ created, onDone }: { created: CreatedKey | null; onDone: () => void }) {
  const personal = created?.apiKey.purpose === "personal";
  return (
    <OneTimeSecretDialog
      secret={created?.key ?? null}
      title={personal ? "Store this token now" : "Store this key now"}
      label={personal ? "Token" : "Key"}
      done={personal ? "I've stored this token" : undefined}
      onDone={onDone}
    >
      {personal && created ? (
        <>
          <p>
            Token <strong>{created.apiKey.name}</strong> is ready. Send it with every request to{" "}
            <code>{window.location.origin}/graphql</code> as the header{" "}
            <code>Authorization: Bearer {created.apiKey.start}…</code>; it acts as you, with your role in this
            organization. It cannot create tokens, change your password or end your sessions.
          </p>
          <CopyField
            label="Example request"
            value={exampleRequest(window.location.origin, created.key)}
            multiline
          />
        </>
      ) : (
        <p>
          Key <strong>{created?.apiKey.name}</strong> is ready. Put it in the executor's configuration (
          <code>access_token</code> in /etc/novacula/agent.toml, or the operator's Secret) and restart the
          executor.
        </p>
      )}
    </OneTimeSecretDialog>
  );
}
