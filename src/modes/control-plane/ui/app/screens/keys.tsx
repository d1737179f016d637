// API keys (reference §3.2, §6.11): executor keys with name + key ID, status, Used by, created, expiry and
// Last used; owners and admins create, rotate (the old key keeps working through the grace window),
// disable/enable, revoke and delete revoked keys. Personal access tokens below them: every member of the
// organization creates their own (Create token) to script the GraphQL API, rotates it, and disables, revokes
// and deletes it; owners and admins may also cut off anyone's. What each person may do is decided by the
// server's own policy (graphql/authz.ts), so an action shows exactly when the server would accept it.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import type { OrgRole } from "../../../auth/caller.ts";
import { ANY_ROLE, MANAGE, policy } from "../../../graphql/authz.ts";
import { describeError, request } from "../api/graphql.ts";
import { UNSTREAMED_POLL_MS, viewerQuery } from "../api/queries.ts";
import {
  API_KEYS,
  type ApiKeyRow,
  type CreatedKey,
  KEY_ACTIONS,
  type KeyAction,
  ROTATE_API_KEY,
} from "../api/tenancy.ts";
import { Badge, ConfirmDialog, EmptyState, ErrorNote, formatTime, relativeTime } from "../components/ui.tsx";
import { type KeyPurpose, NewKeyDialog } from "./keys-new.tsx";
import { RevealedKeyDialog } from "./keys-revealed.tsx";

export const apiKeysQuery = {
  queryKey: ["apiKeys"],
  queryFn: () => request(API_KEYS),
  refetchInterval: UNSTREAMED_POLL_MS,
};

type Confirmed = "rotate" | "revoke" | "delete";
/** What a confirmation says before an action that cannot be undone, or changes what executors can do. */
const CONFIRM: Record<KeyPurpose, Record<Confirmed, { title: string; text: string; button: string }>> = {
  executor: {
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
  },
  personal: {
    rotate: {
      title: "Rotate",
      text: "A new token with the same lifetime is created and shown once. This token keeps working for the grace period (24 h by default), then is revoked automatically: put the new token in your scripts before then.",
      button: "Rotate token",
    },
    revoke: {
      title: "Revoke",
      text: "Requests with this token are refused from now on. A revoked token cannot be enabled again; the row stays until you delete it.",
      button: "Revoke token",
    },
    delete: {
      title: "Delete",
      text: "The revoked token's row is removed from this list. This cannot be undone.",
      button: "Delete token",
    },
  },
};

/** What the signed-in person may do with a key, as the server's policy decides (signed in: a session). */
interface KeyRights {
  manage: (key: ApiKeyRow) => boolean;
  rotate: (key: ApiKeyRow) => boolean;
}

