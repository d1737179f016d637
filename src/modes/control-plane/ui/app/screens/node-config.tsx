// Node detail → Configuration (reference §6.6): the spec, read-only; owners and admins get Edit
// configuration, the deploy wizard's configuration form pre-filled, with an "N changed" badge. Save sends
// updateNode (a new revision); the server's refusals appear next to their fields. Each role's client version
// may change in place (node-config-versions.tsx); chain, network, node type, each role's client and resources
// are fixed after deploy and shown, not offered. Revisions follow (node-revisions.tsx).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import type { NodeDetail } from "../api/documents.ts";
import { ApiError, describeError, request } from "../api/graphql.ts";
import { type FieldError, NODE_CONFIG, type NodeConfig, UPDATE_NODE } from "../api/node-flows.ts";
import { useCanManage } from "../api/queries.ts";
import { ErrorNote } from "../components/ui.tsx";
import { ClientVersionFields, versionPaths } from "./node-config-versions.tsx";
import { NodeRevisions } from "./node-revisions.tsx";

const REVISIONS_PAGE = 20;
/** The API's page limit for recentRevisions. */
const MAX_REVISIONS = 500;

import { diffSpecs, LIFECYCLE_FIELDS } from "./node-revisions-diff.ts";
import { ConfigFields, configPaths, useChainFormHints } from "./wizard-config.tsx";
import { UnplacedErrors, useFocusFirstInvalid } from "./wizard-fields.tsx";
import { type Draft, fromSpec, toSpec } from "./wizard-model.ts";
import { chainsOf, errorsAfter } from "./wizard-rules.ts";
import "./wizard.css";

/** "the client of each role (el: geth, cl: lighthouse)": what a role keeps for the node's life. */
function clientNames(draft: Draft): string {
  const roles = Object.entries(draft.clients).map(
    ([role, pick]) => `${role}: ${pick.slice(0, pick.lastIndexOf("@"))}`,
  );
  return `the client of each role (${roles.join(", ")})`;
}

function EditForm({ node, config, done }: { node: NodeDetail; config: NodeConfig; done: () => void }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => fromSpec(node.spec, node.executorId));
  const executor = config.executor ?? undefined;
  const chain = chainsOf(executor).find((c) => c.chain === draft.chain);
  const hints = useChainFormHints(draft.chain);
  const spec = toSpec(draft);
  const changed = diffSpecs(node.spec, spec, LIFECYCLE_FIELDS).length;
  // Someone else's edit or rollback since the form opened: saving would replace it, so the form says so and
  // does not save (the server refuses it too, by expectedRevision). A start, stop or restart meanwhile only
  // moves the revision: the edit then applies to the current one.
  const [opened] = useState(() => ({
    revision: node.revision,
    spec: node.spec,
    clients: fromSpec(node.spec, node.executorId).clients,
  }));
  const movedOn =
    node.revision !== opened.revision && diffSpecs(opened.spec, node.spec, LIFECYCLE_FIELDS).length > 0;
  const [errors, setErrors] = useState<FieldError[]>([]);
  const focus = useFocusFirstInvalid();
  const save = useMutation({
    mutationFn: () =>
      request(UPDATE_NODE, {
        id: node.id,
        spec,
        expectedRevision: movedOn ? opened.revision : node.revision,
      }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["node", node.id] });
      done();
    },
    onError: (error) => {
      setErrors(error instanceof ApiError ? error.details : []);
      focus.refused();
    },
  });
  const paths = [...versionPaths(draft), ...configPaths({ chain, draft, hints })];
  const change = (patch: Partial<Draft>) => {
    setDraft({ ...draft, ...patch });
    setErrors(errorsAfter(errors, patch));
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form ref={focus.form} onSubmit={submit} className="wizard" aria-labelledby="edit-config-title">
      <fieldset>
        <legend>
          <h3 id="edit-config-title">
            Edit configuration
            <span className="changed-badge" role="status">
              {changed} changed
            </span>
          </h3>
        </legend>
        <p className="muted">
          Fixed after deploy (delete and redeploy to change): {draft.chain} / {draft.network},{" "}
          {draft.nodeType}, {clientNames(draft)}, resources.
        </p>
        {movedOn ? (
          <p className="note" role="status">
            The configuration changed (now revision {node.revision}) since you opened this form, so this edit
            cannot be saved over it. Cancel and edit again to start from the current configuration.
          </p>
        ) : null}
        <ClientVersionFields
          chain={chain}
          draft={draft}
          current={opened.clients}
          executorKind={executor?.kind}
          change={change}
          errors={errors}
        />
        <ConfigFields
          executor={executor}
          chain={chain}
          hints={hints}
          draft={draft}
          change={change}
          errors={errors}
          withName={false}
        />
      </fieldset>
      <UnplacedErrors errors={errors} placed={(p) => paths.some((f) => p === f || p.startsWith(`${f}/`))} />
      <ErrorNote
        error={
          save.error && !(save.error instanceof ApiError && save.error.details.length)
            ? describeError(save.error)
            : null
        }
      />
      <div className="dialog-buttons">
        <button type="button" onClick={done}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={changed === 0 || movedOn || save.isPending}>
          Save as a new revision
        </button>
      </div>
    </form>
  );
}

export function NodeConfiguration({ node }: { node: NodeDetail }) {
  const canManage = useCanManage();
  const [editing, setEditing] = useState(false);
  // The newest page of the history, plus one: the oldest shown revision's predecessor, for its diff.
  const [take, setTake] = useState(REVISIONS_PAGE + 1);
  // Keyed by the live revision: a new revision (an edit, an action, someone else's rollback) refetches it.
  const config = useQuery({
    queryKey: ["node", node.id, "config", node.revision, take],
    queryFn: () => request(NODE_CONFIG, { id: node.id, take }),
    placeholderData: (previous) => previous,
  });
  const data = config.data?.node ?? null;
  const mutable = canManage && !node.deletedAt;
  return (
    <section aria-labelledby="config-title">
      <div className="section-header">
        <h2 id="config-title">Configuration</h2>
        {mutable && !editing && data ? (
          <button type="button" onClick={() => setEditing(true)}>
            Edit configuration
          </button>
        ) : null}
      </div>
      {editing && data ? (
        <EditForm node={node} config={data} done={() => setEditing(false)} />
      ) : (
        <>
          <p className="muted">The node's specification at revision {node.revision} (read-only).</p>
          <pre className="config">{JSON.stringify(node.spec, null, 2)}</pre>
        </>
      )}
      <ErrorNote error={config.error ? describeError(config.error) : null} />
      {data ? (
        <NodeRevisions
          node={node}
          fetched={data.recentRevisions}
          mutable={mutable}
          more={take < MAX_REVISIONS ? () => setTake(Math.min(take + REVISIONS_PAGE, MAX_REVISIONS)) : null}
        />
      ) : null}
    </section>
  );
}
