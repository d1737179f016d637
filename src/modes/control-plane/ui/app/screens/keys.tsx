// API keys (reference §3.2, §6.11): executor keys with name + key ID, status, Used by, created, expiry and
// Last used; owners and admins create, rotate (the old key keeps working through the grace window),
// disable/enable, revoke and delete revoked keys. Personal access tokens are listed below them. A member
// sees the lists and no action.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { describeError, request } from "../api/graphql.ts";
import { UNSTREAMED_POLL_MS, useCanManage } from "../api/queries.ts";
import {
  API_KEYS,
  type ApiKeyRow,
  type CreatedKey,
  KEY_ACTIONS,
  type KeyAction,
  ROTATE_API_KEY,
} from "../api/tenancy.ts";
import {
  Badge,
  ConfirmDialog,
  EmptyState,
  ErrorNote,
  formatTime,
  OneTimeSecretDialog,
  relativeTime,
} from "../components/ui.tsx";
import { NewKeyDialog } from "./keys-new.tsx";

export const apiKeysQuery = {
  queryKey: ["apiKeys"],
  queryFn: () => request(API_KEYS),
  refetchInterval: UNSTREAMED_POLL_MS,
};

/** What a confirmation says before an action that cannot be undone, or changes what executors can do. */
const CONFIRM: Record<"rotate" | "revoke" | "delete", { title: string; text: string; button: string }> = {
  rotate: {
    title: "Rotate",
    text: "A new key with the same lifetime is created and shown once. This key keeps working for the grace period (24 h by default), then is revoked automatically: install the new key and restart the executor before then.",
    button: "Rotate key",
  },
  revoke: {
    title: "Revoke",
    text: "Executors using this key are refused from their next request. A revoked key cannot be enabled again; the row stays until you delete it.",
    button: "Revoke key",
  },
  delete: {
    title: "Delete",
    text: "The revoked key's row is removed from this list. This cannot be undone.",
    button: "Delete key",
  },
};

export function KeysScreen() {
  const canManage = useCanManage();
  const query = useQuery(apiKeysQuery);
  const [creating, setCreating] = useState(false);
  const [revealed, setRevealed] = useState<CreatedKey | null>(null);
  const keys = query.data?.apiKeys ?? [];
  const executorKeys = keys.filter((k) => k.purpose === "executor");
  const tokens = keys.filter((k) => k.purpose === "personal");
  return (
    <section aria-labelledby="keys-title">
      <header className="page-header">
        <h1 id="keys-title">API keys</h1>
        {canManage ? (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New key
          </button>
        ) : null}
      </header>
      <p className="muted">
        Executor keys (exc_…) let an agent or operator sync with this organization. Rotate a key to replace it
        without downtime.
      </p>
      <ErrorNote error={query.error ? describeError(query.error) : null} />
      {query.isSuccess && executorKeys.length === 0 ? (
        <EmptyState>
          {canManage ? (
            <>No executor keys yet — New key, or Connect executor on the Executors screen.</>
          ) : (
            <>No executor keys yet — an owner or admin of this organization creates them.</>
          )}
        </EmptyState>
      ) : null}
      {executorKeys.length > 0 ? (
        <KeyTable
          caption="Executor keys"
          keys={executorKeys}
          canManage={canManage}
          onRevealed={setRevealed}
        />
      ) : null}
      {tokens.length > 0 ? (
        <>
          <h2>Personal access tokens</h2>
          <KeyTable
            caption="Personal access tokens"
            keys={tokens}
            canManage={false}
            onRevealed={setRevealed}
          />
        </>
      ) : null}
      <NewKeyDialog open={creating} onClose={() => setCreating(false)} onCreated={setRevealed} />
      <OneTimeSecretDialog
        secret={revealed?.key ?? null}
        title="Store this key now"
        label="Key"
        onDone={() => setRevealed(null)}
      >
        <p>
          Key <strong>{revealed?.apiKey.name}</strong> is ready. Put it in the executor's configuration (
          <code>access_token</code> in /etc/novacula/agent.toml, or the operator's Secret) and restart the
          executor.
        </p>
      </OneTimeSecretDialog>
    </section>
  );
}

