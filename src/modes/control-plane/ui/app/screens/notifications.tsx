// Settings → Notifications: the organization's alert rules and webhook (URL, enabled, Test, signing secret
// shown once when made or rotated), then the per-node policies and the webhook deliveries. Everyone reads;
// owners and admins edit (the server enforces it; the form is read-only for members).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { describeError, request } from "../api/graphql.ts";
import {
  NOTIFICATION_SETTINGS,
  type NotificationSettings,
  ROTATE_WEBHOOK_SECRET,
  SAVE_NOTIFICATION_SETTINGS,
  type SaveInput,
  TEST_WEBHOOK,
} from "../api/notifications.ts";
import { useCanManage } from "../api/queries.ts";
import { CopyField, Dialog, ErrorNote, formatTime } from "../components/ui.tsx";
import { WebhookDeliveries } from "./notifications-deliveries.tsx";
import { NodePolicies } from "./notifications-policies.tsx";

export const settingsKey = ["notification-settings"];

type Form = Omit<NotificationSettings, "webhookSecretSet" | "webhookSecretRotatedAt" | "nodeOverrides">;

function formOf(s: NotificationSettings): Form {
  return {
    nodeDownEnabled: s.nodeDownEnabled,
    diskUsageEnabled: s.diskUsageEnabled,
    diskUsageThresholdPercent: s.diskUsageThresholdPercent,
    syncStalledEnabled: s.syncStalledEnabled,
    syncStalledMinutes: s.syncStalledMinutes,
    executorOfflineEnabled: s.executorOfflineEnabled,
    webhookUrl: s.webhookUrl ?? "",
    webhookEnabled: s.webhookEnabled,
  };
}

export function NotificationSettingsScreen() {
  const canManage = useCanManage();
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: settingsKey, queryFn: () => request(NOTIFICATION_SETTINGS) });
  const settings = query.data?.notificationSettings ?? null;
  const [form, setForm] = useState<Form | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  useEffect(() => {
    if (settings && !form) setForm(formOf(settings));
  }, [settings, form]);
  const refresh = () => queryClient.invalidateQueries({ queryKey: settingsKey });
  const save = useMutation({
    mutationFn: (input: SaveInput) => request(SAVE_NOTIFICATION_SETTINGS, { input }),
    onSuccess: (data) => {
      setForm(formOf(data.saveNotificationSettings.settings));
      if (data.saveNotificationSettings.webhookSecret) setSecret(data.saveNotificationSettings.webhookSecret);
      refresh();
    },
  });
  const rotate = useMutation({
    mutationFn: () => request(ROTATE_WEBHOOK_SECRET),
    onSuccess: (data) => {
      setSecret(data.rotateWebhookSecret.secret);
      refresh();
    },
  });
  const test = useMutation({
    mutationFn: () => request(TEST_WEBHOOK),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["webhook-deliveries"] }),
  });
  const set = <K extends keyof Form>(key: K, value: Form[K]) =>
    setForm((f) => (f ? { ...f, [key]: value } : f));
  const check = (key: keyof Form, label: string) => (
    <label className="check" style={{ display: "flex", alignItems: "center", gap: "0.5rem" }}>
      <input
        type="checkbox"
        style={{ display: "inline-block", width: "auto", margin: 0 }}
        disabled={!canManage}
        checked={Boolean(form?.[key])}
        onChange={(e) => set(key, e.target.checked as never)}
      />
      {label}
    </label>
  );
  const tested = test.data?.testNotificationWebhook;
  return (
    <section aria-labelledby="notifications-title">
      <header className="page-header">
        <h1 id="notifications-title">Settings → Notifications</h1>
      </header>
      <ErrorNote error={query.error ? describeError(query.error) : null} />
      {form && settings ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate({ ...form, webhookUrl: form.webhookUrl ?? "" });
          }}
        >
          <fieldset disabled={!canManage}>
            <legend>Alert rules</legend>
            {check("nodeDownEnabled", "Node down (node_down)")}
            {check("diskUsageEnabled", "Disk usage (disk_usage)")}
            <label>
              Disk usage threshold (%)
              <input
                type="number"
                min={1}
                max={100}
                value={form.diskUsageThresholdPercent}
                onChange={(e) => set("diskUsageThresholdPercent", Number(e.target.value))}
              />
            </label>
            {check("syncStalledEnabled", "Sync stalled (sync_stalled)")}
            <label>
              Sync stalled after (minutes without a new block while syncing)
              <input
                type="number"
                min={1}
                max={1440}
                value={form.syncStalledMinutes}
                onChange={(e) => set("syncStalledMinutes", Number(e.target.value))}
              />
            </label>
            {check("executorOfflineEnabled", "Executor offline (executor_offline)")}
          </fieldset>
          <fieldset disabled={!canManage}>
            <legend>Webhook</legend>
            <label>
              Webhook URL (HTTPS POST)
              <input
                type="url"
                placeholder="https://hooks.example.com/novacula"
                value={form.webhookUrl ?? ""}
                onChange={(e) => set("webhookUrl", e.target.value)}
              />
            </label>
            {check("webhookEnabled", "Webhook enabled (off keeps the URL)")}
            <p className="muted">
              Signing secret:{" "}
              {settings.webhookSecretSet
                ? `set (made ${formatTime(settings.webhookSecretRotatedAt)})`
                : "made when you first save a URL"}
              . How to verify a delivery: docs/webhooks.md.
            </p>
          </fieldset>
          {canManage ? (
            <div className="form-actions">
              <button type="submit" className="primary" disabled={save.isPending}>
                Save
              </button>
              <button
                type="button"
                onClick={() => test.mutate()}
                disabled={test.isPending || !settings.webhookUrl}
              >
                Test
              </button>
              <button type="button" onClick={() => rotate.mutate()} disabled={rotate.isPending}>
                Rotate signing secret
              </button>
            </div>
          ) : (
            <p className="muted">Owners and admins change these settings.</p>
          )}
          <ErrorNote error={save.error ? describeError(save.error) : null} />
          <ErrorNote error={rotate.error ? describeError(rotate.error) : null} />
          <ErrorNote error={test.error ? describeError(test.error) : null} />
          {save.isSuccess ? <p role="status">Saved.</p> : null}
          {tested ? (
            <p role="status">
              Test delivery: {tested.ok ? "delivered" : "failed"}
              {tested.statusCode ? ` (HTTP ${tested.statusCode})` : ""}
              {tested.errorMessage ? ` — ${tested.errorMessage}` : ""}
            </p>
          ) : null}
        </form>
      ) : null}
      <Dialog open={secret !== null} title="Webhook signing secret" onClose={() => setSecret(null)}>
        <p>
          Give this secret to your receiver to verify signatures. It is shown once and cannot be read again.
        </p>
        <CopyField label="Secret" value={secret ?? ""} />
        <button type="button" className="primary" onClick={() => setSecret(null)}>
          I've stored this secret
        </button>
      </Dialog>
      {settings ? (
        <NodePolicies rows={settings.nodeOverrides} canManage={canManage} onSaved={refresh} />
      ) : null}
      <WebhookDeliveries canManage={canManage} />
    </section>
  );
}
