// `bun scripts/release.ts`: publishes a novacula release to a control plane's catalog (docs/releases.md).
//   1. builds the binary for this host's platform with the version stamped (scripts/build.ts), or takes
//      prebuilt ones (--binary linux-arm64=path, repeatable);
//   2. signs each with the release secret key (minisign format), read from the file named by
//      NOVACULA_RELEASE_SECRET_KEY_FILE: the key never enters the repository or a command line;
//   3. checks the signature against the keys compiled into novacula, so a wrong key fails here, not there;
//   4. uploads each binary (PUT /api/v1/admin/releases/binaries) and publishes the release
//      (createExecutorRelease), both with a system admin's personal access token (NOVACULA_RELEASE_TOKEN),
//      created in the web UI under API keys → Personal access tokens → Create token.
// Usage: bun scripts/release.ts --version 3.1.0 --channel stable --control-plane https://cp.example.com
//        [--kind agent] [--notes-file NOTES.md] [--binary linux-x64=dist/novacula ...]
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { verifyMinisign } from "../src/lib/minisign.ts";
import { trustedReleaseKeys } from "../src/lib/release-trust.ts";
import { PLATFORMS } from "../src/protocol/artifacts.ts";
import { buildBinary } from "./build.ts";
import { parseSecretKey, signMinisign } from "./release-signing.ts";

const ROOT = resolve(import.meta.dir, "..");

function fail(message: string): never {
  console.error(`release: ${message}`);
  process.exit(1);
}

function hostPlatform(): string {
  return `${process.platform}-${process.arch}`;
}

async function main() {
  const { values } = parseArgs({
    options: {
      version: { type: "string" },
      channel: { type: "string", default: "stable" },
      kind: { type: "string", default: "agent" },
      "control-plane": { type: "string" },
      "notes-file": { type: "string" },
      binary: { type: "string", multiple: true },
    },
  });
  const version = values.version ?? fail("--version X.Y.Z is required");
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) fail(`--version ${version} is not semver (X.Y.Z)`);
  if (!["stable", "beta", "dev"].includes(values.channel!)) fail("--channel must be stable, beta or dev");
  const controlPlane = (values["control-plane"] ?? fail("--control-plane URL is required")).replace(
    /\/+$/,
    "",
  );
  const token =
    process.env.NOVACULA_RELEASE_TOKEN ??
    fail(
      "set NOVACULA_RELEASE_TOKEN to a system admin's nvp_ token (web UI: API keys → Personal access tokens → Create token)",
    );
  const keyFile =
    process.env.NOVACULA_RELEASE_SECRET_KEY_FILE ??
    fail("set NOVACULA_RELEASE_SECRET_KEY_FILE to the release secret key file (kept outside the repository)");
  const secretKey = parseSecretKey(readFileSync(keyFile, "utf8"));
  const notes = values["notes-file"] ? readFileSync(values["notes-file"], "utf8") : "";

  const binaries: { platform: string; path: string }[] = [];
  for (const spec of values.binary ?? []) {
    const [platform, path] = spec.split("=", 2);
    if (!platform || !path || !(PLATFORMS as readonly string[]).includes(platform))
      fail(`--binary ${spec}: use PLATFORM=PATH with PLATFORM one of ${PLATFORMS.join(", ")}`);
    binaries.push({ platform, path });
  }
  if (binaries.length === 0) {
    const path = join(ROOT, "dist", `novacula-${version}`);
    console.log(`release: building ${path} (${hostPlatform()}, version ${version})`);
    await buildBinary(path, version);
    const reported = Bun.spawnSync([path, "--version"]).stdout.toString().trim();
    if (!reported.includes(version))
      fail(`the built binary reports ${JSON.stringify(reported)}, not ${version}`);
    binaries.push({ platform: hostPlatform(), path });
  }

  const artifacts = [];
  for (const { platform, path } of binaries) {
    const bytes = readFileSync(path);
    const signature = signMinisign(
      bytes,
      secretKey,
      `version:${version}\tplatform:${platform}\tfile:novacula`,
    );
    try {
      verifyMinisign(bytes, signature, trustedReleaseKeys());
    } catch (error) {
      fail(`key ${secretKey.keyId} is not a release key novacula trusts: ${(error as Error).message}`);
    }
    const sha256 = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
    const upload = await fetch(`${controlPlane}/api/v1/admin/releases/binaries`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
      body: bytes,
    });
    const stored = (await upload.json().catch(() => ({}))) as { sha256?: string; message?: string };
    if (!upload.ok)
      fail(`upload of the ${platform} binary answered ${upload.status}: ${stored.message ?? ""}`);
    if (stored.sha256 !== sha256) fail(`the control plane stored ${stored.sha256}, not ${sha256}`);
    console.log(`release: uploaded ${platform} (${bytes.byteLength} bytes, sha256 ${sha256})`);
    artifacts.push({ platform, sha256, signature });
  }

  const response = await fetch(`${controlPlane}/graphql`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      query: `mutation($data: ExecutorReleaseCreateInput!) {
        createExecutorRelease(data: $data) { id kind version channel status } }`,
      variables: { data: { kind: values.kind, version, channel: values.channel, notes, artifacts } },
    }),
  });
  const result = (await response.json()) as { data?: unknown; errors?: { message: string }[] };
  if (!result.data) fail(`createExecutorRelease: ${result.errors?.map((e) => e.message).join("; ")}`);
  console.log(JSON.stringify(result.data));
}

if (import.meta.main) await main();
