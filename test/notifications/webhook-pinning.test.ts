// Delivery-time address checks of the webhook worker (WebhookDispatcher on a real SQLite file, sending real
// HTTPS to a real receiver on an internal address of this machine). Host names are resolved through the
// resolver the dispatcher is given: this machine's resolver knows no name for a non-loopback internal
// address, so the test names one (hooks.internal.test) that only this resolver knows. That also shows the
// pinning: the receiver can only be reached at the address the check saw, since nothing else resolves it.
// A name answering with an internal address is refused and recorded (and retried only as the retry policy
// says); allowed by the operator, the request goes to the checked address, carries the name as Host and
// verifies the certificate against the name; the name is resolved once per attempt.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type Db, openDatabase } from "../../src/db/client.ts";
import { upsertNotificationSettings } from "../../src/db/queries/notifications.ts";
import {
  insertOutbox,
  listDeliveries,
  pendingOutboxCount,
} from "../../src/db/queries/notifications-webhooks.ts";
import { systemClock } from "../../src/lib/clock.ts";
import { eventually } from "../../src/lib/eventually.ts";
import { createLogger } from "../../src/lib/log.ts";
import { WebhookSecretBox } from "../../src/modes/control-plane/notifications/secret.ts";
import {
  DEFAULT_SETTINGS,
  NotificationSettingsService,
} from "../../src/modes/control-plane/notifications/settings.ts";
import type { ResolvedAddress } from "../../src/modes/control-plane/notifications/webhook-target.ts";
import {
  WebhookDispatcher,
  type WebhookOptions,
} from "../../src/modes/control-plane/notifications/webhooks.ts";
import { testDir } from "../harness/control-plane.ts";
import { internalAddress, selfSignedCertificate } from "./internal-network.ts";
import { Receiver, verifySignature } from "./receiver.ts";

const ORG = "org-pinning";
const NAME = "hooks.internal.test";
const log = createLogger({ level: "error", write: () => {} });
const box = new WebhookSecretBox("pinning-test-auth-secret-0123456789abcdef");
const secret = WebhookSecretBox.generate();
const internal = internalAddress();
const dir = testDir("webhook-pinning");
// The certificate names the host name only: a client verifying it against the address would fail.
const certificate = selfSignedCertificate(dir, [NAME], []);

let db: Db;
let receiver: Receiver;
let answers: Record<string, ResolvedAddress[]>;
let asked: string[];
const resolve = async (hostname: string) => {
  asked.push(hostname);
  const answer = answers[hostname];
  if (!answer) throw new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  return answer;
};

function dispatcher(options: Partial<WebhookOptions> = {}): WebhookDispatcher {
  const settings = new NotificationSettingsService(db, systemClock, box, options.allowPrivateNetworks);
  return new WebhookDispatcher(db, systemClock, settings, log, {
    retryBaseMs: 10,
    maxAttempts: 3,
    resolve,
    ca: certificate.cert,
    ...options,
  });
}

function webhookTo(hostname: string): void {
  const now = new Date();
  upsertNotificationSettings(db, {
    organizationId: ORG,
    ...DEFAULT_SETTINGS,
    webhookUrl: `https://${hostname}:${receiver.port}/hook`,
    webhookEnabled: true,
    webhookSecretSealed: box.seal(secret),
    webhookSecretRotatedAt: now,
    updatedAt: now,
  });
}

beforeAll(() => {
  receiver = new Receiver({ hostname: internal, tls: certificate });
  db = openDatabase(join(dir, "cp.db"));
  db.sqlite.exec(`INSERT INTO organization (id, name, slug, created_at) VALUES ('${ORG}', 'Org', 'org', 0)`);
});

beforeEach(() => {
  answers = { [NAME]: [{ address: internal, family: 4 }] };
  asked = [];
  webhookTo(NAME);
});

afterAll(() => {
  receiver?.stop();
  db?.close();
});

describe("webhook delivery to a resolved address", () => {
  test("a name resolving to an internal address is refused when sent, recorded with the reason, and nothing is sent", async () => {
    for (const answer of [
      [{ address: internal, family: 4 }],
      [{ address: `::ffff:${internal}`, family: 6 }],
      // One internal answer among loopback ones is enough to refuse.
      [
        { address: "127.0.0.1", family: 4 },
        { address: internal, family: 4 },
      ],
    ]) {
      answers[NAME] = answer;
      const sent = await dispatcher().test(ORG, "Org");
      expect(sent).toMatchObject({ ok: false, statusCode: null, responseBody: null });
      expect(sent.errorMessage).toMatch(
        /^refused: hooks\.internal\.test resolves to an address that is not public.*WEBHOOK_ALLOW_PRIVATE_NETWORKS=true/,
      );
      // The organization is not told what the operator's DNS answered.
      expect(sent.errorMessage).not.toContain(internal);
      expect(listDeliveries(db, ORG)[0]).toMatchObject({ id: sent.id, ok: false });
    }
    expect(receiver.received).toHaveLength(0);
  });

  test("allowed by the operator, the request goes to the checked address with the name as Host and its certificate verified", async () => {
    const sent = await dispatcher({ allowPrivateNetworks: true }).test(ORG, "Org");
    expect(sent).toMatchObject({ ok: true, statusCode: 200, errorMessage: null, responseBody: "thanks" });
    expect(asked).toEqual([NAME]);
    const got = receiver.received.at(-1)!;
    expect(got.headers.host).toBe(`${NAME}:${receiver.port}`);
    expect(verifySignature(secret, got.headers["x-novacula-signature"], got.body)).toBe(true);

    // A name the certificate does not carry, resolving to the same receiver: TLS still checks the name.
    answers["elsewhere.internal.test"] = [{ address: internal, family: 4 }];
    webhookTo("elsewhere.internal.test");
    const before = receiver.received.length;
    const mismatched = await dispatcher({ allowPrivateNetworks: true }).test(ORG, "Org");
    expect(mismatched).toMatchObject({ ok: false, statusCode: null });
    expect(mismatched.errorMessage).toMatch(
      /^could not reach the receiver: .*(ALTNAME|certificate|hostname)/i,
    );
    expect(receiver.received.length).toBe(before);
  });

  test("a refused delivery is retried as the retry policy says and then given up", async () => {
    const worker = dispatcher({ maxAttempts: 3, retryBaseMs: 10 });
    const outboxId = Bun.randomUUIDv7();
    const now = new Date();
    insertOutbox(db, {
      id: outboxId,
      organizationId: ORG,
      incidentId: null,
      body: JSON.stringify({ rule: "node_down", status: "open" }),
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
    });
    const before = receiver.received.length;
    worker.start();
    try {
      const attempts = await eventually(
        () => {
          const rows = listDeliveries(db, ORG).filter((d) => d.outboxId === outboxId);
          return rows.length === 3 && pendingOutboxCount(db, ORG) === 0 ? rows : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 50 },
      );
      expect(attempts.map((d) => d.attempt).sort()).toEqual([1, 2, 3]);
      for (const attempt of attempts) expect(attempt.errorMessage).toStartWith("refused: ");
      expect(asked.filter((n) => n === NAME)).toHaveLength(3);
    } finally {
      await worker.stop();
    }
    expect(receiver.received.length).toBe(before);
  });
});
