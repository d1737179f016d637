// Webhook delivery: the durable outbox in SQLite and the worker that empties it. An incident change writes
// its outbox entry in its own transaction (enqueue); the worker sends due entries (signed, 5 s timeout,
// redirects not followed, only to an address webhook-target.ts allows and pinned to it), records every attempt as a WebhookDelivery (the newest 50 per organization are
// kept), and on a timeout, transport error or non-2xx answer reschedules with exponential backoff and
// jitter, up to `maxAttempts`. Entries live in the database until answered or given up, so a control
// plane killed mid-retry resumes them at start: delivery is at least once (`x-novacula-delivery` is the
// same on every attempt of one entry, for receivers that deduplicate). Manual redeliveries and test sends
// are one immediate attempt each, recorded but not retried.
import type { Db, DbOrTx } from "../../../db/client.ts";
import type { IncidentRow } from "../../../db/queries/notifications-incidents.ts";
import {
  type DeliveryRow,
  deleteOutbox,
  dueOutbox,
  findDelivery,
  insertDelivery,
  insertOutbox,
  listDeliveries,
  nextOutboxDue,
  type OutboxRow,
  pendingOutboxCount,
  rescheduleOutbox,
} from "../../../db/queries/notifications-webhooks.ts";
import type { Clock } from "../../../lib/clock.ts";
import { badRequest, errorMessage, notFound } from "../../../lib/errors.ts";
import type { Logger } from "../../../lib/log.ts";
import type { DeliveryOutcome, NotificationMetrics } from "./metrics.ts";
import { DELIVERY_HEADER, SIGNATURE_HEADER, signatureHeader } from "./secret.ts";
import type { NotificationSettingsService } from "./settings.ts";
import { pinnedFetch, RefusedTarget, type Resolver } from "./webhook-target.ts";

export interface WebhookOptions {
  /** The first retry's delay; each next one doubles (WEBHOOK_RETRY_BASE_MS). */
  retryBaseMs: number;
  /** Attempts per delivery, the first included (WEBHOOK_MAX_ATTEMPTS). */
  maxAttempts: number;
  timeoutMs?: number;
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: receivers on internal addresses are allowed (loopback always is). */
  allowPrivateNetworks?: boolean;
  /** How receivers' host names are resolved (the system resolver unless a test names another). */
  resolve?: Resolver;
  /** Extra trust anchors for receivers' certificates (tests; an operator uses NODE_EXTRA_CA_CERTS). */
  ca?: string;
}

export const WEBHOOK_TIMEOUT_MS = 5_000;
export const RESPONSE_KEPT_CHARS = 4_000;
const RETRY_CAP_MS = 30 * 60_000;
const MAX_IN_FLIGHT = 8;
/** An organization whose receiver is down for long keeps at most this many entries waiting. */
const MAX_PENDING_PER_ORG = 1_000;

/** The reference's payload, in its key order. */
export function incidentPayload(incident: IncidentRow, message: string): string {
  return JSON.stringify({
    rule: incident.rule,
    status: incident.status,
    subjectKind: incident.subjectKind,
    subjectKey: incident.subjectKey,
    subjectName: incident.subjectName,
    message,
    openedAt: incident.openedAt.toISOString(),
    resolvedAt: incident.resolvedAt ? incident.resolvedAt.toISOString() : null,
    incidentId: incident.id,
  });
}

/** Delay before attempt `attempt + 1`: base·2^(attempt−1), capped, half of it random (jitter). */
export function retryDelayMs(baseMs: number, attempt: number, random = Math.random()): number {
  const full = Math.min(baseMs * 2 ** (attempt - 1), RETRY_CAP_MS);
  return Math.round(full / 2 + (full / 2) * random);
}

interface Sent {
  ok: boolean;
  statusCode: number | null;
  responseBody: string | null;
  errorMessage: string | null;
  outcome: DeliveryOutcome;
}

