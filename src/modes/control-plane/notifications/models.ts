// The notification inputs, checked at the resolver (graphql/input.ts), and the webhook URL rule: HTTPS, or
// plain HTTP to this machine only (a receiver on loopback is the one place TLS adds nothing), and no IP
// literal outside the public internet (webhook-target.ts; names are checked when a delivery resolves them).
import { type Static, Type } from "@sinclair/typebox";
import { badRequest } from "../../../lib/errors.ts";
import { literalProblem } from "./webhook-target.ts";

/** Out-of-range thresholds are clamped to 1..100 (as the reference does), not refused. */
const Threshold = Type.Integer({ description: "use a whole percentage; it is clamped to 1..100" });
const Minutes = Type.Integer({ minimum: 1, maximum: 1440, description: "use 1 to 1440 minutes" });
const Flag = Type.Boolean();
const nullable = <T extends ReturnType<typeof Type.Integer> | typeof Flag>(schema: T) =>
  Type.Optional(Type.Union([schema, Type.Null()], { description: schema.description }));

export const MAX_WEBHOOK_URL_CHARS = 2048;
export const MAX_OVERRIDES_PER_SAVE = 5000;

export const NodeOverrideInput = Type.Object({
  nodeId: Type.String({ minLength: 1, maxLength: 64, description: "use a node id from nodeOverrides" }),
  nodeDownEnabled: nullable(Flag),
  diskUsageEnabled: nullable(Flag),
  diskUsageThresholdPercent: nullable(Threshold),
  syncStalledEnabled: nullable(Flag),
  syncStalledMinutes: nullable(Minutes),
});
export type NodeOverrideInput = Static<typeof NodeOverrideInput>;

export const SaveNotificationSettingsInput = Type.Object({
  nodeDownEnabled: nullable(Flag),
  diskUsageEnabled: nullable(Flag),
  diskUsageThresholdPercent: nullable(Threshold),
  syncStalledEnabled: nullable(Flag),
  syncStalledMinutes: nullable(Minutes),
  executorOfflineEnabled: nullable(Flag),
  webhookUrl: Type.Optional(
    Type.Union([Type.String({ maxLength: MAX_WEBHOOK_URL_CHARS }), Type.Null()], {
      description: `use an https:// URL of at most ${MAX_WEBHOOK_URL_CHARS} characters, or empty for none`,
    }),
  ),
  webhookEnabled: nullable(Flag),
  nodeOverrides: Type.Optional(
    Type.Union([Type.Array(NodeOverrideInput, { maxItems: MAX_OVERRIDES_PER_SAVE }), Type.Null()], {
      description: `list at most ${MAX_OVERRIDES_PER_SAVE} nodes per save`,
    }),
  ),
});
export type SaveNotificationSettingsInput = Static<typeof SaveNotificationSettingsInput>;

export const clampThreshold = (percent: number) => Math.min(100, Math.max(1, Math.round(percent)));

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|[a-z0-9-]+\.localhost)$/i;

/** The normalized URL, or a bad_request naming `webhookUrl` and what to write instead. */
export function checkWebhookUrl(raw: string, allowPrivateNetworks = false): string {
  const fail = (problem: string) =>
    badRequest(`webhookUrl ${problem}`, [
      {
        path: "/webhookUrl",
        message: `${problem}: use an https:// URL (http:// only for this machine, e.g. http://127.0.0.1:8080/hook)`,
      },
    ]);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw fail("is not a URL");
  }
  if (url.protocol === "http:" && !LOOPBACK.test(url.hostname)) throw fail("must use HTTPS");
  if (url.protocol !== "https:" && url.protocol !== "http:") throw fail("must be an https:// URL");
  if (url.hash) throw fail("must not have a #fragment");
  const problem = literalProblem(url, allowPrivateNetworks);
  if (problem) {
    throw badRequest(`webhookUrl must name a public address: ${problem}`, [
      {
        path: "/webhookUrl",
        message: `${problem}: use a receiver at a public address or name (or on this machine); the operator allows internal receivers with WEBHOOK_ALLOW_PRIVATE_NETWORKS=true`,
      },
    ]);
  }
  return url.toString();
}
