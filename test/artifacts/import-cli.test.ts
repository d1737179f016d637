// `novacula control-plane artifact import FILE`, as an administrator of an air-gapped site runs it: the file
// is stored by its sha256 and the hash printed; executors are then served it with no upstream at all. Bad
// invocations exit 2 with the fix.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { novacula } from "../harness/cli.ts";
import { type ArtifactControlPlane, startArtifactControlPlane } from "./control-plane.ts";
import { fileBytes, sha256Of } from "./upstream.ts";

const T = 60_000;
let h: ArtifactControlPlane;
beforeAll(async () => {
  h = await startArtifactControlPlane("artifact-import");
});
afterAll(() => h.stop());

describe("novacula control-plane artifact import", () => {
  test(
    "stores the file under its sha256, prints the hash, and executors are served it with no upstream",
    async () => {
      const bytes = fileBytes(250_000, 13);
      const file = join(h.dataDir, "bitcoind-29.0-x86_64-linux-gnu.tar.gz");
      writeFileSync(file, bytes);
      const env = { NOVACULA_DATA_DIR: h.dataDir };
      const first = await novacula(["control-plane", "artifact", "import", file], env);
      expect(first.code).toBe(0);
      expect(first.stdout).toBe(`${sha256Of(bytes)}\n`);
      expect(first.stderr).toContain("stored:");
      const stored = join(h.dataDir, "artifacts", "sha256", sha256Of(bytes));
      expect(sha256Of(new Uint8Array(readFileSync(stored)))).toBe(sha256Of(bytes));
      const again = await novacula(["control-plane", "artifact", "import", file], env);
      expect(again.code).toBe(0);
      expect(again.stderr).toContain("already stored");
      // The catalog knows nothing of it, and no upstream exists: the import alone serves it.
      const served = await h.get(sha256Of(bytes));
      expect(served.status).toBe(200);
      expect(sha256Of(new Uint8Array(await served.arrayBuffer()))).toBe(sha256Of(bytes));
    },
    T,
  );

  test(
    "a missing file, a missing argument or an unknown command exits 2 with the fix",
    async () => {
      const env = { NOVACULA_DATA_DIR: h.dataDir };
      const missing = await novacula(
        ["control-plane", "artifact", "import", "/nonexistent/geth.tar.gz"],
        env,
      );
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain("/nonexistent/geth.tar.gz: no such file");
      expect(missing.stderr).toContain("hint:");
      const none = await novacula(["control-plane", "artifact", "import"], env);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain("takes one FILE");
      const unknown = await novacula(["control-plane", "artifact", "export"], env);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("unknown artifact command: export");
    },
    T,
  );
});
