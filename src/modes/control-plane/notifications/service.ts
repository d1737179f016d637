// Notifications, composed: settings and overrides, incidents, the alert engine (subscribed to the signal
// hub), the webhook outbox and its worker, and their Prometheus series. `start` reloads nothing by itself
// (open incidents and settings are read when the parts are built) but starts the worker, which resumes
// any delivery a previous run left in the outbox, and the sweep that resolves incidents of deleted nodes
// and executors and prunes old resolved incidents.
import type { Db } from "../../../db/client.ts";
import type { Clock } from "../../../lib/clock.ts";
import { errorMessage } from "../../../lib/errors.ts";
import type { Logger } from "../../../lib/log.ts";
import type { Caller } from "../auth/caller.ts";
import type { SignalHub } from "../signals/hub.ts";
import { AlertEngine } from "./engine.ts";
import { IncidentService } from "./incidents.ts";
import { NotificationMetrics } from "./metrics.ts";
import type { SaveNotificationSettingsInput } from "./models.ts";
import { WebhookSecretBox } from "./secret.ts";
import { NotificationSettingsService, type SavedSettings } from "./settings.ts";
import { WebhookDispatcher, type WebhookOptions } from "./webhooks.ts";

/** How often open incidents are checked against deleted nodes and executors. */
const ORPHAN_SWEEP_MS = 5_000;
/** Resolved incidents are pruned every this many sweeps (once a minute). */
const PRUNE_EVERY_SWEEPS = 12;

export class NotificationService {
  readonly settings: NotificationSettingsService;
  readonly incidents: IncidentService;
  readonly webhooks: WebhookDispatcher;
  readonly engine: AlertEngine;
  readonly metrics: NotificationMetrics;
  private sweep: ReturnType<typeof setInterval> | null = null;

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly log: Logger,
    signals: SignalHub,
    authSecret: string,
    webhookOptions: WebhookOptions,
    /** Resolved incidents older than this are deleted (EVENT_RETENTION_DAYS). */
    private readonly retentionDays: number,
  ) {
    this.settings = new NotificationSettingsService(
      db,
      clock,
      new WebhookSecretBox(authSecret),
      webhookOptions.allowPrivateNetworks,
    );
    this.webhooks = new WebhookDispatcher(db, clock, this.settings, log, webhookOptions);
    this.metrics = new NotificationMetrics(() => this.webhooks.queueDepth());
    this.webhooks.metrics = this.metrics;
    this.incidents = new IncidentService(db, clock, this.webhooks, log);
    this.engine = new AlertEngine(db, this.settings, this.incidents, this.metrics);
    this.engine.subscribe(signals);
  }

  start(): void {
    this.webhooks.start();
    let sweeps = 0;
    this.sweep = setInterval(() => {
      try {
        this.incidents.resolveOrphans();
        if (++sweeps % PRUNE_EVERY_SWEEPS === 0) this.incidents.prune(this.retentionDays);
      } catch (error) {
        this.log.error("incident sweep failed", { error: errorMessage(error) });
      }
    }, ORPHAN_SWEEP_MS);
  }

  async stop(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    this.engine.unsubscribeAll();
    await this.webhooks.stop();
  }

  /** Saves, then resolves the open incidents the new settings no longer support (linked to the audit row). */
  save(caller: Caller, input: SaveNotificationSettingsInput): SavedSettings {
    const saved = this.settings.save(caller, input);
    if (saved.auditId)
      this.engine.reevaluate(caller.organizationId, saved.auditId, this.clock.now().getTime());
    return saved;
  }
}
