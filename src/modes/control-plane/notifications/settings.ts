// Notification settings: one row per organization (defaults until the first save) and per-node overrides,
// field by field (null = inherit; an override with every field cleared is deleted). Every row is held in
// memory, so the alert engine reads a node's effective policy per observation without touching the
// database; only saves (here) write, and they update the memory after their commit. Saves are audited as
// `notification_settings.updated` with the changed field names (never the secret).
import type { Db } from "../../../db/client.ts";
import {
  allNodeOverrides,
  allNotificationSettings,
  deleteNodeOverride,
  type NodeOverrideRow,
  type NotificationSettingsRow,
  type PolicyNodeRow,
  policyNodes,
  upsertNodeOverride,
  upsertNotificationSettings,
} from "../../../db/queries/notifications.ts";
import type { Clock } from "../../../lib/clock.ts";
import { badRequest } from "../../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import type { Caller } from "../auth/caller.ts";
import {
  checkWebhookUrl,
  clampThreshold,
  type NodeOverrideInput,
  type SaveNotificationSettingsInput,
} from "./models.ts";
import { WebhookSecretBox } from "./secret.ts";

export type { NotificationSettingsRow };

/** The fields a node may override, as they apply to one node. */
export interface NodePolicy {
  nodeDownEnabled: boolean;
  diskUsageEnabled: boolean;
  diskUsageThresholdPercent: number;
  syncStalledEnabled: boolean;
  syncStalledMinutes: number;
}
const POLICY_FIELDS = [
  "nodeDownEnabled",
  "diskUsageEnabled",
  "diskUsageThresholdPercent",
  "syncStalledEnabled",
  "syncStalledMinutes",
] as const satisfies readonly (keyof NodePolicy)[];
const ORG_FIELDS = [...POLICY_FIELDS, "executorOfflineEnabled", "webhookEnabled"] as const;

export const DEFAULT_SETTINGS: Omit<NotificationSettingsRow, "organizationId" | "updatedAt"> = {
  nodeDownEnabled: true,
  diskUsageEnabled: true,
  diskUsageThresholdPercent: 85,
  syncStalledEnabled: true,
  syncStalledMinutes: 10,
  executorOfflineEnabled: true,
  webhookUrl: null,
  webhookEnabled: false,
  webhookSecretSealed: null,
  webhookSecretRotatedAt: null,
};

/** A live node's row on the policy screen: its override (null fields inherit) and what applies. */
export interface NodePolicyView extends PolicyNodeRow {
  override: Partial<Record<keyof NodePolicy, boolean | number | null>>;
  hasOverride: boolean;
  effective: NodePolicy;
}

export interface SavedSettings {
  settings: NotificationSettingsRow;
  /** Set only when this save created the signing secret: it is shown this once. */
  createdSecret: string | null;
  changedFields: string[];
  auditId: string | null;
}

