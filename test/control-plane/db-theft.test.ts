// A copy of the database alone is not enough to become anyone: session tokens are stored as hashes and
// the cookie-signing secret lives in a file beside the database (mode 0600), or in the environment.
// The attacker's attempt is real: read the copy with SQLite, sign a cookie as better-auth does, send it.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ControlPlaneHandle, startControlPlane, testDir } from "../harness/control-plane.ts";

const SECRET_FILE = "auth-secret";
let cp: ControlPlaneHandle;
let cookie: string;

beforeAll(async () => {
  cp = await startControlPlane();
  cookie = await cp.adminSession();
});
afterAll(() => cp.stop());

/** better-auth's signed session cookie: `token.base64(HMAC-SHA256(secret, token))`, URL-encoded. */
async function forgeCookie(token: string, secret: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(token));
  const value = `${token}.${btoa(String.fromCharCode(...new Uint8Array(signature)))}`;
  return `better-auth.session_token=${encodeURIComponent(value)}`;
}

const whoAmI = async (c: string) =>
  (await cp.gql(`{ me { email systemAdmin } }`, {}, { cookie: c })).data?.me;

/** The database file alone (and its WAL, which sits beside it), copied to a fresh place and opened. */
function stealDatabase(): Database {
  const loot = testDir("loot");
  for (const suffix of ["", "-wal"]) {
    const source = join(cp.dataDir, `cp.db${suffix}`);
    if (existsSync(source)) copyFileSync(source, join(loot, `cp.db${suffix}`));
  }
  return new Database(join(loot, "cp.db"), { readonly: false });
}

describe("a stolen database mints no session", () => {
  test("session rows and the database's settings give nothing that signs in", async () => {
    expect((await whoAmI(cookie))?.email).toBe(cp.adminEmail);
    const db = stealDatabase();
    const tokens = db.query("SELECT token FROM session").all() as { token: string }[];
    const secrets = (db.query("SELECT key, value FROM instance_settings").all() as { value: string }[]).map(
      (r) => r.value,
    );
    db.close();
    expect(tokens.length).toBeGreaterThan(0);
    // What the attacker would sign with: any setting value, and — as if the secret had leaked too — the
    // real secret, which must not help either, because the stored token is not the cookie's token.
    const secretFile = join(cp.dataDir, SECRET_FILE);
    const realSecret = existsSync(secretFile) ? [readFileSync(secretFile, "utf8").trim()] : [];
    for (const { token } of tokens) {
      for (const secret of [...secrets, ...realSecret]) {
        expect(await whoAmI(await forgeCookie(token, secret))).toBeFalsy();
      }
      expect(await whoAmI(`better-auth.session_token=${encodeURIComponent(token)}`)).toBeFalsy();
    }
  });

  test("the secret is kept beside the database, mode 0600, and not inside it", () => {
    const file = join(cp.dataDir, SECRET_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8").trim().length).toBeGreaterThanOrEqual(32);
    const db = stealDatabase();
    const rows = db.query("SELECT value FROM instance_settings").all() as { value: string }[];
    db.close();
    expect(rows.map((r) => r.value)).not.toContain(readFileSync(file, "utf8").trim());
  });
});

describe("sessions keep working", () => {
  test("a session survives a restart, and sign-in still works", async () => {
    await cp.restart();
    expect((await whoAmI(cookie))?.email).toBe(cp.adminEmail);
    const fresh = await cp.adminSession();
    expect((await whoAmI(fresh))?.systemAdmin).toBe(true);
  }, 60_000);

  test("sign-out ends the session (the stored hash is found from the cookie's token)", async () => {
    const session = await cp.adminSession();
    const out = await fetch(`${cp.url}/api/auth/sign-out`, {
      method: "POST",
      headers: { cookie: session, origin: cp.url.replace("127.0.0.1", "localhost") },
    });
    expect(out.status).toBe(200);
    expect(await whoAmI(session)).toBeFalsy();
    expect((await whoAmI(cookie))?.email).toBe(cp.adminEmail);
  });

  test("an older database's secret and plaintext sessions are moved out and hashed on start", async () => {
    await cp.stop();
    // As an older version left it: the secret in the database, no secret file, a plaintext token.
    const legacySecret = "legacy-secret-0123456789abcdef0123456789abcdef";
    const legacyToken = "LegacyPlainTokenLegacyPlainToken";
    rmSync(join(cp.dataDir, SECRET_FILE));
    const db = new Database(join(cp.dataDir, "cp.db"));
    db.run("INSERT OR REPLACE INTO instance_settings (key, value) VALUES ('auth_secret', ?)", [legacySecret]);
    const admin = db.query("SELECT user_id FROM session LIMIT 1").get() as { user_id: string };
    db.run(
      `INSERT INTO session (id, expires_at, token, created_at, updated_at, user_id)
       VALUES ('legacy-session', ?, ?, ?, ?, ?)`,
      [Date.now() + 86_400_000, legacyToken, Date.now(), Date.now(), admin.user_id],
    );
    db.close();
    await cp.restart();
    expect(readFileSync(join(cp.dataDir, SECRET_FILE), "utf8").trim()).toBe(legacySecret);
    expect((await whoAmI(await forgeCookie(legacyToken, legacySecret)))?.email).toBe(cp.adminEmail);
    const after = new Database(join(cp.dataDir, "cp.db"), { readonly: true });
    const stored = after.query("SELECT token FROM session WHERE id = 'legacy-session'").get() as {
      token: string;
    };
    const setting = after.query("SELECT value FROM instance_settings WHERE key = 'auth_secret'").get();
    after.close();
    expect(stored.token).not.toBe(legacyToken);
    expect(setting).toBeNull();
  }, 60_000);

  test("BETTER_AUTH_SECRET_FILE names where the secret is read from", async () => {
    await cp.stop();
    const elsewhere = join(testDir("secret"), "secret");
    writeFileSync(elsewhere, `${"s".repeat(48)}\n`, { mode: 0o600 });
    const other = await startControlPlane({ env: { BETTER_AUTH_SECRET_FILE: elsewhere } });
    try {
      const session = await other.adminSession();
      const first = session.split("; ")[0]!;
      const token = decodeURIComponent(first.split("=")[1]!).split(".")[0]!;
      expect(first).toBe(await forgeCookie(token, "s".repeat(48)));
      expect(existsSync(join(other.dataDir, SECRET_FILE))).toBe(false);
    } finally {
      await other.stop();
    }
  }, 60_000);
});
