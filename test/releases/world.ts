// A control plane for the release tests: run from source as version 3.0.0 (so 1.x executors are out of
// support and 2.x deprecated), trusting one throwaway release key (NOVACULA_TEST_RELEASE_KEY, honoured only
// when running from source), with the admin's personal token for uploads and helpers to publish releases.
import { generateKeyPair, parseSecretKey, signMinisign } from "../../scripts/release-signing.ts";
import { call, syncExecutor } from "../control-plane/protocol-client.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { freePort } from "../tenancy/world.ts";

export const CP_VERSION = "3.0.0";

export interface ReleaseWorld {
  cp: ControlPlaneHandle;
  cookie: string;
  adminToken: string;
  key: ReturnType<typeof generateKeyPair>;
}

export async function startReleaseWorld(env: Record<string, string> = {}): Promise<ReleaseWorld> {
  const key = generateKeyPair();
  // A public URL equal to the real address, so the tenancy helpers (Api) sign users in from it.
  const port = await freePort();
  const cp = await startControlPlane({
    version: CP_VERSION,
    env: {
      PORT: String(port),
      BETTER_AUTH_URL: `http://localhost:${port}`,
      NOVACULA_TEST_RELEASE_KEY: key.publicKey.split("\n")[1]!,
      ...env,
    },
  });
  const cookie = await cp.adminSession();
  const token = await cp.gql(
    `mutation { createPersonalAccessToken(input: { name: "release-script" }) { key } }`,
    {},
    { cookie },
  );
  if (!token.data) throw new Error(`createPersonalAccessToken failed: ${JSON.stringify(token.errors)}`);
  const adminToken = token.data.createPersonalAccessToken.key as string;
  cp.leakWatch.secret(adminToken);
  return { cp, cookie, adminToken, key };
}

/** Bytes standing in for a release binary of `version` (distinct per version and platform). */
export function fakeBinary(version: string, platform = "linux-x64"): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`#!/bin/sh\necho novacula ${version} ${platform}\n${"x".repeat(4096)}\n`);
}

export async function upload(w: ReleaseWorld, bytes: Uint8Array, token = w.adminToken) {
  const response = await fetch(`${w.cp.url}/api/v1/admin/releases/binaries`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    body: Buffer.from(bytes),
  });
  return { status: response.status, json: (await response.json()) as any };
}

export function sign(w: ReleaseWorld, bytes: Uint8Array, secretKey = w.key.secretKey): string {
  return signMinisign(bytes, parseSecretKey(secretKey), `timestamp:0\tfile:novacula\thashed`);
}

export const CREATE = `mutation($data: ExecutorReleaseCreateInput!) {
  createExecutorRelease(data: $data) { id kind version channel status artifacts { platform sha256 sizeBytes keyId downloadPath } } }`;

/** Uploads, signs and publishes a release; returns the created release. */
export async function publish(
  w: ReleaseWorld,
  version: string,
  channel: "stable" | "beta" | "dev" = "stable",
  platforms: string[] = ["linux-x64"],
) {
  const artifacts = [];
  for (const platform of platforms) {
    const bytes = fakeBinary(version, platform);
    const up = await upload(w, bytes);
    if (up.status !== 200) throw new Error(`upload failed: ${up.status} ${JSON.stringify(up.json)}`);
    artifacts.push({ platform, sha256: up.json.sha256, signature: sign(w, bytes) });
  }
  const r = await w.cp.gql(
    CREATE,
    { data: { kind: "agent", version, channel, artifacts } },
    { cookie: w.cookie },
  );
  if (!r.data) throw new Error(`createExecutorRelease failed: ${JSON.stringify(r.errors)}`);
  return r.data.createExecutorRelease;
}

/** A synced agent executor at `version` on `channel`, reporting arch x64. */
export async function agent(
  w: ReleaseWorld,
  execKey: string,
  name: string,
  version: string,
  channel = "stable",
) {
  return syncExecutor(w.cp, execKey, name, { version, channel, resources: { arch: "x64", os: "linux" } });
}

export { call };
