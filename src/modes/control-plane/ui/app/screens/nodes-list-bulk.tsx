// The nodes list's bulk actions: the selected rows' count, Start / Stop / Restart for all of them in one
// request (requestNodesLifecycleAction: all or nothing, one revision each), and what happened. Shown to
// owners and admins only (the list renders no selection for members).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { LifecycleAction } from "../api/documents.ts";
import { describeError, request } from "../api/graphql.ts";
import { NODES_LIFECYCLE } from "../api/nodes-list.ts";
import { ErrorNote } from "../components/ui.tsx";

const LABEL: Record<LifecycleAction, string> = { start: "Start", stop: "Stop", restart: "Restart" };

export function BulkActions({ selected, onDone }: { selected: string[]; onDone: () => void }) {
  const queryClient = useQueryClient();
  const run = useMutation({
    mutationFn: (action: LifecycleAction) => request(NODES_LIFECYCLE, { ids: selected, action }),
    onSuccess: async () => {
      onDone();
      await queryClient.invalidateQueries({ queryKey: ["nodes"] });
    },
  });
  const done = run.isSuccess
    ? `${LABEL[run.variables]} requested for ${run.data.requestNodesLifecycleAction.length} node(s).`
    : "";
  return (
    <div className="bulk" role="toolbar" aria-label="Bulk actions">
      <span>{selected.length} selected</span>
      {(["start", "stop", "restart"] as const).map((action) => (
        <button
          key={action}
          type="button"
          disabled={selected.length === 0 || run.isPending}
          onClick={() => run.mutate(action)}
        >
          {LABEL[action]}
          <span className="sr-only"> selected nodes</span>
        </button>
      ))}
      <span role="status">{done}</span>
      <ErrorNote error={run.error ? describeError(run.error) : null} />
    </div>
  );
}
