// What a host downloads from the control plane: a catalog client through the artifact store (a checkout's
// node_modules serves the anvil the shipped catalog names), no client binary by file name any more, and a
// clear 404 with the fix when the novacula binary is not available.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { ANVIL_SHA256 } from "../agent/helpers.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";

let cp: ControlPlaneHandle;
beforeAll(async () => {
  // `version` runs it from source (bun src/main.ts) even when NOVACULA_BINARY is set.
  cp = await startControlPlane({ version: "0.0.1-source" });
});
afterAll(() => cp.stop());

test("a control plane run from a checkout serves the catalog's anvil from its artifact store, by sha256", async () => {
  const key = await cp.createExecutorKey("downloads");
  // The first request may find the store still copying the file in (503 artifact_fetching).
  const response = await eventually(
    async () => {
      const r = await fetch(`${cp.url}/api/v1/executor/artifacts/${ANVIL_SHA256}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      if (r.status === 200) return r;
      await r.body?.cancel();
      return null;
    },
    { timeoutMs: 30_000, intervalMs: 200, message: "the stored anvil" },
  );
  const sha256 = createHash("sha256")
    .update(new Uint8Array(await response.arrayBuffer()))
    .digest("hex");
  expect(sha256).toBe(ANVIL_SHA256);
});

test("no client binary is served by file name: GET /artifacts/<file> is no route, even for a file placed in <data dir>/artifacts", async () => {
  mkdirSync(join(cp.dataDir, "artifacts"), { recursive: true });
  writeFileSync(join(cp.dataDir, "artifacts", "client-9.9.9-linux-x64"), "placed by an administrator");
  for (const file of ["anvil-1.7.1-linux-x64", "client-9.9.9-linux-x64"]) {
    const response = await fetch(`${cp.url}/artifacts/${file}`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toBe("no such route");
  }
});

test("run from source, /download/novacula is a 404 that says to build and run the binary", async () => {
  const response = await fetch(`${cp.url}/download/novacula?platform=linux-x64`);
  expect(response.status).toBe(404);
  const body = (await response.json()) as { message: string; details: { message: string }[] };
  expect(body.message).toContain("runs from source");
  expect(body.details[0]?.message).toContain("npm run build");
});
