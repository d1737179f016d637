// A node's actions by state: Start when stopped, Stop and Restart when running, Delete (confirmed by
// typing the node's name: it is irreversible). Only owners and admins see them; a member sees none.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { DELETE_NODE, type LifecycleAction, NODE_LIFECYCLE, type NodeDetail } from "../api/documents.ts";
import { describeError, request } from "../api/graphql.ts";
import { useCanManage } from "../api/queries.ts";
import { Dialog, ErrorNote } from "../components/ui.tsx";

const LABEL: Record<LifecycleAction, string> = { start: "Start", stop: "Stop", restart: "Restart" };

export function NodeActions({ node }: { node: NodeDetail }) {
  const canManage = useCanManage();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState("");
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["node", node.id] });
  const lifecycle = useMutation({
    mutationFn: (action: LifecycleAction) => request(NODE_LIFECYCLE, { id: node.id, action }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () => request(DELETE_NODE, { id: node.id }),
    onSuccess: async () => {
      setConfirming(false);
      await queryClient.invalidateQueries({ queryKey: ["nodes"] });
      await navigate({ to: "/nodes", search: {} });
    },
  });
  if (!canManage || node.deletedAt) return null;

  const actions: LifecycleAction[] = node.desiredState === "running" ? ["stop", "restart"] : ["start"];
  const busy = lifecycle.isPending || remove.isPending;
  return (
    <div className="actions">
      <fieldset aria-label="Actions">
        {actions.map((action) => (
          <button key={action} type="button" disabled={busy} onClick={() => lifecycle.mutate(action)}>
            {LABEL[action]}
          </button>
        ))}
        <button type="button" className="danger" disabled={busy} onClick={() => setConfirming(true)}>
          Delete
        </button>
      </fieldset>
      <ErrorNote error={lifecycle.error ? describeError(lifecycle.error) : null} />
      <Dialog
        open={confirming}
        title={`Delete ${node.name}?`}
        onClose={() => {
          setConfirming(false);
          setTyped("");
        }}
      >
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            if (typed === node.name) remove.mutate();
          }}
        >
          <p>
            The executor stops the node and removes its data. This cannot be undone. Type the node's name,{" "}
            <strong>{node.name}</strong>, to confirm.
          </p>
          <label>
            Node name
            <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
          </label>
          <ErrorNote error={remove.error ? describeError(remove.error) : null} />
          <div className="dialog-buttons">
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
            <button type="submit" className="danger" disabled={typed !== node.name || remove.isPending}>
              Delete node
            </button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}