export function KeysScreen() {
  const viewer = useQuery(viewerQuery).data;
  const me = viewer?.me ?? null;
  // The server's guard: a mutation needs the active organization (the organization query answers null
  // otherwise) and one of the rule's roles, or a system admin. createApiKey takes MANAGE;
  // createPersonalAccessToken takes ANY_ROLE (and a session, which the UI always has).
  const inOrg = !!me && !!viewer?.organization;
  const hasRole = (roles: readonly OrgRole[]) =>
    inOrg && !!me && (me.systemAdmin || (me.role !== null && roles.includes(me.role)));
  const canManage = hasRole(MANAGE);
  const canCreateToken = hasRole(ANY_ROLE);
  const subject = me ? { userId: me.id, role: me.role, systemAdmin: me.systemAdmin } : null;
  const rights: KeyRights = {
    manage: (key) => inOrg && !!subject && policy.manageKey(subject, key),
    rotate: (key) => inOrg && !!subject && policy.rotateKey(subject, key, "session"),
  };
  const query = useQuery(apiKeysQuery);
  const [creating, setCreating] = useState<KeyPurpose | null>(null);
  const [revealed, setRevealed] = useState<CreatedKey | null>(null);
  const keys = query.data?.apiKeys ?? [];
  const executorKeys = keys.filter((k) => k.purpose === "executor");
  const tokens = keys.filter((k) => k.purpose === "personal");
  const loaded = query.isSuccess;
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      <ErrorNote error={query.error ? describeError(query.error) : null} />
      <KeySection
        title="Executor keys"
        create={canManage ? { label: "New key", onClick: () => setCreating("executor") } : null}
        intro="Executor keys (exc_…) let an agent or operator sync with this organization. Rotate a key to replace it without downtime."
        empty={
          canManage
            ? "No executor keys yet — New key, or Connect executor on the Executors screen."
            : "No executor keys yet — an owner or admin of this organization creates them."
        }
        keys={loaded ? executorKeys : null}
        rights={rights}
        onRevealed={setRevealed}
      />
      <KeySection
        title="Personal access tokens"
        create={canCreateToken ? { label: "Create token", onClick: () => setCreating("personal") } : null}
        intro="A personal access token (nvp_…) lets a script call the GraphQL API as you, with your role in this organization."
        empty={
          canCreateToken
            ? "No personal access tokens yet — Create token to script the API."
            : "No personal access tokens yet."
        }
        keys={loaded ? tokens : null}
        rights={rights}
        onRevealed={setRevealed}
      />
      <NewKeyDialog
        purpose={creating ?? "executor"}
        open={creating !== null}
        onClose={() => setCreating(null)}
        onCreated={setRevealed}
      />
      <RevealedKeyDialog created={revealed} onDone={() => setRevealed(null)} />
    </section>
  );
}

/** One kind of key: its heading with the create action (when allowed), what it is for, and its list. */
function KeySection(props: {
  title: string;
  create: { label: string; onClick: () => void } | null;
  intro: string;
  empty: string;
  /** null until loaded: no empty state while loading. */
  keys: ApiKeyRow[] | null;
  rights: KeyRights;
  onRevealed: (created: CreatedKey) => void;
}) {
  const id = useId();
  return (
    <section aria-labelledby={id}>
      <div className="section-title">
        <h2 id={id}>{props.title}</h2>
        {props.create ? (
          <button type="button" className="primary" onClick={props.create.onClick}>
            {props.create.label}
          </button>
        ) : null}
      </div>
      <p className="muted">{props.intro}</p>
      {props.keys?.length === 0 ? <EmptyState>{props.empty}</EmptyState> : null}
      {props.keys?.length ? (
        <KeyTable
          caption={props.title}
          keys={props.keys}
          rights={props.rights}
          onRevealed={props.onRevealed}
        />
      ) : null}
    </section>
  );
}

function KeyTable(props: {
  caption: string;
  keys: ApiKeyRow[];
  rights: KeyRights;
  onRevealed: (created: CreatedKey) => void;
}) {
  const withActions = props.keys.some(props.rights.manage);
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
            {withActions ? <th scope="col">Actions</th> : null}
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
              {withActions ? (
                <td>
                  {props.rights.manage(key) ? (
                    <KeyActions
                      apiKey={key}
                      canRotate={props.rights.rotate(key)}
                      onRevealed={props.onRevealed}
                    />
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The actions a key's status allows (reference §3.2): rotate/disable/revoke, enable, delete once revoked.
 * Rotating needs its own right: an owner may cut off a member's token but not mint one in their name.
 */
function actionsFor(key: ApiKeyRow, canRotate: boolean): ("rotate" | KeyAction)[] {
  switch (key.status) {
    case "active":
      return key.graceEndsAt || !canRotate ? ["disable", "revoke"] : ["rotate", "disable", "revoke"];
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

function KeyActions({
  apiKey,
  canRotate,
  onRevealed,
}: {
  apiKey: ApiKeyRow;
  canRotate: boolean;
  onRevealed: (c: CreatedKey) => void;
}) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState<Confirmed | null>(null);
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
  const confirm = confirming ? CONFIRM[apiKey.purpose][confirming] : null;
  return (
    <div className="row-actions">
      {actionsFor(apiKey, canRotate).map((action) => (
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
