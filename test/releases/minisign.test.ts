// Release signatures in the minisign format: ours and the minisign tool's (the reference implementation,
// a Debian package the suite installs) verify each other's signatures and keys; a signature over other
// bytes, by an unknown key, with an altered trusted comment or in a broken format is refused with that
// reason; and a compiled binary cannot be told through its environment to trust another key.
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { generateKeyPair, parseSecretKey, signMinisign } from "../../scripts/release-signing.ts";
import { minisignVerifier } from "../../src/executor/self-upgrade/signature.ts";
import { MinisignError, parsePublicKey, verifyMinisign } from "../../src/lib/minisign.ts";
import { RELEASE_PUBLIC_KEYS } from "../../src/protocol/release-keys.ts";
import { resolveDownloadUrl } from "../../src/protocol/upgrade.ts";
import { testDir } from "../harness/control-plane.ts";

const MINISIGN = "/usr/bin/minisign";
const ROOT = resolve(import.meta.dir, "../..");

function run(cmd: string[], env: Record<string, string> = {}) {
  const p = Bun.spawnSync(cmd, { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } });
  return { code: p.exitCode, out: p.stdout.toString() + p.stderr.toString() };
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof MinisignError) return error.reason;
    throw error;
  }
  return "accepted";
}

describe("interoperability with the minisign tool", () => {
  const dir = testDir("minisign");
  const file = join(dir, "novacula");
  const bytes = new TextEncoder().encode(`release binary ${crypto.randomUUID()}\n`.repeat(1000));
  writeFileSync(file, bytes);

  test("minisign verifies a signature made with our key pair, and signs with our secret key file", () => {
    const pair = generateKeyPair();
    writeFileSync(join(dir, "ours.pub"), pair.publicKey);
    writeFileSync(join(dir, "ours.key"), pair.secretKey);
    writeFileSync(
      `${file}.minisig`,
      signMinisign(bytes, parseSecretKey(pair.secretKey), "file:novacula\thashed"),
    );
    const verified = run([MINISIGN, "-V", "-m", file, "-p", join(dir, "ours.pub")]);
    expect(verified.out).toContain("Signature and comment signature verified");
    expect(verified.code).toBe(0);
    const signed = run([
      MINISIGN,
      "-S",
      "-s",
      join(dir, "ours.key"),
      "-m",
      file,
      "-x",
      join(dir, "by-tool.minisig"),
    ]);
    expect(signed.code).toBe(0);
    const ours = verifyMinisign(bytes, readFileSync(join(dir, "by-tool.minisig"), "utf8"), [
      parsePublicKey(pair.publicKey),
    ]);
    expect(ours.keyId).toBe(pair.keyId);
  });

  test("we verify what minisign signs with its own key pair, and read its secret key file", () => {
    const keyDir = join(dir, "tool");
    mkdirSync(keyDir, { recursive: true });
    expect(run([MINISIGN, "-G", "-W", "-p", join(keyDir, "k.pub"), "-s", join(keyDir, "k.key")]).code).toBe(
      0,
    );
    const trustedComment = "version:3.1.0";
    expect(run([MINISIGN, "-S", "-s", join(keyDir, "k.key"), "-m", file, "-t", trustedComment]).code).toBe(0);
    const publicKey = parsePublicKey(readFileSync(join(keyDir, "k.pub"), "utf8"));
    const result = verifyMinisign(bytes, readFileSync(`${file}.minisig`, "utf8"), [publicKey]);
    expect(result).toEqual({ keyId: publicKey.keyId, trustedComment });
    // Its secret key signs through our code too, and minisign accepts the result.
    const secret = parseSecretKey(readFileSync(join(keyDir, "k.key"), "utf8"));
    expect(secret.keyId).toBe(publicKey.keyId);
    writeFileSync(`${file}.minisig`, signMinisign(bytes, secret, "ours"));
    expect(run([MINISIGN, "-V", "-m", file, "-p", join(keyDir, "k.pub")]).code).toBe(0);
  });
});

