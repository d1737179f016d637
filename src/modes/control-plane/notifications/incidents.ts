// Alert incidents: opening and resolving, each in one transaction with its timeline event
// (`notification.alert.opened` / `notification.alert.resolved`) and, when the organization's webhook is on,
// its outbox entry, so a delivery exists exactly when the change does. The open ones are also held in
// memory (reloaded at start), so the alert engine asks "is one open?" without a query; the database's
// partial unique index is what guarantees at most one open incident per (rule, subject).
import type { Db } from "../../../db/client.ts";
import {
  allOpenIncidents,
  countOpenIncidents,
  deleteOldResolvedIncidents,
  findOpenIncident,
  type IncidentRow,
  type IncidentStatus,
  insertIncident,
  listIncidents,
  orphanedOpenIncidents,
  resolveIncidentRow,
} from "../../../db/queries/notifications-incidents.ts";
import type { Clock } from "../../../lib/clock.ts";
import type { Logger } from "../../../lib/log.ts";
import { appendEvent } from "../events/service.ts";
import { type Rule, ruleMessage } from "./rules.ts";
import type { WebhookDispatcher } from "./webhooks.ts";

export type { IncidentRow, IncidentStatus };

export interface Subject {
  kind: "node" | "executor";
  key: string;
  name: string;
  organizationId: string;
  /** For a node: the executor it runs on (shown on its timeline events). */
  executorId?: string | null;
  executorName?: string | null;
}

interface OpenEntry {
  id: string;
  subject: Subject;
}

export const INCIDENTS_PAGE = 100;
export const INCIDENTS_PAGE_MAX = 500;
export const BELL_LATEST = 10;
/** Resolved incidents kept per organization (besides the age limit). */
export const INCIDENTS_KEPT_PER_ORG = 10_000;

const LEVEL: Record<Rule, "error" | "warn"> = {
  node_down: "error",
  executor_offline: "error",
  disk_usage: "warn",
  sync_stalled: "warn",
};

const openKey = (rule: string, subjectKey: string) => `${rule}\u0000${subjectKey}`;

