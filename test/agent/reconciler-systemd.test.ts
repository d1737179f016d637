// The reconciler's contract against a real systemd (booted in a private namespace): drift made behind the
// agent's back is repaired within the documented bound, repairBoundMs(), for both paths of the contract: the
// fast path (drift the fingerprint sees, repaired on the next tick) and the guaranteed full pass (drift it
// cannot see: a file edited in place with its size and mtime kept). The agent here is the real backend
// (reconciler, systemd supervisor, artifact installer fetching anvil over HTTP, sha256-checked), configured through a
// real agent.toml with a small `[reconciler] full_pass_secs`, and ticked the way the executor ticks it.
// Also: a devnet node the reconciler deploys runs as the node user, and its data belongs to that user.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DesiredSet } from "../../src/executor/desired-set.ts";
import { eventually } from "../../src/lib/eventually.ts";
import { silentLogger } from "../../src/lib/log.ts";
import { ArtifactInstaller } from "../../src/modes/agent/artifact-installer.ts";
import { AgentBackend } from "../../src/modes/agent/backend.ts";
import { type AgentConfig, loadAgentConfig } from "../../src/modes/agent/config.ts";
import { hostPlatform, nodePaths } from "../../src/modes/agent/layout.ts";
import { lookupNodeUser, NODE_USER, type NodeOwner } from "../../src/modes/agent/node-user.ts";
import { repairBoundMs } from "../../src/modes/agent/quiet-passes.ts";
import { SystemdSupervisor } from "../../src/modes/agent/supervisor/systemd.ts";
import type { UnitState } from "../../src/modes/agent/supervisor/types.ts";
import { bootSystemd, type SystemdNamespace, testWorkDir } from "../harness/systemd.ts";
import { devnetSpec } from "./backend-fixture.ts";
import { ANVIL_BIN, anvilArtifacts, blockNumber, freePort, startFileServer } from "./helpers.ts";

const T = 120_000;
const NODE_ID = "00000000-0000-4000-8000-00000000c0de";
const NODE = "repair-1";
const UNIT = `devnet-node@${NODE}`;
/**
 * What a repairing pass itself may take on top of the bound: a few systemctl calls and, for a restart,
 * anvil's stop (it dumps its state) and start. Generous: two cores are shared with other suites.
 */
const PASS_ALLOWANCE_MS = 15_000;

let ns: SystemdNamespace;
let config: AgentConfig;
let supervisor: SystemdSupervisor;
let backend: AgentBackend;
let owner: NodeOwner;
let port: number;
let stopTicking: () => Promise<void>;
let tickError: unknown = null;
/** Consecutive passes that changed nothing: from the second one on, a quiet node is skipped (fast path). */
let unchangedPasses = 0;
let servedAnvil: { stop: () => void };

/** Repair deadline: the documented bound plus what the repairing pass itself may take. */
const repaired = () => ({ timeoutMs: repairBoundMs(config.reconciler) + PASS_ALLOWANCE_MS, intervalMs: 100 });
const unitFile = () => join(ns.hostUnitDir, `${UNIT}.service`);
const paths = () => nodePaths(config.agent.dataDir, NODE);
const unitState = async (): Promise<UnitState | undefined> =>
  (await supervisor.list()).find((u) => u.unitName === UNIT);

/**
 * Settled, and two passes in a row changed nothing: the node is on the fast path (skipped while its
 * fingerprint holds), which is where drift has to be noticed from.
 */
async function onFastPath(): Promise<UnitState> {
  const state = await eventually(settled, repaired());
  await eventually(() => unchangedPasses >= 2, { ...repaired(), message: "the node to be skipped" });
  return state;
}

/** The node as the spec wants it: active, running the definition in its unit file, answering RPC. */
async function settled(): Promise<UnitState | null> {
  const state = await unitState();
  if (state?.activeState !== "active" || !(state.mainPid > 0) || state.definitionHash === null) return null;
  await blockNumber(port);
  return state;
}