describe("refusals", () => {
  const pair = generateKeyPair();
  const trusted = [parsePublicKey(pair.publicKey)];
  const bytes = new TextEncoder().encode("the real binary");
  const good = signMinisign(bytes, parseSecretKey(pair.secretKey), "file:novacula");

  test("each way a signature can be wrong is refused with its reason", () => {
    expect(refusal(() => verifyMinisign(bytes, good, trusted))).toBe("accepted");
    expect(refusal(() => verifyMinisign(new TextEncoder().encode("another binary"), good, trusted))).toBe(
      "invalid",
    );
    const stranger = signMinisign(bytes, parseSecretKey(generateKeyPair().secretKey), "file:novacula");
    expect(refusal(() => verifyMinisign(bytes, stranger, trusted))).toBe("unknown_key");
    const altered = good.replace("trusted comment: file:novacula", "trusted comment: file:evil");
    expect(refusal(() => verifyMinisign(bytes, altered, trusted))).toBe("invalid");
    expect(refusal(() => verifyMinisign(bytes, good.split("\n").slice(0, 2).join("\n"), trusted))).toBe(
      "malformed",
    );
    expect(refusal(() => verifyMinisign(bytes, good.replace(/^RU/m, "!!"), trusted))).toBe("malformed");
    expect(refusal(() => verifyMinisign(bytes, good, []))).toBe("unknown_key");
  });

  test("the compiled-in release keys parse, with the key ids they claim, current and next", () => {
    expect(RELEASE_PUBLIC_KEYS.map((k) => k.role)).toEqual(["current", "next"]);
    for (const k of RELEASE_PUBLIC_KEYS) expect(parsePublicKey(k.publicKey).keyId).toBe(k.keyId);
    expect(new Set(RELEASE_PUBLIC_KEYS.map((k) => k.keyId)).size).toBe(2);
  });
});

describe("trust", () => {
  test("a compiled binary ignores NOVACULA_TEST_RELEASE_KEY; running from source honours it", async () => {
    const dir = testDir("trust");
    const entry = join(dir, "entry.ts");
    writeFileSync(
      entry,
      `import { trustedReleaseKeys } from ${JSON.stringify(join(ROOT, "src/lib/release-trust.ts"))};\n` +
        "console.log(trustedReleaseKeys().map((k) => k.keyId).join(','));\n",
    );
    const bun = join(ROOT, "node_modules/.bin/bun");
    const binary = join(dir, "probe");
    expect(run([bun, "build", "--compile", entry, "--outfile", binary]).code).toBe(0);
    const pair = generateKeyPair();
    const env = { NOVACULA_TEST_RELEASE_KEY: pair.publicKey.split("\n")[1]! };
    const compiled = run([binary], env).out.trim().split(",");
    expect(compiled).toEqual(RELEASE_PUBLIC_KEYS.map((k) => k.keyId));
    const fromSource = run([bun, entry], env).out.trim().split(",");
    expect(fromSource).toEqual([...RELEASE_PUBLIC_KEYS.map((k) => k.keyId), pair.keyId]);
    // A test build that was stamped with a key trusts it, whatever the environment says.
    const stamped = join(dir, "stamped");
    const define = `__NOVACULA_TEST_RELEASE_KEY__=${JSON.stringify(pair.publicKey.split("\n")[1])}`;
    expect(run([bun, "build", "--compile", "--define", define, entry, "--outfile", stamped]).code).toBe(0);
    expect(run([stamped]).out.trim().split(",")).toEqual([
      ...RELEASE_PUBLIC_KEYS.map((k) => k.keyId),
      pair.keyId,
    ]);
  }, 120_000);
});

describe("the executor's check before a swap", () => {
  test("the self-upgrade's verifier accepts the published binary and classifies a wrong file or an unknown key", async () => {
    const pair = generateKeyPair();
    const keys = [parsePublicKey(pair.publicKey)];
    const bytes = new TextEncoder().encode("novacula 3.1.0");
    const sha256 = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
    const signature = signMinisign(bytes, parseSecretKey(pair.secretKey), "file:novacula");
    const verifier = minisignVerifier(keys);
    expect(await verifier.verify(bytes, signature)).toMatchObject({ ok: true, keyId: keys[0]!.keyId });
    const truncated = bytes.slice(0, 5);
    expect(await verifier.verify(truncated, signature)).toMatchObject({
      ok: false,
      reason: "signature_invalid",
    });
    // The right bytes, signed by a key the binary does not trust.
    const stranger = signMinisign(bytes, parseSecretKey(generateKeyPair().secretKey), "file:novacula");
    const refused = await verifier.verify(bytes, stranger);
    expect(refused).toMatchObject({ ok: false, reason: "signature_unknown_key" });
    expect(resolveDownloadUrl("https://cp.example.com/", `/api/v1/executor/releases/${sha256}`)).toBe(
      `https://cp.example.com/api/v1/executor/releases/${sha256}`,
    );
    expect(resolveDownloadUrl("https://cp", "https://mirror/x")).toBe("https://mirror/x");
  });
});
