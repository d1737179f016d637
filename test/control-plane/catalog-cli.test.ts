// `novacula control-plane catalog import FILE` and `catalog list`, run as a user would (the compiled binary
// when NOVACULA_BINARY names it): a good file lands in the database and a running control plane serves it
// within seconds; a bad file exits 2 naming each entry's index and field with the fix, and imports nothing.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { novacula } from "../harness/cli.ts";
import { type ControlPlaneHandle, startControlPlane, testDir } from "../harness/control-plane.ts";
import { demoEntry, LIST } from "./catalog-kit.ts";

let cp: ControlPlaneHandle;
let env: Record<string, string>;

beforeAll(async () => {
  cp = await startControlPlane();
  env = { NOVACULA_DATA_DIR: cp.dataDir };
});
afterAll(() => cp.stop());

function file(name: string, content: unknown): string {
  const path = join(testDir("catalog-cli"), name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

test("an imported file is listed, and the running control plane serves it without a restart", async () => {
  const imported = await novacula(
    ["control-plane", "catalog", "import", file("good.json", [demoEntry("2.0.0"), demoEntry("2.0.1", null)])],
    env,
  );
  expect(imported.stderr).toBe("");
  expect(imported.code).toBe(0);
  expect(imported.stdout).toContain("2 catalog entries imported");

  const listed = await novacula(["control-plane", "catalog", "list"], env);
  expect(listed.code).toBe(0);
  expect(listed.stdout).toContain("demo democlient 2.0.1 [added] linux-x64/client unverified");
  expect(listed.stdout).toContain("devnet anvil 1.7.1 [shipped] linux-x64/client verified");

  const cookie = await cp.adminSession();
  const versions = await eventually(
    async () => {
      const answer = await cp.gql(LIST, { c: "demo" }, { cookie });
      const found = answer.data.clientCatalog.map((e: { version: string }) => e.version);
      if (!found.includes("2.0.0")) throw new Error(`not yet: ${found}`);
      return found;
    },
    { timeoutMs: 5_000, message: "the control plane sees the import" },
  );
  expect(versions).toEqual(["2.0.1", "2.0.0"]);
});

test("a bad file exits 2 naming each entry's index, field and fix, and imports nothing", async () => {
  const bad = demoEntry("3.0.0") as any;
  bad.platforms["linux-x64"].client.sha256 = "not-a-checksum";
  bad.platforms["linux-arm64"].client.format = "rar";
  const result = await novacula(
    ["control-plane", "catalog", "import", file("bad.json", [demoEntry("3.0.1"), bad])],
    env,
  );
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("nothing was imported");
  expect(result.stderr).toContain(
    "entry 1 (demo democlient 3.0.0), field /platforms/linux-x64/client/sha256: must be the 64 lowercase hex digits",
  );
  expect(result.stderr).toContain(
    'entry 1 (demo democlient 3.0.0), field /platforms/linux-arm64/client/format: must be "binary", "tar.gz" or "zip"',
  );
  expect(result.stderr).toContain("hint: fix each field named above");
  const listed = await novacula(["control-plane", "catalog", "list"], env);
  expect(listed.stdout).not.toContain("democlient 3.0.1");
});

test("a missing file, broken JSON and a wrong command each exit 2 with the fix", async () => {
  const missing = await novacula(["control-plane", "catalog", "import", join(cp.dataDir, "nope.json")], env);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain("cannot read");
  const broken = await novacula(["control-plane", "catalog", "import", file("broken.json", "[{")], env);
  expect(broken.code).toBe(2);
  expect(broken.stderr).toContain("is not JSON");
  const wrong = await novacula(["control-plane", "catalog", "export"], env);
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toContain("unknown catalog command: export");
});