export class WebhookDispatcher {
  private inFlight = new Map<string, Promise<void>>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private kicked = false;
  private stopped = true;
  private shutdown = new AbortController();
  metrics: NotificationMetrics | null = null;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly settings: NotificationSettingsService,
    private readonly log: Logger,
    private readonly options: WebhookOptions,
  ) {}

  /** Writes the delivery of an incident change in the caller's transaction, if the webhook is on. */
  enqueue(tx: DbOrTx, incident: IncidentRow, message: string, at: Date): void {
    const org = this.settings.of(incident.organizationId);
    if (!org.webhookEnabled || !org.webhookUrl) return;
    if (pendingOutboxCount(tx, incident.organizationId) >= MAX_PENDING_PER_ORG) {
      this.log.warn("webhook outbox full: delivery dropped", { organizationId: incident.organizationId });
      return;
    }
    insertOutbox(tx, {
      id: Bun.randomUUIDv7(),
      organizationId: incident.organizationId,
      incidentId: incident.id,
      body: incidentPayload(incident, message),
      attempts: 0,
      nextAttemptAt: at,
      createdAt: at,
    });
  }

  queueDepth(): number {
    return pendingOutboxCount(this.db);
  }

  /** Resumes what the outbox holds (after a restart, anything due is sent at once). */
  start(): void {
    this.stopped = false;
    this.pump();
  }

  /** Stops sending; attempts in flight are abandoned unrecorded and stay in the outbox for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.shutdown.abort();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Looks at the outbox soon (after the committing transaction, off the caller's path). */
  kick(): void {
    if (this.kicked || this.stopped) return;
    this.kicked = true;
    setTimeout(() => {
      this.kicked = false;
      this.pump();
    }, 0);
  }

  private pump(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = this.clock.now();
    try {
      const free = MAX_IN_FLIGHT - this.inFlight.size;
      if (free > 0) {
        const due = dueOutbox(this.db, now, free + this.inFlight.size)
          .filter((row) => !this.inFlight.has(row.id))
          .slice(0, free);
        for (const row of due) {
          const work = this.attempt(row)
            .catch((error) => this.log.error("webhook attempt failed", { error: errorMessage(error) }))
            .finally(() => {
              this.inFlight.delete(row.id);
              this.pump();
            });
          this.inFlight.set(row.id, work);
        }
      }
      const next = nextOutboxDue(this.db);
      // Past due but in flight (or no free slot): the attempt's completion pumps again.
      if (next !== null && next > now.getTime()) {
        this.timer = setTimeout(() => this.pump(), Math.min(next - now.getTime(), 30_000));
      } else if (next !== null && this.inFlight.size === 0) {
        this.timer = setTimeout(() => this.pump(), 1_000);
      }
    } catch (error) {
      this.log.error("webhook outbox read failed", { error: errorMessage(error) });
      this.timer = setTimeout(() => this.pump(), 5_000);
    }
  }

  private async attempt(row: OutboxRow): Promise<void> {
    const org = this.settings.of(row.organizationId);
    if (!org.webhookEnabled || !org.webhookUrl) {
      deleteOutbox(this.db, row.id);
      this.log.info("webhook disabled: queued delivery dropped", { organizationId: row.organizationId });
      return;
    }
    const sent = await this.send(row.organizationId, org.webhookUrl, row.body, row.id);
    if (this.stopped && sent.outcome !== "success" && this.shutdown.signal.aborted) return;
    const attempt = row.attempts + 1;
    const now = this.clock.now();
    const giveUp = !sent.ok && attempt >= this.options.maxAttempts;
    this.db.transaction((tx) => {
      insertDelivery(
        tx,
        this.deliveryRow(
          row.organizationId,
          row.incidentId,
          row.id,
          attempt,
          org.webhookUrl!,
          row.body,
          sent,
          now,
        ),
      );
      if (sent.ok || giveUp) deleteOutbox(tx, row.id);
      else
        rescheduleOutbox(
          tx,
          row.id,
          attempt,
          new Date(now.getTime() + retryDelayMs(this.options.retryBaseMs, attempt)),
        );
    });
    if (giveUp) {
      this.log.warn("webhook delivery given up", { id: row.id, attempts: attempt, error: sent.errorMessage });
    }
  }

  /** One signed POST; never throws. */
  private async send(organizationId: string, url: string, body: string, deliveryId: string): Promise<Sent> {
    const secret = this.settings.signingSecret(organizationId);
    if (!secret) {
      this.metrics?.attempted("no_secret");
      return {
        ok: false,
        statusCode: null,
        responseBody: null,
        errorMessage:
          "the signing secret cannot be read (BETTER_AUTH_SECRET changed since it was made): call rotateWebhookSecret and give the receiver the new secret",
        outcome: "no_secret",
      };
    }
    const timeoutMs = this.options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([timeout, this.shutdown.signal]);
    const seconds = Math.floor(this.clock.now().getTime() / 1000);
    let result: Sent;
    try {
      const { allowPrivateNetworks = false, resolve, ca } = this.options;
      const response = await pinnedFetch(
        url,
        {
          method: "POST",
          redirect: "manual",
          signal,
          headers: {
            "content-type": "application/json",
            "user-agent": "Novacula-Webhook/1",
            [DELIVERY_HEADER]: deliveryId,
            [SIGNATURE_HEADER]: signatureHeader(secret, seconds, body),
          },
          body,
        },
        { allowPrivateNetworks, resolve },
        ca,
      );
      const text = await readCapped(response, RESPONSE_KEPT_CHARS);
      const ok = response.status >= 200 && response.status < 300;
      result = {
        ok,
        statusCode: response.status,
        responseBody: text,
        errorMessage: ok ? null : `the receiver answered ${response.status}`,
        outcome: ok ? "success" : "http_error",
      };
    } catch (error) {
      const timedOut = timeout.aborted;
      result =
        error instanceof RefusedTarget
          ? refused(error.message)
          : {
              ok: false,
              statusCode: null,
              responseBody: null,
              errorMessage: timedOut
                ? `no answer within ${timeoutMs / 1000} s`
                : `could not reach the receiver: ${errorMessage(error)}`.slice(0, 1000),
              outcome: timedOut ? "timeout" : "network_error",
            };
    }
    this.metrics?.attempted(result.outcome);
    return result;
  }

  private deliveryRow(
    organizationId: string,
    incidentId: string | null,
    outboxId: string | null,
    attempt: number,
    targetUrl: string,
    requestBody: string,
    sent: Sent,
    at: Date,
  ): DeliveryRow {
    return {
      id: Bun.randomUUIDv7(),
      organizationId,
      incidentId,
      outboxId,
      attempt,
      targetUrl,
      requestBody,
      ok: sent.ok,
      statusCode: sent.statusCode,
      responseBody: sent.responseBody,
      errorMessage: sent.errorMessage,
      createdAt: at,
    };
  }

  /** One immediate, recorded attempt outside the outbox (test sends and manual redeliveries). */
  private async sendNow(
    organizationId: string,
    incidentId: string | null,
    body: string,
  ): Promise<DeliveryRow> {
    const url = this.settings.of(organizationId).webhookUrl;
    if (!url) {
      throw badRequest("there is no webhook URL to send to", [
        {
          path: "/webhookUrl",
          message: "save a webhook URL (https://…) with saveNotificationSettings first",
        },
      ]);
    }
    const id = Bun.randomUUIDv7();
    const sent = await this.send(organizationId, url, body, id);
    const row = this.deliveryRow(organizationId, incidentId, null, 1, url, body, sent, this.clock.now());
    return this.db.transaction((tx) => insertDelivery(tx, { ...row, id }));
  }

  /** `testNotificationWebhook`: a synthetic delivery (sentAt, a test message), incidentId null. */
  test(organizationId: string, organizationName: string): Promise<DeliveryRow> {
    const body = JSON.stringify({
      rule: "test",
      status: "test",
      subjectKind: "organization",
      subjectKey: organizationId,
      subjectName: organizationName,
      message: `Test notification from Novacula for ${organizationName}: this webhook receives alerts`,
      openedAt: null,
      resolvedAt: null,
      incidentId: null,
      sentAt: this.clock.now().toISOString(),
    });
    return this.sendNow(organizationId, null, body);
  }

  /** `redeliverWebhook`: the recorded body once more, to the current URL, signed now. */
  redeliver(organizationId: string, deliveryId: string): Promise<DeliveryRow> {
    const delivery = findDelivery(this.db, organizationId, deliveryId);
    if (!delivery) throw notFound(`webhook delivery ${deliveryId} not found`);
    return this.sendNow(organizationId, delivery.incidentId, delivery.requestBody);
  }

  list(organizationId: string): DeliveryRow[] {
    return listDeliveries(this.db, organizationId);
  }
}

/** A delivery the address rule stopped before anything was sent: a failed attempt, retried as any other. */
function refused(problem: string): Sent {
  return {
    ok: false,
    statusCode: null,
    responseBody: null,
    errorMessage: `refused: ${problem}; webhooks go to public addresses or this machine (an operator allows internal receivers with WEBHOOK_ALLOW_PRIVATE_NETWORKS=true)`,
    outcome: "refused",
  };
}

/** The response text, at most `chars` characters; the rest is not read. */
async function readCapped(response: Response, chars: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < chars) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return text.slice(0, chars);
}