function KeyTable(props: {
  caption: string;
  keys: ApiKeyRow[];
  canManage: boolean;
  onRevealed: (created: CreatedKey) => void;
}) {
  return (
    <div className="table-scroll">
      <table>
        <caption className="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Used by</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            {props.canManage ? <th scope="col">Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {props.keys.map((key) => (
            <tr key={key.id}>
              <td>
                {key.name}
                <br />
                <code className="muted">{key.start}…</code>
              </td>
              <td>
                <Badge value={key.status} />
                {key.graceEndsAt && key.status !== "revoked" ? (
                  <span className="note"> rotated: works until {formatTime(key.graceEndsAt)}</span>
                ) : null}
              </td>
              <td>{key.usedBy.length > 0 ? key.usedBy.map((u) => u.executorName).join(", ") : "—"}</td>
              <td>{formatTime(key.createdAt)}</td>
              <td>{key.expiresAt ? formatTime(key.expiresAt) : "no expiry"}</td>
              <td title={key.lastUsedAt ? formatTime(key.lastUsedAt) : undefined}>
                {relativeTime(key.lastUsedAt)}
              </td>
              {props.canManage ? (
                <td>
                  <KeyActions apiKey={key} onRevealed={props.onRevealed} />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The actions a key's status allows (reference §3.2): rotate/disable/revoke, enable, delete once revoked. */
function actionsFor(key: ApiKeyRow): ("rotate" | KeyAction)[] {
  switch (key.status) {
    case "active":
      return key.graceEndsAt ? ["disable", "revoke"] : ["rotate", "disable", "revoke"];
    case "disabled":
      return ["enable", "revoke"];
    case "expired":
      return ["revoke"];
    case "revoked":
      return ["delete"];
  }
}

const LABEL: Record<"rotate" | KeyAction, string> = {
  rotate: "Rotate",
  disable: "Disable",
  enable: "Enable",
  revoke: "Revoke",
  delete: "Delete",
};

function KeyActions({ apiKey, onRevealed }: { apiKey: ApiKeyRow; onRevealed: (c: CreatedKey) => void }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState<"rotate" | "revoke" | "delete" | null>(null);
  const act = useMutation({
    mutationFn: async (action: "rotate" | KeyAction) => {
      if (action === "rotate") onRevealed((await request(ROTATE_API_KEY, { id: apiKey.id })).rotateApiKey);
      else await request(KEY_ACTIONS[action], { id: apiKey.id });
    },
    onSuccess: () => {
      setConfirming(null);
      void queryClient.invalidateQueries({ queryKey: ["apiKeys"] });
    },
  });
  const run = (action: "rotate" | KeyAction) =>
    action === "disable" || action === "enable" ? act.mutate(action) : setConfirming(action);
  const confirm = confirming ? CONFIRM[confirming] : null;
  return (
    <div className="row-actions">
      {actionsFor(apiKey).map((action) => (
        <button
          key={action}
          type="button"
          className={action === "revoke" || action === "delete" ? "danger" : undefined}
          disabled={act.isPending}
          aria-label={`${LABEL[action]} ${apiKey.name}`}
          onClick={() => run(action)}
        >
          {LABEL[action]}
        </button>
      ))}
      {!confirming ? <ErrorNote error={act.error ? describeError(act.error) : null} /> : null}
      <ConfirmDialog
        open={confirming !== null}
        title={`${confirm?.title ?? ""} ${apiKey.name}?`}
        text={confirm?.text ?? ""}
        button={confirm?.button ?? ""}
        tone={confirming === "rotate" ? "primary" : "danger"}
        busy={act.isPending}
        error={act.error ? describeError(act.error) : null}
        onConfirm={() => confirming && act.mutate(confirming)}
        onClose={() => {
          setConfirming(null);
          act.reset();
        }}
      />
    </div>
  );
}
