// What a host downloads from the control plane: the client binaries the adapters pin (from the data
// directory, or a checkout's node_modules), and a clear 404 with the fix when something is not available.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { anvilArtifact } from "../../src/adapters/devnet/anvil/adapter.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";

let cp: ControlPlaneHandle;
beforeAll(async () => {
  // `version` runs it from source (bun src/main.ts) even when NOVACULA_BINARY is set.
  cp = await startControlPlane({ version: "0.0.1-source" });
});
afterAll(() => cp.stop());

test("a control plane run from a checkout serves the anvil build the devnet adapter pins", async () => {
  const artifact = anvilArtifact("1.7.1", "linux-x64")!;
  const response = await fetch(`${cp.url}/artifacts/${artifact.fileName}`);
  expect(response.status).toBe(200);
  const sha256 = createHash("sha256")
    .update(new Uint8Array(await response.arrayBuffer()))
    .digest("hex");
  expect(sha256).toBe(artifact.sha256);
});

test("a file an administrator puts in <data dir>/artifacts is served as it is", async () => {
  mkdirSync(join(cp.dataDir, "artifacts"), { recursive: true });
  writeFileSync(join(cp.dataDir, "artifacts", "client-9.9.9-linux-x64"), "placed by an administrator");
  const response = await fetch(`${cp.url}/artifacts/client-9.9.9-linux-x64`);
  expect(await response.text()).toBe("placed by an administrator");
});

test("a missing artifact is a 404 that says where an administrator puts it", async () => {
  const response = await fetch(`${cp.url}/artifacts/geth-0.0.0-linux-x64`);
  expect(response.status).toBe(404);
  const body = (await response.json()) as { code: string; details: { message: string }[] };
  expect(body.code).toBe("not_found");
  expect(body.details[0]?.message).toContain(join(cp.dataDir, "artifacts", "geth-0.0.0-linux-x64"));
});

test("run from source, /download/novacula is a 404 that says to build and run the binary", async () => {
  const response = await fetch(`${cp.url}/download/novacula?platform=linux-x64`);
  expect(response.status).toBe(404);
  const body = (await response.json()) as { message: string; details: { message: string }[] };
  expect(body.message).toContain("runs from source");
  expect(body.details[0]?.message).toContain("npm run build");
});