beforeAll(async () => {
  const workDir = testWorkDir("reconciler-systemd");
  ns = await bootSystemd(join(workDir, "ns"));
  owner = await ns.ensureNodeUser();
  const artifactsDir = join(workDir, "artifacts");
  mkdirSync(artifactsDir, { recursive: true });
  copyFileSync(ANVIL_BIN, join(artifactsDir, "anvil"));
  const artifacts = startFileServer(artifactsDir);
  servedAnvil = artifacts;
  const configPath = join(workDir, "agent.toml");
  writeFileSync(
    configPath,
    [
      "[agent]",
      `data_dir = "${join(ns.nodeDataDir, "agent")}"`,
      "[control_plane]",
      'url = "http://127.0.0.1:9"',
      `access_token = "exc_${"a".repeat(40)}"`,
      "[reconciler]",
      "interval_secs = 1",
      "full_pass_secs = 3",
      "[supervisor]",
      'kind = "systemd"',
      `unit_dir = "${ns.unitDir}"`,
      "",
    ].join("\n"),
  );
  config = loadAgentConfig(configPath, {});
  supervisor = new SystemdSupervisor({ unitDir: ns.hostUnitDir, commandPrefix: ns.commandPrefix });
  backend = new AgentBackend({
    dataDir: config.agent.dataDir,
    platform: hostPlatform(),
    supervisor,
    artifacts: new ArtifactInstaller({
      dataDir: config.agent.dataDir,
      open: (url, _from, signal) => fetch(url, { signal }),
      logger: silentLogger,
    }),
    scrapeTimeoutMs: 2000,
    logger: silentLogger,
    logHint: (unit) => `journalctl -u ${unit}.service`,
    emit: () => {},
    // The agent runs in the namespace in production; here it reads the namespace's /etc/passwd.
    nodeOwner: () => lookupNodeUser(`/proc/${ns.pid}/root/etc/passwd`),
    fullPassSecs: config.reconciler.fullPassSecs,
  });
  port = await freePort();
  const desired = new DesiredSet();
  desired.apply({
    cursor: 1,
    specs: [
      {
        nodeId: NODE_ID,
        name: NODE,
        revision: 1,
        spec: devnetSpec(port),
        artifacts: anvilArtifacts(`${artifacts.url}/anvil`),
        deleted: false,
        retainData: false,
      },
    ],
  });
  // The executor's reconcile loop: one pass, then the interval, never overlapping.
  let running = true;
  const loop = (async () => {
    while (running) {
      const changed = await backend
        .reconcile(desired, new AbortController().signal)
        .catch((error: unknown) => {
          tickError = error;
          return true;
        });
      unchangedPasses = changed ? 0 : unchangedPasses + 1;
      await new Promise((resolve) => setTimeout(resolve, config.reconciler.intervalSecs * 1000));
    }
  })();
  stopTicking = async () => {
    running = false;
    await loop;
  };
  await eventually(settled, { timeoutMs: 60_000, intervalMs: 200, message: "the devnet node to run" });
}, T);

afterAll(async () => {
  await stopTicking?.();
  servedAnvil?.stop();
  await ns?.stop();
}, T);

