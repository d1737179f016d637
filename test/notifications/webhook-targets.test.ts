// Where a real control plane (the harness: real SQLite, real HTTP) sends webhooks: an organization's admin
// cannot point the webhook at the operator's internal network and read the answers. A URL naming a
// non-public IP literal (however it is spelled) is refused at save with the field and the fix; receivers on
// this machine (loopback, by address or by name) still get signed deliveries; the operator's
// WEBHOOK_ALLOW_PRIVATE_NETWORKS=true lets a receiver on an internal address of this machine through over
// verified TLS, and once it is unset a URL saved under it is refused when sent, recorded with the reason,
// with nothing reaching the receiver; a wrong value of the variable stops startup naming it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ControlPlaneHandle, startControlPlane, testDir } from "../harness/control-plane.ts";
import { internalAddress, selfSignedCertificate } from "./internal-network.ts";
import { Receiver, verifySignature } from "./receiver.ts";

const T = 60_000;
const SAVE = `mutation($i: SaveNotificationSettingsInput!) {
  saveNotificationSettings(input: $i) { webhookSecret settings { webhookUrl webhookEnabled } } }`;
const TEST_SEND = "mutation { testNotificationWebhook { ok statusCode errorMessage targetUrl requestBody } }";

const internal = internalAddress();
const dir = testDir("webhook-targets");
const certificate = selfSignedCertificate(dir, ["hooks.internal.test"], [internal]);
/** The control plane's environment; changed between restarts to turn the operator's setting on and off. */
const env: Record<string, string> = { NODE_EXTRA_CA_CERTS: certificate.certPath };
let cp: ControlPlaneHandle;
let cookie: string;
let loopback: Receiver;
let intranet: Receiver;
let secret: string | null = null;

const save = async (input: Record<string, unknown>) => {
  const result = await cp.gql(SAVE, { i: input }, { cookie });
  const shown = result.data?.saveNotificationSettings?.webhookSecret;
  if (shown) secret = cp.leakWatch.secret(shown) && shown;
  return result;
};
const savedUrl = async () =>
  (await cp.gql("{ notificationSettings { webhookUrl } }", {}, { cookie })).data.notificationSettings
    .webhookUrl;
const testSend = async () => {
  const result = await cp.gql(TEST_SEND, {}, { cookie });
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.testNotificationWebhook;
};

beforeAll(async () => {
  loopback = new Receiver();
  intranet = new Receiver({ hostname: internal, tls: certificate });
  cp = await startControlPlane({ dataDir: `${dir}/cp`, env });
  cookie = await cp.adminSession();
  expect((await save({ webhookUrl: loopback.url, webhookEnabled: true })).errors).toBeUndefined();
}, T);

afterAll(async () => {
  await cp?.stop();
  loopback?.stop();
  intranet?.stop();
}, T);