export class NotificationSettingsService {
  private orgs = new Map<string, NotificationSettingsRow>();
  private overrides = new Map<string, NodeOverrideRow>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    readonly box: WebhookSecretBox,
    /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: a URL may name an internal address. */
    private readonly allowPrivateNetworks = false,
  ) {
    for (const row of allNotificationSettings(db)) this.orgs.set(row.organizationId, row);
    for (const row of allNodeOverrides(db)) this.overrides.set(row.nodeId, row);
  }

  /** The organization's settings (the defaults before its first save). */
  of(organizationId: string): NotificationSettingsRow {
    return (
      this.orgs.get(organizationId) ?? {
        organizationId,
        ...DEFAULT_SETTINGS,
        updatedAt: new Date(0),
      }
    );
  }

  /** What applies to one node: its override's fields where set, the organization's elsewhere. */
  policy(organizationId: string, nodeId: string): NodePolicy {
    const org = this.orgs.get(organizationId) ?? DEFAULT_SETTINGS;
    const own = this.overrides.get(nodeId);
    return {
      nodeDownEnabled: own?.nodeDownEnabled ?? org.nodeDownEnabled,
      diskUsageEnabled: own?.diskUsageEnabled ?? org.diskUsageEnabled,
      diskUsageThresholdPercent: own?.diskUsageThresholdPercent ?? org.diskUsageThresholdPercent,
      syncStalledEnabled: own?.syncStalledEnabled ?? org.syncStalledEnabled,
      syncStalledMinutes: own?.syncStalledMinutes ?? org.syncStalledMinutes,
    };
  }

  /** Every live node of the organization with its override and effective policy. */
  nodePolicies(organizationId: string): NodePolicyView[] {
    return policyNodes(this.db, organizationId).map((node) => {
      const own = this.overrides.get(node.id);
      const override = Object.fromEntries(POLICY_FIELDS.map((f) => [f, own?.[f] ?? null]));
      return { ...node, override, hasOverride: !!own, effective: this.policy(organizationId, node.id) };
    });
  }

  /** The webhook signing secret in clear, or null (none yet, or sealed under another auth secret). */
  signingSecret(organizationId: string): string | null {
    const sealed = this.orgs.get(organizationId)?.webhookSecretSealed;
    return sealed ? this.box.open(sealed) : null;
  }

  save(caller: Caller, input: SaveNotificationSettingsInput): SavedSettings {
    const organizationId = caller.organizationId;
    const current = this.of(organizationId);
    const now = this.clock.now();
    const next: NotificationSettingsRow = { ...current, updatedAt: now };
    for (const field of ORG_FIELDS) {
      const value = input[field];
      if (value === undefined || value === null) continue;
      (next as unknown as Record<string, unknown>)[field] =
        field === "diskUsageThresholdPercent" ? clampThreshold(value as number) : value;
    }
    if (input.webhookUrl !== undefined) {
      next.webhookUrl = input.webhookUrl?.trim()
        ? checkWebhookUrl(input.webhookUrl, this.allowPrivateNetworks)
        : null;
    }
    if (next.webhookEnabled && !next.webhookUrl) {
      throw badRequest("webhookEnabled needs a webhook URL", [
        {
          path: "/webhookEnabled",
          message: "set webhookUrl (https://…) first, or leave the webhook disabled",
        },
      ]);
    }
    let createdSecret: string | null = null;
    if (next.webhookUrl && !current.webhookSecretSealed) {
      createdSecret = WebhookSecretBox.generate();
      next.webhookSecretSealed = this.box.seal(createdSecret);
      next.webhookSecretRotatedAt = now;
    }
    const overrides = this.overrideChanges(organizationId, input.nodeOverrides ?? [], now);
    const changedFields: string[] = [...ORG_FIELDS, "webhookUrl" as const].filter(
      (f) => next[f] !== current[f],
    );
    if (overrides.length > 0) changedFields.push("nodeOverrides");
    if (createdSecret) changedFields.push("webhookSecret");
    if (changedFields.length === 0) return { settings: current, createdSecret, changedFields, auditId: null };
    const { row, auditId } = this.db.transaction((tx) => {
      const row = upsertNotificationSettings(tx, next);
      for (const change of overrides) {
        if (change.row) upsertNodeOverride(tx, change.row);
        else deleteNodeOverride(tx, organizationId, change.nodeId);
      }
      const auditId = recordAudit(
        tx,
        caller,
        "notification_settings.updated",
        { kind: "organization", id: organizationId },
        { changedFields, nodeIds: overrides.map((o) => o.nodeId).slice(0, 100) },
        now,
      );
      return { row, auditId };
    });
    this.orgs.set(organizationId, row);
    for (const change of overrides) {
      if (change.row) this.overrides.set(change.nodeId, change.row);
      else this.overrides.delete(change.nodeId);
    }
    return { settings: row, createdSecret, changedFields, auditId };
  }

  /** A new signing secret (the old one stops signing at once); returned in clear this once. */
  rotateSecret(caller: Caller): { secret: string; rotatedAt: Date } {
    const now = this.clock.now();
    const secret = WebhookSecretBox.generate();
    const next = {
      ...this.of(caller.organizationId),
      webhookSecretSealed: this.box.seal(secret),
      webhookSecretRotatedAt: now,
      updatedAt: now,
    };
    const row = this.db.transaction((tx) => {
      const row = upsertNotificationSettings(tx, next);
      recordAudit(
        tx,
        caller,
        "notification_settings.updated",
        { kind: "organization", id: caller.organizationId },
        { changedFields: ["webhookSecret"] },
        now,
      );
      return row;
    });
    this.orgs.set(caller.organizationId, row);
    return { secret, rotatedAt: now };
  }

  /** Checks every listed node (live, this organization's, once) and keeps the overrides that change. */
  private overrideChanges(organizationId: string, inputs: NodeOverrideInput[], now: Date) {
    if (inputs.length === 0) return [];
    const live = new Set(policyNodes(this.db, organizationId).map((n) => n.id));
    const seen = new Set<string>();
    const problems = inputs.flatMap((o, i) => {
      const path = `/nodeOverrides/${i}/nodeId`;
      if (seen.has(o.nodeId)) return [{ path, message: "this node is listed twice: list each node once" }];
      seen.add(o.nodeId);
      if (!live.has(o.nodeId))
        return [{ path, message: "no node with this id in this organization: use an id from nodeOverrides" }];
      return [];
    });
    if (problems.length > 0) {
      throw badRequest(
        `nodeOverrides is not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`,
        problems,
      );
    }
    const changes: { nodeId: string; row: NodeOverrideRow | null }[] = [];
    for (const o of inputs) {
      const row: NodeOverrideRow = {
        organizationId,
        nodeId: o.nodeId,
        nodeDownEnabled: o.nodeDownEnabled ?? null,
        diskUsageEnabled: o.diskUsageEnabled ?? null,
        diskUsageThresholdPercent:
          o.diskUsageThresholdPercent == null ? null : clampThreshold(o.diskUsageThresholdPercent),
        syncStalledEnabled: o.syncStalledEnabled ?? null,
        syncStalledMinutes: o.syncStalledMinutes ?? null,
        updatedAt: now,
      };
      const cleared = POLICY_FIELDS.every((f) => row[f] === null);
      const existing = this.overrides.get(o.nodeId);
      if (cleared && !existing) continue;
      if (existing && POLICY_FIELDS.every((f) => existing[f] === row[f])) continue;
      changes.push({ nodeId: o.nodeId, row: cleared ? null : row });
    }
    return changes;
  }
}
