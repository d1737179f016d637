// The self-upgrade core on real files and real HTTP, without systemd (test/e2e/agent-self-upgrade.test.ts runs
// it under systemd): signatures made by the real `minisign` tool are accepted and every forgery refused; a
// download resumes with Range; the swap leaves the new binary in place and the old one as .prev; and what a
// process finds at start (marker, rollback reason) is classified and reported.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UpgradeRefusedError } from "../../src/executor/self-upgrade/codes.ts";
import { downloadRelease } from "../../src/executor/self-upgrade/download.ts";
import { upgradePaths } from "../../src/executor/self-upgrade/files.ts";
import { SelfUpgrader, type UpgradeHost } from "../../src/executor/self-upgrade/self-upgrader.ts";
import { minisignVerifier } from "../../src/executor/self-upgrade/signature.ts";
import { silentLogger } from "../../src/lib/log.ts";
import { parsePublicKey } from "../../src/lib/minisign.ts";
import type { RuntimeEvent } from "../../src/protocol/executor-api.ts";
import { testWorkDir } from "../harness/systemd.ts";
import {
  type FaultServer,
  type MinisignKey,
  minisignAvailable,
  minisignKeyPair,
  minisignSign,
  sha256Of,
  startFaultServer,
} from "../harness/upgrade.ts";

const skip = !minisignAvailable();
let dir: string;
let trusted: MinisignKey;
let stranger: MinisignKey;
let server: FaultServer;
let releasePath: string;

beforeAll(() => {
  if (skip) return;
  dir = testWorkDir("self-upgrade-core");
  trusted = minisignKeyPair(dir, "trusted");
  stranger = minisignKeyPair(dir, "stranger");
  releasePath = join(dir, "release.bin");
  writeFileSync(releasePath, Buffer.alloc(3 * 1024 * 1024 + 17, 7));
  // Only its release files are used here: no control plane behind it.
  server = startFaultServer(null);
});
afterAll(() => server?.stop());

const open = (url: string, from: number, signal: AbortSignal) =>
  fetch(url, { signal, headers: from > 0 ? { range: `bytes=${from}-` } : {} });
const verifierOf = (...keys: MinisignKey[]) => minisignVerifier(keys.map((k) => parsePublicKey(k.publicKey)));

describe.skipIf(skip)("minisign signatures", () => {
  test("a signature from the minisign tool by a trusted key verifies and names the key", async () => {
    const verifier = verifierOf(trusted, stranger);
    const result = await verifier.verify(releasePath, minisignSign(releasePath, trusted));
    expect(result).toEqual({ ok: true, keyId: expect.stringMatching(/^[0-9A-F]{16}$/) });
  });

  test("a changed byte, a changed trusted comment, an unknown key and garbage are all refused", async () => {
    const verifier = verifierOf(trusted);
    const signature = minisignSign(releasePath, trusted);
    const tampered = readFileSync(releasePath);
    tampered[1000] = (tampered[1000] ?? 0) ^ 1;
    expect(await verifier.verify(tampered, signature)).toMatchObject({
      ok: false,
      reason: "signature_invalid",
    });
    const lines = signature.split("\n");
    lines[2] = `${lines[2]} (edited)`;
    expect(await verifier.verify(releasePath, lines.join("\n"))).toMatchObject({
      ok: false,
      reason: "signature_invalid",
    });
    expect(await verifier.verify(releasePath, minisignSign(releasePath, stranger))).toMatchObject({
      ok: false,
      reason: "signature_unknown_key",
    });
    expect(await verifier.verify(releasePath, "untrusted comment: x\nnot base64\n")).toMatchObject({
      ok: false,
      reason: "signature_invalid",
    });
    expect(await verifierOf().verify(releasePath, signature)).toMatchObject({
      ok: false,
      reason: "signature_unknown_key",
    });
  });
});

describe.skipIf(skip)("resumable download", () => {
  test("a download cut mid-way keeps its bytes and the next attempt resumes them with Range", async () => {
    server.releases.set("cut", { path: releasePath, cutAfterBytes: 1024 * 1024 });
    const path = join(dir, "cut.download");
    const options = {
      url: `${server.url}/releases/cut`,
      path,
      open,
      timeoutMs: 30_000,
      idleTimeoutMs: 10_000,
    };
    const error = await downloadRelease(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpgradeRefusedError);
    expect((error as UpgradeRefusedError).code).toBe("download_failed");
    expect(readFileSync(path).length).toBe(1024 * 1024);
    server.releases.set("cut", { path: releasePath });
    const result = await downloadRelease(options);
    expect(result.sha256).toBe(sha256Of(releasePath));
    expect(server.releaseRanges.at(-1)).toBe(`bytes=${1024 * 1024}-`);
    expect(sha256Of(path)).toBe(sha256Of(releasePath));
  });

  test("a part longer than the file (416) is dropped, so the next attempt starts over instead of failing forever", async () => {
    server.releases.set("whole", { path: releasePath });
    const path = join(dir, "long.download");
    writeFileSync(path, Buffer.alloc(4 * 1024 * 1024, 1));
    const options = {
      url: `${server.url}/releases/whole`,
      path,
      open,
      timeoutMs: 30_000,
      idleTimeoutMs: 10_000,
    };
    const first = await downloadRelease(options).catch((e: unknown) => e);
    expect((first as UpgradeRefusedError).code).toBe("download_failed");
    await downloadRelease(options);
    expect(sha256Of(path)).toBe(sha256Of(releasePath));
  });
});

