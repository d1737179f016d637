// Per-node policies on Settings → Notifications: one row per live node (node, chain, network, executor)
// with its override (each field inherits when left empty) and the effective values; owners and admins
// change rows and save them together (saveNotificationSettings with nodeOverrides).
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { describeError, request } from "../api/graphql.ts";
import { type NodePolicyRow, type PolicyOverride, SAVE_NOTIFICATION_SETTINGS } from "../api/notifications.ts";
import { EmptyState, ErrorNote } from "../components/ui.tsx";

const overrideOf = (row: NodePolicyRow): PolicyOverride => ({
  nodeDownEnabled: row.nodeDownEnabled,
  diskUsageEnabled: row.diskUsageEnabled,
  diskUsageThresholdPercent: row.diskUsageThresholdPercent,
  syncStalledEnabled: row.syncStalledEnabled,
  syncStalledMinutes: row.syncStalledMinutes,
});

function Toggle(props: {
  label: string;
  value: boolean | null;
  effective: boolean;
  disabled: boolean;
  onChange: (v: boolean | null) => void;
}) {
  return (
    <select
      aria-label={props.label}
      disabled={props.disabled}
      value={props.value === null ? "inherit" : props.value ? "on" : "off"}
      onChange={(e) => props.onChange(e.target.value === "inherit" ? null : e.target.value === "on")}
    >
      <option value="inherit">inherit ({props.effective ? "on" : "off"})</option>
      <option value="on">on</option>
      <option value="off">off</option>
    </select>
  );
}

function NumberField(props: {
  label: string;
  value: number | null;
  placeholder: number;
  disabled: boolean;
  onChange: (v: number | null) => void;
}) {
  return (
    <input
      type="number"
      aria-label={props.label}
      disabled={props.disabled}
      placeholder={`inherit (${props.placeholder})`}
      value={props.value ?? ""}
      onChange={(e) => props.onChange(e.target.value === "" ? null : Number(e.target.value))}
      style={{ width: "7rem" }}
    />
  );
}

export function NodePolicies(props: { rows: NodePolicyRow[]; canManage: boolean; onSaved: () => void }) {
  const [edits, setEdits] = useState<Record<string, PolicyOverride>>({});
  const save = useMutation({
    mutationFn: () =>
      request(SAVE_NOTIFICATION_SETTINGS, {
        input: { nodeOverrides: Object.entries(edits).map(([nodeId, o]) => ({ nodeId, ...o })) },
      }),
    onSuccess: () => {
      setEdits({});
      props.onSaved();
    },
  });
  const current = (row: NodePolicyRow) => edits[row.nodeId] ?? overrideOf(row);
  const edit = (row: NodePolicyRow, change: Partial<PolicyOverride>) =>
    setEdits((all) => ({ ...all, [row.nodeId]: { ...current(row), ...change } }));
  const disabled = !props.canManage;
  return (
    <section aria-labelledby="policies-title">
      <h2 id="policies-title">Per-node policies</h2>
      {props.rows.length === 0 ? <EmptyState>No nodes yet.</EmptyState> : null}
      {props.rows.length > 0 ? (
        <div style={{ overflowX: "auto" }}>
          <table>
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">Chain</th>
                <th scope="col">Network</th>
                <th scope="col">Executor</th>
                <th scope="col">Node down</th>
                <th scope="col">Disk usage</th>
                <th scope="col">Disk threshold %</th>
                <th scope="col">Sync stalled</th>
                <th scope="col">Stalled after (min)</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((row) => {
                const v = current(row);
                const e = row.effective;
                const label = (what: string) => `${what} for ${row.nodeName}`;
                return (
                  <tr key={row.nodeId}>
                    <td>{row.nodeName}</td>
                    <td>{row.chain}</td>
                    <td>{row.network}</td>
                    <td>{row.executorName}</td>
                    <td>
                      <Toggle
                        label={label("Node down")}
                        value={v.nodeDownEnabled}
                        effective={e.nodeDownEnabled}
                        disabled={disabled}
                        onChange={(x) => edit(row, { nodeDownEnabled: x })}
                      />
                    </td>
                    <td>
                      <Toggle
                        label={label("Disk usage")}
                        value={v.diskUsageEnabled}
                        effective={e.diskUsageEnabled}
                        disabled={disabled}
                        onChange={(x) => edit(row, { diskUsageEnabled: x })}
                      />
                    </td>
                    <td>
                      <NumberField
                        label={label("Disk threshold")}
                        value={v.diskUsageThresholdPercent}
                        placeholder={e.diskUsageThresholdPercent}
                        disabled={disabled}
                        onChange={(x) => edit(row, { diskUsageThresholdPercent: x })}
                      />
                    </td>
                    <td>
                      <Toggle
                        label={label("Sync stalled")}
                        value={v.syncStalledEnabled}
                        effective={e.syncStalledEnabled}
                        disabled={disabled}
                        onChange={(x) => edit(row, { syncStalledEnabled: x })}
                      />
                    </td>
                    <td>
                      <NumberField
                        label={label("Stalled after")}
                        value={v.syncStalledMinutes}
                        placeholder={e.syncStalledMinutes}
                        disabled={disabled}
                        onChange={(x) => edit(row, { syncStalledMinutes: x })}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {props.canManage && props.rows.length > 0 ? (
        <button
          type="button"
          className="primary"
          disabled={save.isPending || Object.keys(edits).length === 0}
          onClick={() => save.mutate()}
        >
          Save policies
        </button>
      ) : null}
      <ErrorNote error={save.error ? describeError(save.error) : null} />
      {save.isSuccess ? <p role="status">Policies saved.</p> : null}
    </section>
  );
}
