// Webhook deliveries on Settings → Notifications: the latest 50 attempts (outcome, attempt number, status,
// error, the request and response on demand) and, for owners and admins, Redeliver.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError, request } from "../api/graphql.ts";
import { REDELIVER_WEBHOOK, WEBHOOK_DELIVERIES } from "../api/notifications.ts";
import { UNSTREAMED_POLL_MS } from "../api/queries.ts";
import { EmptyState, ErrorNote, formatTime } from "../components/ui.tsx";

const deliveriesKey = ["webhook-deliveries"];

function kindOf(requestBody: string): string {
  try {
    const body = JSON.parse(requestBody) as { rule?: string; status?: string };
    return `${body.rule} ${body.status}`;
  } catch {
    return "—";
  }
}

export function WebhookDeliveries({ canManage }: { canManage: boolean }) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: deliveriesKey,
    queryFn: () => request(WEBHOOK_DELIVERIES),
    refetchInterval: UNSTREAMED_POLL_MS,
  });
  const redeliver = useMutation({
    mutationFn: (id: string) => request(REDELIVER_WEBHOOK, { id }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: deliveriesKey }),
  });
  const rows = query.data?.webhookDeliveries ?? [];
  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Webhook deliveries</h2>
      <ErrorNote error={query.error ? describeError(query.error) : null} />
      <ErrorNote error={redeliver.error ? describeError(redeliver.error) : null} />
      {query.isSuccess && rows.length === 0 ? <EmptyState>No deliveries yet.</EmptyState> : null}
      {rows.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Sent</th>
              <th scope="col">What</th>
              <th scope="col">Outcome</th>
              <th scope="col">Attempt</th>
              <th scope="col">Details</th>
              {canManage ? <th scope="col">Action</th> : null}
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.id}>
                <td>{formatTime(d.createdAt)}</td>
                <td>{kindOf(d.requestBody)}</td>
                <td>
                  <span className={`badge tone-${d.ok ? "good" : "bad"}`}>
                    {d.ok ? "delivered" : "failed"}
                    {d.statusCode ? ` ${d.statusCode}` : ""}
                  </span>
                  {d.errorMessage ? <span className="note"> {d.errorMessage}</span> : null}
                </td>
                <td>{d.attempt}</td>
                <td>
                  <details>
                    <summary>Request and response</summary>
                    <p className="muted">POST {d.targetUrl}</p>
                    <pre>{d.requestBody}</pre>
                    <pre>{d.responseBody ?? "(no response)"}</pre>
                  </details>
                </td>
                {canManage ? (
                  <td>
                    <button
                      type="button"
                      disabled={redeliver.isPending}
                      onClick={() => redeliver.mutate(d.id)}
                    >
                      Redeliver
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