/** The host boundary (systemd in production) as files: what was armed and restarted. */
function recordingHost(): UpgradeHost & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    unsupportedReason: () => null,
    armGuard: async () => void calls.push("arm"),
    disarmGuard: async () => void calls.push("disarm"),
    restart: async () => void calls.push("restart"),
  };
}

function upgrader(binary: string, version: string, host: UpgradeHost, events: RuntimeEvent[]) {
  return new SelfUpgrader({
    binaryPath: binary,
    currentVersion: version,
    verifier: verifierOf(trusted),
    host,
    open,
    baseUrl: server.url,
    logger: silentLogger,
    emit: (e) => events.push(e),
  });
}

describe.skipIf(skip)("swap and start-up states", () => {
  test("apply swaps the verified file in with rename, keeps the old binary as .prev, arms the guard, then restarts", async () => {
    const binary = join(dir, "swap", "novacula");
    writeFileSync(join(dir, "placeholder"), "");
    await Bun.write(binary, "old binary");
    server.releases.set("good", { path: releasePath });
    const host = recordingHost();
    const events: RuntimeEvent[] = [];
    const u = upgrader(binary, "1.0.0", host, events);
    // A path relative to the control plane is resolved against it.
    await u.apply({
      kind: "agent",
      targetVersion: "1.0.1",
      downloadUrl: "/releases/good",
      sha256: sha256Of(releasePath),
      signature: minisignSign(releasePath, trusted),
    });
    expect(sha256Of(binary)).toBe(sha256Of(releasePath));
    expect(readFileSync(`${binary}.prev`, "utf8")).toBe("old binary");
    expect(JSON.parse(readFileSync(`${binary}.upgrade-pending`, "utf8"))).toMatchObject({
      targetVersion: "1.0.1",
      previousVersion: "1.0.0",
    });
    expect(host.calls).toEqual(["arm", "restart"]);
    expect(events).toEqual([]);

    // The new version starts: on probation until its first sync, then kept.
    const next = upgrader(binary, "1.0.1", recordingHost(), events);
    expect(await next.recover()).toEqual({ kind: "probation", previousVersion: "1.0.0" });
    await next.confirm();
    expect(existsSync(`${binary}.upgrade-pending`)).toBe(false);
    expect(events.map((e) => e.reason)).toEqual(["upgrade.completed"]);
  });

  test("the previous version brought back by the rollback unit reports the reason it left, once", async () => {
    const binary = join(dir, "rolled", "novacula");
    await Bun.write(binary, "old binary");
    const paths = upgradePaths(binary);
    writeFileSync(
      paths.marker,
      JSON.stringify({
        targetVersion: "2.0.0",
        previousVersion: "1.0.0",
        sha256: "a".repeat(64),
        startedAt: "x",
      }),
    );
    writeFileSync(paths.rollbackReason, "exited_at_once\n");
    const events: RuntimeEvent[] = [];
    const host = recordingHost();
    expect(await upgrader(binary, "1.0.0", host, events).recover()).toMatchObject({
      kind: "rolled_back",
      code: "exited_at_once",
    });
    expect(events).toMatchObject([
      {
        reason: "upgrade.rolled_back",
        payload: { code: "exited_at_once", targetVersion: "2.0.0", runningVersion: "1.0.0" },
      },
    ]);
    expect(existsSync(paths.marker) || existsSync(paths.rollbackReason)).toBe(false);
    expect(host.calls).toEqual(["disarm"]);
    // The same release is not offered again at once (no upgrade loop while the control plane catches up).
    const again = upgrader(binary, "1.0.0", recordingHost(), events);
    await again.recover();
    expect(JSON.parse(readFileSync(paths.failed, "utf8"))).toMatchObject({ sha256: "a".repeat(64) });
  });

  test("a marker left by a swap that was killed before the rename is reported as interrupted, and cleared", async () => {
    const binary = join(dir, "killed", "novacula");
    await Bun.write(binary, "old binary");
    const paths = upgradePaths(binary);
    writeFileSync(
      paths.marker,
      JSON.stringify({
        targetVersion: "2.0.0",
        previousVersion: "1.0.0",
        sha256: "b".repeat(64),
        startedAt: "x",
      }),
    );
    const events: RuntimeEvent[] = [];
    expect(await upgrader(binary, "1.0.0", recordingHost(), events).recover()).toMatchObject({
      kind: "interrupted",
    });
    expect(events).toMatchObject([{ reason: "upgrade.refused", payload: { code: "interrupted" } }]);
    expect(existsSync(paths.marker)).toBe(false);
    expect(readFileSync(binary, "utf8")).toBe("old binary");
  });
});
