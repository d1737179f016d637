// scripts/release.ts against a real control plane: it signs prebuilt binaries with a secret key read from a
// file, uploads them with a system admin's token and publishes the release; a key novacula does not trust
// stops it before anything is uploaded, naming the key.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { generateKeyPair } from "../../scripts/release-signing.ts";
import { testDir } from "../harness/control-plane.ts";
import { fakeBinary, type ReleaseWorld, startReleaseWorld } from "./world.ts";

const ROOT = resolve(import.meta.dir, "../..");
let w: ReleaseWorld;
let dir: string;

beforeAll(async () => {
  w = await startReleaseWorld();
  dir = testDir("release-script");
  writeFileSync(join(dir, "x64"), fakeBinary("3.4.0", "linux-x64"));
  writeFileSync(join(dir, "arm64"), fakeBinary("3.4.0", "linux-arm64"));
  writeFileSync(join(dir, "notes.md"), "Faster syncs.\n");
}, 120_000);

afterAll(() => w.cp.stop());

function release(secretKey: string, version = "3.4.0") {
  const keyFile = join(dir, `${crypto.randomUUID()}.key`);
  writeFileSync(keyFile, secretKey, { mode: 0o600 });
  const p = Bun.spawnSync(
    [
      join(ROOT, "node_modules/.bin/bun"),
      join(ROOT, "scripts/release.ts"),
      "--version",
      version,
      "--channel",
      "beta",
      "--control-plane",
      w.cp.url,
      "--notes-file",
      join(dir, "notes.md"),
      "--binary",
      `linux-x64=${join(dir, "x64")}`,
      "--binary",
      `linux-arm64=${join(dir, "arm64")}`,
    ],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        NOVACULA_RELEASE_TOKEN: w.adminToken,
        NOVACULA_RELEASE_SECRET_KEY_FILE: keyFile,
        // The control plane's throwaway key: the script checks against the same trusted set (from source).
        NOVACULA_TEST_RELEASE_KEY: w.key.publicKey.split("\n")[1]!,
      },
    },
  );
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

test("the release script signs, uploads and publishes both platforms' binaries with the notes", async () => {
  const r = release(w.key.secretKey);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  const listed = await w.cp.gql(
    `{ executorReleases(where: { channel: beta }) { version channel notes artifacts { platform sizeBytes keyId } } }`,
    {},
    { cookie: w.cookie },
  );
  expect(listed.data.executorReleases).toEqual([
    {
      version: "3.4.0",
      channel: "beta",
      notes: "Faster syncs.\n",
      artifacts: [
        { platform: "linux-x64", sizeBytes: fakeBinary("3.4.0", "linux-x64").length, keyId: w.key.keyId },
        { platform: "linux-arm64", sizeBytes: fakeBinary("3.4.0", "linux-arm64").length, keyId: w.key.keyId },
      ],
    },
  ]);
});

test("a secret key novacula does not trust stops the script before any upload, naming the key", async () => {
  const stranger = generateKeyPair();
  const r = release(stranger.secretKey, "3.5.0");
  expect(r.code).toBe(1);
  expect(r.err).toContain(`key ${stranger.keyId} is not a release key novacula trusts`);
  const listed = await w.cp.gql("{ executorReleases { version } }", {}, { cookie: w.cookie });
  expect(listed.data.executorReleases.map((x: { version: string }) => x.version)).not.toContain("3.5.0");
});