describe("reconciler on real systemd", () => {
  test(
    "a deployed devnet node runs as the node user; its data is the node user's, its directory root's",
    async () => {
      const state = await eventually(settled, repaired());
      const status = await ns.exec(["ps", "-o", "user=", "-p", String(state.mainPid)]);
      expect(status.stdout.trim()).toBe(NODE_USER);
      const data = statSync(paths().dataDir);
      expect([data.uid, data.gid]).toEqual([owner.uid, owner.gid]);
      expect(statSync(paths().nodeDir).uid).toBe(0);
      expect(readFileSync(unitFile(), "utf8")).toContain(`\nUser=${NODE_USER}\n`);
      expect(tickError).toBeNull();
    },
    T,
  );

  test(
    "a hand-edited unit file, reloaded and restarted by hand, is put back and the node restarted on it",
    async () => {
      const before = await onFastPath();
      const original = readFileSync(unitFile(), "utf8");
      // An admin's edit that keeps the definition-hash line: only the bytes tell.
      writeFileSync(unitFile(), original.replace("--block-time 1", "--block-time 7"));
      await ns.exec(["systemctl", "daemon-reload"]);
      await ns.exec(["systemctl", "restart", `${UNIT}.service`]);
      const after = await eventually(
        async () => {
          const state = await settled().catch(() => null);
          return state && state.mainPid !== before.mainPid && readFileSync(unitFile(), "utf8") === original
            ? state
            : null;
        },
        { ...repaired(), message: "the unit file rewritten and the node running on it" },
      );
      // Running the repaired definition: the process started after the file was written back.
      const props = await ns.exec(["systemctl", "show", "-p", "ExecStart", `${UNIT}.service`]);
      expect(props.stdout).toContain("--block-time 1 ");
      expect(after.definitionHash).toBe(before.definitionHash);
    },
    T,
  );

  test(
    "a deleted unit (stopped, file removed, systemd reloaded) is installed and started again",
    async () => {
      const before = await onFastPath();
      const original = readFileSync(unitFile(), "utf8");
      await ns.exec(["systemctl", "stop", `${UNIT}.service`]);
      rmSync(unitFile());
      await ns.exec(["systemctl", "daemon-reload"]);
      const after = await eventually(
        async () => {
          const state = await settled().catch(() => null);
          return state && state.mainPid !== before.mainPid ? state : null;
        },
        { ...repaired(), message: "the unit back and running" },
      );
      expect(readFileSync(unitFile(), "utf8")).toBe(original);
      expect(after.definitionHash).toBe(before.definitionHash);
    },
    T,
  );

  test(
    "a node file edited in place with its size and mtime kept (invisible to the fast path) is repaired by the full pass",
    async () => {
      await onFastPath();
      // The node's record of what was materialized, the file of a devnet node the reconciler keeps (devnet
      // renders no client config file). Same size, same mtime: the fingerprint cannot see this edit.
      const record = paths().recordFile;
      const original = readFileSync(record, "utf8");
      // touch -r copies the nanoseconds too (a Date would round them, and the stamp would differ).
      const stamp = `${record}.stamp`;
      copyFileSync(record, stamp);
      expect(Bun.spawnSync(["touch", "-r", record, stamp]).exitCode).toBe(0);
      const before = statSync(record, { bigint: true });
      const sameSize = original.replace('"revision": 1', '"revision": 7');
      expect(sameSize.length).toBe(original.length);
      writeFileSync(record, sameSize);
      expect(Bun.spawnSync(["touch", "-r", stamp, record]).exitCode).toBe(0);
      rmSync(stamp);
      const after = statSync(record, { bigint: true });
      expect([after.ino, after.size, after.mtimeNs]).toEqual([before.ino, before.size, before.mtimeNs]);
      await eventually(() => readFileSync(record, "utf8") === original, {
        ...repaired(),
        message: "the record rewritten by a full pass",
      });
      expect(await settled()).toBeTruthy();
    },
    T,
  );

  test(
    "a process killed with a signal systemd counts as a clean exit (no Restart=on-failure) is started again",
    async () => {
      const before = await onFastPath();
      // SIGTERM: anvil saves its state and exits 0, so systemd leaves the unit inactive; only the
      // reconciler brings it back.
      expect((await ns.exec(["kill", "-TERM", String(before.mainPid)])).code).toBe(0);
      await eventually(async () => (await unitState())?.mainPid !== before.mainPid, repaired());
      const after = await eventually(
        async () => {
          const state = await settled().catch(() => null);
          return state && state.mainPid !== before.mainPid ? state : null;
        },
        { ...repaired(), message: "the node started again" },
      );
      expect(after.restarts).toBe(before.restarts);
      const height = await blockNumber(port);
      await eventually(async () => (await blockNumber(port)) > height, {
        ...repaired(),
        message: "the restarted node producing blocks",
      });
      expect(tickError).toBeNull();
    },
    T,
  );
});
