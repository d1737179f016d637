// `novacula agent install/uninstall` against a real systemd in a private namespace: the units load and the
// agent is enabled; during a pending self-upgrade the flap budget (3 starts in 120 s, clean exits included)
// runs the OnFailure= rollback, which puts `<binary>.prev` back, records why and restarts the agent; with no
// upgrade pending nothing is rolled back; uninstall stops nothing.
//
// The agent binary here is a real compiled Bun program that waits for SIGTERM (the real `novacula` cannot
// run `agent run` without a control plane; test/e2e/agent-systemd.test.ts covers that). A failing release
// is a copy of /bin/false, a release that exits cleanly a copy of /bin/true.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, linkSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { eventually } from "../src/lib/eventually.ts";
import { installAgentService, uninstallAgentService } from "../src/modes/agent/install.ts";
import { lookupNodeUser, NODE_USER } from "../src/modes/agent/node-user.ts";
import { systemctlShow } from "../src/modes/agent/supervisor/systemd.ts";
import {
  AGENT_UNIT,
  ROLLBACK_UNIT,
  renderAgentUnit,
  renderRollbackUnit,
  UPGRADE_GUARD_TIMER,
} from "../src/modes/agent/units.ts";
import { bootSystemd, type SystemdNamespace, testWorkDir } from "./harness/systemd.ts";

const TIMEOUT_MS = 90_000;
const BUN = resolve(import.meta.dir, "../node_modules/.bin/bun");

let ns: SystemdNamespace;
let workDir: string;
let goodBinary: string;

beforeAll(async () => {
  workDir = testWorkDir("agent-install");
  const source = join(workDir, "standin-agent.ts");
  writeFileSync(
    source,
    "// Stands in for `novacula agent run`: runs until SIGTERM.\n" +
      'process.on("SIGTERM", () => process.exit(0));\nsetInterval(() => {}, 1 << 30);\n',
  );
  goodBinary = join(workDir, "standin-agent");
  const build = Bun.spawnSync([BUN, "build", "--compile", source, "--outfile", goodBinary], {
    stderr: "pipe",
  });
  if (build.exitCode !== 0) throw new Error(`bun build --compile failed: ${build.stderr.toString()}`);
  ns = await bootSystemd(join(workDir, "ns"));
}, TIMEOUT_MS);

afterAll(async () => {
  await ns?.stop();
}, TIMEOUT_MS);

/** A fresh install directory with `novacula` (and optionally `novacula.prev`) made from the given files. */
function release(name: string, current: string, previous?: string, upgradePending = false) {
  const dir = join(workDir, name);
  mkdirSync(dir, { recursive: true });
  const binaryPath = join(dir, "novacula");
  const configPath = join(dir, "agent.toml");
  writeFileSync(configPath, '[control_plane]\nurl = "http://127.0.0.1:1"\n');
  // Hard links keep inode numbers, so "which build is at <binary> now" is an inode comparison.
  linkSync(current, binaryPath);
  if (previous) linkSync(previous, `${binaryPath}.prev`);
  // What the agent writes just before a self-upgrade's swap: the rollback acts only while it is there.
  if (upgradePending) writeFileSync(`${binaryPath}.upgrade-pending`, "{}");
  return { binaryPath, configPath };
}

function copyOf(path: string, name: string): string {
  const out = join(workDir, name);
  if (!existsSync(out)) copyFileSync(path, out);
  return out;
}

const inode = (path: string) => statSync(path).ino;
const agentState = async () =>
  (
    await systemctlShow([AGENT_UNIT], ["ActiveState", "SubState", "MainPID", "Result"], {
      commandPrefix: ns.commandPrefix,
    })
  ).get(AGENT_UNIT)!;

async function install(paths: { binaryPath: string; configPath: string }) {
  return installAgentService({ ...paths, unitDir: ns.hostUnitDir, commandPrefix: ns.commandPrefix });
}

/** Leave the namespace as we found it: agent stopped, failure state cleared, units removed. */
async function reset() {
  await ns.exec(["systemctl", "stop", AGENT_UNIT, ROLLBACK_UNIT]);
  await ns.exec(["systemctl", "reset-failed", AGENT_UNIT, ROLLBACK_UNIT]);
  await uninstallAgentService({ unitDir: ns.hostUnitDir, commandPrefix: ns.commandPrefix });
}