describe("webhook targets", () => {
  test(
    "a URL naming a non-public address is refused at save with /webhookUrl and the fix, and nothing changes",
    async () => {
      const refused = [
        `https://${internal}:${intranet.port}/hook`,
        "https://10.0.0.5/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/hook",
        "https://0.0.0.0:8080/hook",
        "https://224.0.0.1/hook",
        "https://[fd00::2]/hook",
        "https://[fe80::1]/hook",
        "https://[::]/hook",
        // Spellings the URL parser turns into a private address: hexadecimal, one number, IPv4-mapped IPv6.
        "https://0x0a.0.0.1/hook",
        "https://167772161/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://[0:0:0:0:0:ffff:a9fe:a9fe]/latest/meta-data/",
        // IPv6 forms that reach an IPv4 address (NAT64, 6to4) and documentation ranges.
        "https://[64:ff9b::a00:5]/hook",
        "https://[2002:a00:5::]/hook",
        "https://[2001:db8::1]/hook",
      ];
      for (const webhookUrl of refused) {
        const answer = await save({ webhookUrl });
        const error = answer.errors?.[0];
        expect(error?.extensions?.code, webhookUrl).toBe("bad_request");
        const detail = error?.extensions?.details?.find((d) => d.path === "/webhookUrl");
        expect(detail?.message, webhookUrl).toMatch(
          /is (a private|a link-local|a unique-local|a carrier-grade NAT|the unspecified|a multicast|not a public).*use a receiver at a public address.*WEBHOOK_ALLOW_PRIVATE_NETWORKS=true/,
        );
      }
      expect(await savedUrl()).toBe(loopback.url);
      // Public addresses and names are accepted (names are checked when a delivery resolves them).
      for (const webhookUrl of [
        "https://8.8.8.8/hook",
        "https://[2606:4700::1111]/hook",
        "https://hooks.example.com/x",
      ]) {
        expect((await save({ webhookUrl })).errors, webhookUrl).toBeUndefined();
      }
      expect((await save({ webhookUrl: loopback.url })).errors).toBeUndefined();
    },
    T,
  );

  test(
    "a receiver on this machine still gets signed deliveries, by loopback address and by the name localhost",
    async () => {
      for (const url of [loopback.url, `http://localhost:${loopback.port}/hook`]) {
        expect((await save({ webhookUrl: url })).errors).toBeUndefined();
        const before = loopback.received.length;
        const sent = await testSend();
        expect(sent, url).toMatchObject({ ok: true, statusCode: 200, errorMessage: null, targetUrl: url });
        expect(loopback.received.length).toBe(before + 1);
        const got = loopback.received.at(-1)!;
        expect(got.body).toBe(sent.requestBody);
        expect(verifySignature(secret!, got.headers["x-novacula-signature"], got.body)).toBe(true);
        expect(got.headers.host).toBe(new URL(url).host);
      }
    },
    T,
  );

  test(
    "WEBHOOK_ALLOW_PRIVATE_NETWORKS=true lets an internal receiver through; unset again, its URL is refused when sent and recorded",
    async () => {
      env.WEBHOOK_ALLOW_PRIVATE_NETWORKS = "true";
      await cp.restart();
      cookie = await cp.adminSession();
      expect((await save({ webhookUrl: intranet.url })).errors).toBeUndefined();
      const sent = await testSend();
      expect(sent).toMatchObject({ ok: true, statusCode: 200, targetUrl: intranet.url });
      expect(intranet.received).toHaveLength(1);
      expect(
        verifySignature(secret!, intranet.received[0]!.headers["x-novacula-signature"], sent.requestBody),
      ).toBe(true);

      delete env.WEBHOOK_ALLOW_PRIVATE_NETWORKS;
      await cp.restart();
      cookie = await cp.adminSession();
      const refused = await testSend();
      expect(refused).toMatchObject({ ok: false, statusCode: null, targetUrl: intranet.url });
      expect(refused.errorMessage).toMatch(
        new RegExp(`^refused: ${internal.replaceAll(".", "\\.")} is .*WEBHOOK_ALLOW_PRIVATE_NETWORKS=true`),
      );
      expect(intranet.received).toHaveLength(1);
      const recorded = (await cp.gql("{ webhookDeliveries { ok errorMessage targetUrl } }", {}, { cookie }))
        .data.webhookDeliveries;
      expect(recorded[0]).toEqual({ ok: false, errorMessage: refused.errorMessage, targetUrl: intranet.url });
    },
    T,
  );

  test(
    "a wrong WEBHOOK_ALLOW_PRIVATE_NETWORKS stops startup naming the variable and the fix",
    async () => {
      // A control plane that starts anyway is stopped again, so the failure leaves no process behind.
      const started = startControlPlane({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: "yes" } }).then(
        async (running) => {
          await running.stop();
          return "started";
        },
      );
      await expect(started).rejects.toThrow(
        /WEBHOOK_ALLOW_PRIVATE_NETWORKS="yes" is not valid[\s\S]*true or false/,
      );
    },
    T,
  );
});