export class IncidentService {
  private open = new Map<string, OpenEntry>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly webhooks: WebhookDispatcher,
    private readonly log: Logger,
  ) {
    this.reload();
  }

  /** Reads every open incident back (at start: incidents survive a restart). */
  reload(): void {
    this.open.clear();
    for (const row of allOpenIncidents(this.db)) {
      this.open.set(openKey(row.rule, row.subjectKey), { id: row.id, subject: subjectOf(row) });
    }
  }

  isOpen(rule: Rule, subjectKey: string): boolean {
    return this.open.has(openKey(rule, subjectKey));
  }

  /** Open incidents of an organization (rule and subject key), for re-evaluation after a settings change. */
  openOf(organizationId: string): { rule: Rule; subject: Subject }[] {
    const out: { rule: Rule; subject: Subject }[] = [];
    for (const [key, entry] of this.open) {
      if (entry.subject.organizationId === organizationId)
        out.push({ rule: key.split("\u0000")[0] as Rule, subject: entry.subject });
    }
    return out;
  }

  /** Opens an incident unless one is open for (rule, subject); returns it, or null when one was open. */
  openIncident(rule: Rule, subject: Subject, message: string, at = this.clock.now()): IncidentRow | null {
    const key = openKey(rule, subject.key);
    if (this.open.has(key)) return null;
    let row: IncidentRow;
    try {
      row = this.db.transaction((tx) => {
        const row = insertIncident(tx, {
          id: Bun.randomUUIDv7(),
          organizationId: subject.organizationId,
          rule,
          status: "open",
          openedAt: at,
          resolvedAt: null,
          subjectKind: subject.kind,
          subjectKey: subject.key,
          subjectName: subject.name,
          message,
        });
        appendEvent(tx, {
          ...eventSubject(subject),
          type: "notification.alert.opened",
          level: LEVEL[rule],
          message,
          payload: { incidentId: row.id, rule, subjectKind: subject.kind, subjectKey: subject.key },
          createdAt: at,
        });
        this.webhooks.enqueue(tx, row, message, at);
        return row;
      });
    } catch (error) {
      // The unique index refused it: another path opened one first. Adopt that one.
      const existing = findOpenIncident(this.db, rule, subject.key);
      if (!existing) throw error;
      this.open.set(key, { id: existing.id, subject });
      return null;
    }
    this.open.set(key, { id: row.id, subject });
    this.log.info("alert opened", { rule, subjectKind: subject.kind, subjectKey: subject.key, id: row.id });
    this.webhooks.kick();
    return row;
  }

  /** Resolves the open incident of (rule, subject), if any; returns it resolved. */
  resolve(
    rule: Rule,
    subjectKey: string,
    at = this.clock.now(),
    options: { auditActionId?: string | null; reason?: string } = {},
  ): IncidentRow | null {
    const key = openKey(rule, subjectKey);
    const entry = this.open.get(key);
    if (!entry) return null;
    const subject = entry.subject;
    const message =
      ruleMessage(rule, "resolved", subject.name) + (options.reason ? ` (${options.reason})` : "");
    const row = this.db.transaction((tx) => {
      const row = resolveIncidentRow(tx, entry.id, at);
      if (!row) return null;
      appendEvent(tx, {
        ...eventSubject(subject),
        type: "notification.alert.resolved",
        level: "info",
        message,
        payload: { incidentId: row.id, rule, subjectKind: subject.kind, subjectKey: subject.key },
        auditActionId: options.auditActionId ?? null,
        createdAt: at,
      });
      this.webhooks.enqueue(tx, row, message, at);
      return row;
    });
    this.open.delete(key);
    if (row) {
      this.log.info("alert resolved", { rule, subjectKey, id: row.id });
      this.webhooks.kick();
    }
    return row;
  }

  /** Resolves every open incident whose node or executor was deleted (or is gone). */
  resolveOrphans(): number {
    const orphans = new Set(orphanedOpenIncidents(this.db).map((o) => o.id));
    if (orphans.size === 0) return 0;
    let resolved = 0;
    for (const [key, entry] of [...this.open]) {
      if (!orphans.has(entry.id)) continue;
      const [rule, subjectKey] = key.split("\u0000") as [Rule, string];
      if (this.resolve(rule, subjectKey, this.clock.now(), { reason: `${entry.subject.kind} deleted` }))
        resolved++;
    }
    return resolved;
  }

  /** Drops resolved incidents older than `retentionDays`, and beyond INCIDENTS_KEPT_PER_ORG per organization. */
  prune(retentionDays: number): number {
    const cutoff = new Date(this.clock.now().getTime() - retentionDays * 86_400_000);
    return deleteOldResolvedIncidents(this.db, cutoff, INCIDENTS_KEPT_PER_ORG);
  }

  list(organizationId: string, status: IncidentStatus | null, cursor: string | null, take: number | null) {
    const n = Math.min(Math.max(take ?? INCIDENTS_PAGE, 1), INCIDENTS_PAGE_MAX);
    return listIncidents(this.db, organizationId, status, cursor, n);
  }

  /** The bell: how many are open, and the latest 10 (open or resolved), newest first. */
  center(organizationId: string): { openCount: number; latest: IncidentRow[] } {
    return {
      openCount: countOpenIncidents(this.db, organizationId),
      latest: listIncidents(this.db, organizationId, null, null, BELL_LATEST),
    };
  }
}

function subjectOf(row: IncidentRow): Subject {
  return {
    kind: row.subjectKind,
    key: row.subjectKey,
    name: row.subjectName,
    organizationId: row.organizationId,
  };
}

function eventSubject(subject: Subject) {
  if (subject.kind === "executor") {
    return {
      organizationId: subject.organizationId,
      executorId: subject.key,
      executorName: subject.name,
    };
  }
  return {
    organizationId: subject.organizationId,
    nodeId: subject.key,
    nodeName: subject.name,
    executorId: subject.executorId ?? null,
    executorName: subject.executorName ?? null,
  };
}
