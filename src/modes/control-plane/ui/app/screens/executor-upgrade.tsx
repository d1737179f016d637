// The Upgrade panel of an executor's detail page (reference §6.9), for owners and admins: the pending
// upgrade (with when it expires) and a Cancel button, or the candidates with their notes — direct targets
// get an Upgrade button, farther majors show the hop to take first — and the available downgrades. A request
// older than a minute shows the reference's recovery hints (§6.9: "stuck > 1 min").
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError, request } from "../api/graphql.ts";
import { CANCEL_UPGRADE, REQUEST_UPGRADE, UPGRADE_CANDIDATES } from "../api/releases.ts";
import { EmptyState, ErrorNote, formatTime } from "../components/ui.tsx";

/** The reference's stuck-upgrade hint threshold. */
const STUCK_AFTER_MS = 60_000;

function StuckHint({ requestedAt }: { requestedAt: string | null | undefined }) {
  if (!requestedAt || Date.now() - Date.parse(requestedAt) < STUCK_AFTER_MS) return null;
  return (
    <div className="banner tone-warn" role="status">
      <strong>Not carried out after a minute.</strong> Check that the executor is online. On the host,{" "}
      <code>journalctl -u novacula-agent --since &apos;5 minutes ago&apos; --no-pager</code> tells whether the
      new version was rolled back; a checksum or signature mismatch is refused until the request expires.
    </div>
  );
}

export function UpgradePanel({
  executorId,
  pendingVersion,
}: {
  executorId: string;
  pendingVersion: string | null;
}) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: ["executor", executorId, "upgrade"],
    queryFn: () => request(UPGRADE_CANDIDATES, { id: executorId }),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["executor", executorId] });
  const upgrade = useMutation({
    mutationFn: (targetVersion: string) => request(REQUEST_UPGRADE, { id: executorId, targetVersion }),
    onSuccess: refresh,
  });
  const cancel = useMutation({
    mutationFn: () => request(CANCEL_UPGRADE, { id: executorId }),
    onSuccess: refresh,
  });
  const c = query.data?.executorUpgradeCandidates;
  const error = upgrade.error ?? cancel.error ?? query.error;
  return (
    <section aria-labelledby="upgrade-title">
      <h2 id="upgrade-title">Upgrade</h2>
      <ErrorNote error={error ? describeError(error) : null} />
      {pendingVersion ? (
        <p role="status">
          Upgrade to <strong>{pendingVersion}</strong> pending since{" "}
          {formatTime(query.data?.executor?.pendingUpgradeRequestedAt)}; it expires at{" "}
          {formatTime(query.data?.executor?.pendingUpgradeExpiresAt)} unless the executor carries it out.{" "}
          <button type="button" disabled={cancel.isPending} onClick={() => cancel.mutate()}>
            Cancel upgrade
          </button>
        </p>
      ) : null}
      {pendingVersion ? <StuckHint requestedAt={query.data?.executor?.pendingUpgradeRequestedAt} /> : null}
      {c && c.candidates.length === 0 && c.availableDowngrades.length === 0 ? (
        <EmptyState>No other {c.channel} release for this executor.</EmptyState>
      ) : null}
      {c && (c.candidates.length > 0 || c.availableDowngrades.length > 0) ? (
        <table aria-labelledby="upgrade-title">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Channel</th>
              <th scope="col">Notes</th>
              <th scope="col">
                <span className="sr-only">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {[
              ...c.candidates.map((x) => ({
                ...x,
                notes: x.release.notes,
                channel: x.release.channel,
                up: true,
              })),
              ...c.availableDowngrades.map((x) => ({
                ...x,
                allowedAsDirectTarget: true,
                label: null,
                up: false,
              })),
            ].map((x) => (
              <tr key={x.version}>
                <td>{x.version}</td>
                <td>{x.channel}</td>
                <td>{x.notes || "—"}</td>
                <td>
                  {x.allowedAsDirectTarget ? (
                    <button
                      type="button"
                      disabled={pendingVersion !== null || upgrade.isPending}
                      onClick={() => upgrade.mutate(x.version)}
                    >
                      {x.up ? "Upgrade" : "Downgrade"}
                      <span className="sr-only"> to {x.version}</span>
                    </button>
                  ) : (
                    <span className="muted">{x.label}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
