// Configuration → Revisions (reference §6.7): every revision with its time, author and change summary,
// newest first; the changes a chosen revision made (against its predecessor, or against the current spec),
// and for owners and admins Roll back, confirmed after showing what it will change. A rollback writes the
// old spec as a new revision; whether the node runs stays as it is now.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { NodeDetail } from "../api/documents.ts";
import { describeError, request } from "../api/graphql.ts";
import { type Revision, ROLLBACK_NODE } from "../api/node-flows.ts";
import { Dialog, ErrorNote, formatTime } from "../components/ui.tsx";
import { type Change, diffSpecs, LIFECYCLE_FIELDS } from "./node-revisions-diff.ts";

export function DiffTable({ changes, caption }: { changes: Change[]; caption: string }) {
  if (changes.length === 0) return <p className="muted">{caption}: no change.</p>;
  return (
    <table className="diff">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.path}>
            <td>{c.path}</td>
            <td className="before">{c.before ?? "—"}</td>
            <td className="after">{c.after ?? "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A client version change's outcome on the host: still being checked, done, or put back and why. */
function UpgradeOutcome({ upgrade }: { upgrade: Revision["clientUpgrade"] }) {
  if (!upgrade) return null;
  if (upgrade.outcome === "succeeded") return <span className="muted"> (succeeded)</span>;
  if (upgrade.outcome === "pending")
    return <span className="muted"> (checking the new version's health)</span>;
  return (
    <span className="error"> (reverted: {upgrade.reason ?? "the new version failed its health check"})</span>
  );
}

function RollbackDialog(props: { node: NodeDetail; target: Revision | null; close: () => void }) {
  const { node, target, close } = props;
  const queryClient = useQueryClient();
  const rollback = useMutation({
    mutationFn: (revision: number) => request(ROLLBACK_NODE, { id: node.id, revision }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["node", node.id] });
      close();
    },
  });
  return (
    <Dialog
      open={target !== null}
      title={`Roll back ${node.name} to revision ${target?.revision ?? ""}?`}
      onClose={close}
    >
      {target ? (
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            rollback.mutate(target.revision);
          }}
        >
          <p>
            Revision {target.revision}'s configuration is written as revision {node.revision + 1}; the
            executor applies it like an edit. Whether the node runs stays as it is now.
          </p>
          <DiffTable
            caption="What the rollback changes"
            changes={diffSpecs(node.spec, target.spec, LIFECYCLE_FIELDS)}
          />
          <ErrorNote error={rollback.error ? describeError(rollback.error) : null} />
          <div className="dialog-buttons">
            <button type="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={rollback.isPending}>
              Roll back
            </button>
          </div>
        </form>
      ) : null}
    </Dialog>
  );
}

export function NodeRevisions(props: {
  node: NodeDetail;
  /** The newest revisions, newest first; the last is shown only when it is revision 1 (else it is the
   * predecessor the oldest shown one is compared with). */
  fetched: Revision[];
  mutable: boolean;
  /** Fetches a longer page; null when the page is at its limit. */
  more: (() => void) | null;
}) {
  const { node, mutable, fetched } = props;
  const complete = fetched.at(-1)?.revision === 1;
  const newestFirst = complete ? fetched : fetched.slice(0, -1);
  const [selected, setSelected] = useState<number | null>(null);
  const [against, setAgainst] = useState<"previous" | "current">("previous");
  const [rollingBack, setRollingBack] = useState<Revision | null>(null);
  const chosen = newestFirst.find((r) => r.revision === selected) ?? newestFirst[0];
  if (!chosen) return null;
  const previous = fetched.find((r) => r.revision < chosen.revision);
  const changes =
    against === "previous" ? diffSpecs(previous?.spec ?? {}, chosen.spec) : diffSpecs(chosen.spec, node.spec);
  const caption =
    against === "previous"
      ? `Changes in revision ${chosen.revision}${previous ? ` since revision ${previous.revision}` : ""}`
      : `Changes from revision ${chosen.revision} to the current revision ${node.revision}`;
  return (
    <>
      <h3 id="revisions-title">Revisions</h3>
      {/* Narrow screens scroll the table sideways rather than the page. */}
      <div className="table-scroll">
        <table className="revisions" aria-labelledby="revisions-title">
          <thead>
            <tr>
              <th scope="col">Revision</th>
              <th scope="col">When</th>
              <th scope="col">Author</th>
              <th scope="col">Change</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {newestFirst.map((r) => (
              <tr key={r.revision} aria-selected={r.revision === chosen.revision}>
                <td>{r.revision}</td>
                <td>
                  <time dateTime={r.createdAt}>{formatTime(r.createdAt)}</time>
                </td>
                <td>{r.authorName ?? "—"}</td>
                <td>
                  {r.summary}
                  <UpgradeOutcome upgrade={r.clientUpgrade} />
                </td>
                <td>
                  <button
                    type="button"
                    aria-pressed={r.revision === chosen.revision}
                    onClick={() => setSelected(r.revision)}
                  >
                    Show changes<span className="sr-only"> of revision {r.revision}</span>
                  </button>{" "}
                  {mutable && r.revision !== node.revision ? (
                    <button type="button" onClick={() => setRollingBack(r)}>
                      Roll back<span className="sr-only"> to revision {r.revision}</span>
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!complete ? (
        <p className="muted">
          The newest {newestFirst.length} of {node.revision} revisions.{" "}
          {props.more ? (
            <button type="button" className="link" onClick={props.more}>
              Show older revisions
            </button>
          ) : null}
        </p>
      ) : null}
      <div className="field compact">
        <label htmlFor="diff-against">Compare revision {chosen.revision} with</label>
        <select
          id="diff-against"
          value={against}
          onChange={(e) => setAgainst(e.target.value as "previous" | "current")}
        >
          <option value="previous">its previous revision</option>
          <option value="current">the current revision</option>
        </select>
      </div>
      <DiffTable caption={caption} changes={changes} />
      <RollbackDialog node={node} target={rollingBack} close={() => setRollingBack(null)} />
    </>
  );
}