describe("installAgentService", () => {
  test(
    "install creates the unprivileged node user once (no login, no home), inside the namespace only",
    async () => {
      const paths = release("node-user", goodBinary);
      try {
        await install(paths);
        const entry = await ns.exec(["getent", "passwd", NODE_USER]);
        expect(entry.code).toBe(0);
        const [, , uid, gid, , home, shell] = entry.stdout.trim().split(":");
        // A system user: below the first login uid, its own group, no home, no shell.
        expect(Number(uid)).toBeGreaterThan(0);
        expect(Number(uid)).toBeLessThan(1000);
        expect((await ns.exec(["getent", "group", NODE_USER])).stdout).toStartWith(`${NODE_USER}:x:${gid}:`);
        expect(home).toBe("/nonexistent");
        expect(shell).toBe("/usr/sbin/nologin");
        // Installing again changes nothing: same uid, still one entry.
        expect((await install(paths)).nodeUserCreated).toBe(false);
        const again = await ns.exec(["getent", "passwd", NODE_USER]);
        expect(again.stdout).toBe(entry.stdout);
        // The namespace's /etc is its own: the machine never gets the user.
        expect(lookupNodeUser("/etc/passwd")).toBeNull();
        expect(lookupNodeUser(`/proc/${ns.pid}/root/etc/passwd`)).toEqual({
          uid: Number(uid),
          gid: Number(gid),
        });
      } finally {
        await reset();
      }
    },
    TIMEOUT_MS,
  );

  test(
    "install writes both units, systemd loads them with the flap budget and rollback hook, and enables the agent",
    async () => {
      const paths = release("install", goodBinary);
      try {
        const userBefore = await ns.exec(["getent", "passwd", NODE_USER]);
        const result = await install(paths);
        expect(result).toEqual({
          changed: [ROLLBACK_UNIT, UPGRADE_GUARD_TIMER, AGENT_UNIT],
          enabled: "enabled-runtime",
          nodeUserCreated: userBefore.code !== 0,
        });
        expect(await Bun.file(join(ns.hostUnitDir, AGENT_UNIT)).text()).toBe(renderAgentUnit(paths));
        expect(await Bun.file(join(ns.hostUnitDir, ROLLBACK_UNIT)).text()).toBe(renderRollbackUnit(paths));
        const props = (
          await systemctlShow(
            [AGENT_UNIT],
            ["LoadState", "OnFailure", "StartLimitBurst", "StartLimitIntervalUSec", "Restart", "ExecStart"],
            { commandPrefix: ns.commandPrefix },
          )
        ).get(AGENT_UNIT)!;
        expect(props).toMatchObject({
          LoadState: "loaded",
          OnFailure: ROLLBACK_UNIT,
          StartLimitBurst: "3",
          StartLimitIntervalUSec: "2min",
          Restart: "always",
        });
        expect(props.ExecStart).toContain(
          `argv[]=${paths.binaryPath} agent run --config ${paths.configPath} `,
        );
        // Runtime enablement: the wants-symlink is in the namespace's /run, never in the host's /etc.
        expect(existsSync("/etc/systemd/system/multi-user.target.wants/novacula-agent.service")).toBe(false);

        expect(await install(paths)).toEqual({
          changed: [],
          enabled: "enabled-runtime",
          nodeUserCreated: false,
        });

        expect((await ns.exec(["systemctl", "start", AGENT_UNIT])).code).toBe(0);
        expect((await agentState()).ActiveState).toBe("active");
      } finally {
        await reset();
      }
    },
    TIMEOUT_MS,
  );

  test(
    "during an upgrade, three failed starts within 120 s run the rollback: <binary>.prev is restored, the reason recorded, and the agent runs again",
    async () => {
      const failing = copyOf("/bin/false", "failing-release");
      const paths = release("rollback", failing, goodBinary, true);
      try {
        await install(paths);
        await ns.exec(["systemctl", "start", AGENT_UNIT]);
        await eventually(() => existsSync(`${paths.binaryPath}.broken`), {
          timeoutMs: 60_000,
          message: "the rollback unit to run",
        });
        await eventually(
          async () => {
            const s = await agentState();
            return s.ActiveState === "active" && inode(paths.binaryPath) === inode(goodBinary);
          },
          { timeoutMs: 30_000, message: "the agent to run the previous binary" },
        );
        expect(inode(`${paths.binaryPath}.broken`)).toBe(inode(failing));
        expect(existsSync(`${paths.binaryPath}.prev`)).toBe(false);
        expect(await Bun.file(`${paths.binaryPath}.rollback-reason`).text()).toBe("start_failed\n");
        const rollback = (
          await systemctlShow([ROLLBACK_UNIT], ["Result", "ExecMainStatus"], {
            commandPrefix: ns.commandPrefix,
          })
        ).get(ROLLBACK_UNIT)!;
        expect(rollback).toMatchObject({ Result: "success", ExecMainStatus: "0" });
      } finally {
        await reset();
      }
    },
    TIMEOUT_MS,
  );

  test(
    "without a <binary>.prev the agent stays failed and the rollback does not loop",
    async () => {
      const paths = release("no-prev", copyOf("/bin/false", "failing-release"));
      try {
        await install(paths);
        const rollbackShow = async () =>
          (
            await systemctlShow([ROLLBACK_UNIT], ["ActiveState", "Result", "InvocationID"], {
              commandPrefix: ns.commandPrefix,
            })
          ).get(ROLLBACK_UNIT)!;
        const previousInvocation = (await rollbackShow()).InvocationID;
        await ns.exec(["systemctl", "start", AGENT_UNIT]);
        await eventually(async () => (await agentState()).ActiveState === "failed", {
          timeoutMs: 60_000,
          message: "the agent to exhaust its flap budget",
        });
        const rollback = await eventually(
          async () => {
            const r = await rollbackShow();
            return r.ActiveState === "inactive" && r.InvocationID !== previousInvocation ? r : null;
          },
          { timeoutMs: 30_000, message: "the rollback unit to have run" },
        );
        expect(rollback.Result).toBe("success");
        expect((await agentState()).ActiveState).toBe("failed");
        expect(existsSync(`${paths.binaryPath}.broken`)).toBe(false);
      } finally {
        await reset();
      }
    },
    TIMEOUT_MS,
  );

  test(
    "during an upgrade, a new binary that exits 0 at once spends the flap budget too and is rolled back (exited_at_once)",
    async () => {
      const clean = copyOf("/bin/true", "clean-exit-release");
      const paths = release("clean-exit", clean, goodBinary, true);
      try {
        await install(paths);
        await ns.exec(["systemctl", "start", AGENT_UNIT]);
        await eventually(
          async () =>
            (await agentState()).ActiveState === "active" && inode(paths.binaryPath) === inode(goodBinary),
          { timeoutMs: 60_000, message: "the rollback to bring the previous binary back" },
        );
        expect(inode(`${paths.binaryPath}.broken`)).toBe(inode(clean));
        expect(await Bun.file(`${paths.binaryPath}.rollback-reason`).text()).toBe("exited_at_once\n");
      } finally {
        await reset();
      }
    },
    TIMEOUT_MS,
  );

  test(
    "with no upgrade pending, a crash loop never downgrades: the agent stays failed and .prev stays where it is",
    async () => {
      const paths = release("no-upgrade", copyOf("/bin/false", "failing-release"), goodBinary);
      try {
        await install(paths);
        await ns.exec(["systemctl", "start", AGENT_UNIT]);
        await eventually(async () => (await agentState()).ActiveState === "failed", {
          timeoutMs: 60_000,
          message: "the agent to exhaust its flap budget",
        });
        await eventually(
          async () =>
            (
              await systemctlShow([ROLLBACK_UNIT], ["ActiveState", "ExecMainExitTimestampMonotonic"], {
                commandPrefix: ns.commandPrefix,
              })
            ).get(ROLLBACK_UNIT)?.ExecMainExitTimestampMonotonic !== "0",
          { timeoutMs: 30_000, message: "the rollback unit to have run" },
        );
        expect((await agentState()).ActiveState).toBe("failed");
        expect(inode(`${paths.binaryPath}.prev`)).toBe(inode(goodBinary));
        expect(existsSync(`${paths.binaryPath}.broken`)).toBe(false);
      } finally {
        await reset();
      }
    },
    TIMEOUT_MS,
  );

  test(
    "uninstall removes the units and the enablement but does not stop a running agent",
    async () => {
      const paths = release("uninstall", goodBinary);
      try {
        await install(paths);
        await ns.exec(["systemctl", "start", AGENT_UNIT]);
        const pid = (await agentState()).MainPID ?? "0";
        expect(Number(pid)).toBeGreaterThan(0);

        expect(
          await uninstallAgentService({ unitDir: ns.hostUnitDir, commandPrefix: ns.commandPrefix }),
        ).toEqual({
          removed: [AGENT_UNIT, ROLLBACK_UNIT, UPGRADE_GUARD_TIMER],
        });
        expect(existsSync(join(ns.hostUnitDir, AGENT_UNIT))).toBe(false);
        expect(existsSync(join(ns.hostUnitDir, ROLLBACK_UNIT))).toBe(false);
        expect(existsSync(join(ns.hostUnitDir, "multi-user.target.wants", AGENT_UNIT))).toBe(false);
        expect((await ns.exec(["kill", "-0", pid])).code).toBe(0);
        expect(existsSync(paths.binaryPath) && existsSync(paths.configPath)).toBe(true);
        expect(
          await uninstallAgentService({ unitDir: ns.hostUnitDir, commandPrefix: ns.commandPrefix }),
        ).toEqual({
          removed: [],
        });
      } finally {
        await reset();
      }
    },
    TIMEOUT_MS,
  );
});
