// The systemd supervisor against a real systemd booted in a private namespace: the shared lifecycle suite,
// plus what only systemd has (the namespace's safety for the host, reload/crash windows, sandbox, limits).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { NODE_USER, type NodeOwner } from "../../src/modes/agent/node-user.ts";
import {
  SystemctlError,
  SystemdSupervisor,
  systemctlShow,
} from "../../src/modes/agent/supervisor/systemd.ts";
import type { ProcessDefinition } from "../../src/modes/agent/supervisor/types.ts";
import { renderProcessUnit } from "../../src/modes/agent/units.ts";
import { bootSystemd, type SystemdNamespace, testWorkDir } from "../harness/systemd.ts";
import { ANVIL, supervisorSuite, TEST_TIMEOUT_MS } from "./suite.ts";

const REPO_ROOT = resolve(import.meta.dir, "../..");

supervisorSuite("systemd", async () => {
  const ns = await bootSystemd(testWorkDir("systemd-test"));
  const supervisor = new SystemdSupervisor({ unitDir: ns.hostUnitDir, commandPrefix: ns.commandPrefix });
  const owner = await ns.ensureNodeUser();
  return {
    supervisor,
    exec: ns.exec,
    cleanup: ns.stop,
    nodeRoot: ns.nodeDataDir,
    anvil: copyAnvil(ns),
    prepareNodeDir: (dir) => chownSync(dir, owner.uid, owner.gid),
    addForeignUnit: async (name) => {
      writeFileSync(
        join(ns.hostUnitDir, `${name}.service`),
        "[Unit]\nDescription=not ours\n[Service]\nExecStart=/bin/sleep infinity\n",
      );
      await ns.exec(["systemctl", "daemon-reload"]);
      await ns.exec(["systemctl", "start", `${name}.service`]);
    },
  };
});

/** anvil where a node unit can run it (units cannot see a repository cloned under /root or /home). */
function copyAnvil(ns: SystemdNamespace): string {
  const path = join(ns.nodeDataDir, "bin", "anvil");
  mkdirSync(join(ns.nodeDataDir, "bin"), { recursive: true });
  copyFileSync(ANVIL, path);
  chmodSync(path, 0o755);
  return path;
}

describe("bootSystemd", () => {
  test(
    "booting, running a PrivateTmp unit and tearing down leaves the host's /tmp and cgroups untouched",
    async () => {
      const sentinel = `/tmp/novacula-sentinel-${process.pid}-${Date.now()}`;
      writeFileSync(sentinel, "must survive");
      const before = new Set(readdirSync("/tmp"));
      let pid = 0;
      let cgroupName = "";
      try {
        const ns = await bootSystemd(testWorkDir("systemd-boot"));
        pid = ns.pid;
        cgroupName = ns.cgroupName;
        try {
          const unit = "[Unit]\nDescription=t\n[Service]\nPrivateTmp=yes\nExecStart=/bin/sleep infinity\n";
          writeFileSync(join(ns.hostUnitDir, "tmp-probe.service"), unit);
          expect((await ns.exec(["systemctl", "daemon-reload"])).code).toBe(0);
          expect((await ns.exec(["systemctl", "start", "tmp-probe.service"])).code).toBe(0);
          expect((await ns.exec(["systemctl", "is-active", "tmp-probe.service"])).stdout.trim()).toBe(
            "active",
          );
          expect(existsSync(sentinel)).toBe(true);
          // PrivateTmp directories land in the namespace's own tmpfs, not in the host's /tmp.
          expect(readdirSync("/tmp").filter((f) => f.startsWith("systemd-private-"))).toEqual([]);
        } finally {
          await ns.stop();
        }
        expect(existsSync(`/proc/${pid}`)).toBe(false);
        expect(
          readdirSync("/sys/fs/cgroup").some((h) => existsSync(`/sys/fs/cgroup/${h}/${cgroupName}`)),
        ).toBe(false);
        for (const file of before) {
          if (!file.startsWith("bash_")) expect(existsSync(join("/tmp", file))).toBe(true);
        }
      } finally {
        rmSync(sentinel, { force: true });
      }
    },
    TEST_TIMEOUT_MS,
  );
});

describe("SystemdSupervisor specifics", () => {
  let ns: SystemdNamespace;
  let supervisor: SystemdSupervisor;
  /** Node directories: outside home directories, which node units cannot see. */
  let workDir: string;
  let owner: NodeOwner;
  beforeAll(async () => {
    ns = await bootSystemd(join(testWorkDir("systemd-specifics"), "ns"));
    workDir = ns.nodeDataDir;
    owner = await ns.ensureNodeUser();
    supervisor = new SystemdSupervisor({ unitDir: ns.hostUnitDir, commandPrefix: ns.commandPrefix });
  }, TEST_TIMEOUT_MS);
  afterAll(async () => {
    await ns?.stop();
  }, TEST_TIMEOUT_MS);

  let counter = 0;
  function definition(overrides: Partial<ProcessDefinition> = {}): ProcessDefinition {
    const nodeName = `specific-${++counter}`;
    const nodeDir = join(workDir, nodeName);
    mkdirSync(nodeDir, { recursive: true });
    chownSync(nodeDir, owner.uid, owner.gid);
    return {
      unitName: `devnet-node@${nodeName}`,
      nodeName,
      role: "node",
      executable: "/bin/sleep",
      args: ["infinity"],
      env: {},
      workingDirectory: nodeDir,
      readWritePaths: [nodeDir],
      restartPolicy: "always",
      stopTimeoutSecs: 30,
      definitionHash: `hash-${counter}`,
      ...overrides,
    };
  }
  const show = async (unit: string, props: string[]) =>
    (await systemctlShow([`${unit}.service`], props, { commandPrefix: ns.commandPrefix })).get(
      `${unit}.service`,
    )!;

  test(
    "a concrete instance file named <chain>-<role>@<node>.service loads without any template",
    async () => {
      const def = definition();
      await supervisor.install(def);
      const props = await show(def.unitName, ["LoadState", "FragmentPath"]);
      expect(props.LoadState).toBe("loaded");
      expect(props.FragmentPath).toBe(`/run/systemd/system/${def.unitName}.service`);
      expect(existsSync(join(ns.hostUnitDir, "devnet-node@.service"))).toBe(false);
      await supervisor.remove(def.unitName);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "install writes exactly the rendered bytes",
    async () => {
      const def = definition({ env: { B: "2", A: "1" } });
      await supervisor.install(def);
      expect(await Bun.file(join(ns.hostUnitDir, `${def.unitName}.service`)).text()).toBe(
        renderProcessUnit(def),
      );
      await supervisor.remove(def.unitName);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "an agent killed between writing a unit and reloading systemd converges on the next install",
    async () => {
      const def = definition();
      await supervisor.install(def);
      await supervisor.start(def.unitName);
      // Simulate the crash window: the new file is on disk, but no daemon-reload and no restart happened.
      const next = { ...def, args: ["999999"], definitionHash: `${def.definitionHash}-next` };
      writeFileSync(join(ns.hostUnitDir, `${def.unitName}.service`), renderProcessUnit(next));
      const stale = (await supervisor.list()).find((u) => u.unitName === def.unitName);
      expect(stale?.definitionHash).toBeNull();
      expect(await supervisor.install(next)).toBe(true);
      expect((await show(def.unitName, ["NeedDaemonReload"])).NeedDaemonReload).toBe("no");
      await supervisor.restart(def.unitName);
      const fresh = (await supervisor.list()).find((u) => u.unitName === def.unitName);
      expect(fresh?.definitionHash).toBe(next.definitionHash);
      await supervisor.remove(def.unitName);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "an agent killed between reloading and restarting sees the running process as stale",
    async () => {
      const def = definition();
      await supervisor.install(def);
      await supervisor.start(def.unitName);
      const next = { ...def, args: ["888888"], definitionHash: `${def.definitionHash}-next` };
      expect(await supervisor.install(next)).toBe(true);
      const state = (await supervisor.list()).find((u) => u.unitName === def.unitName);
      expect(state?.activeState).toBe("active");
      expect(state?.definitionHash).toBeNull();
      await supervisor.remove(def.unitName);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "a recent listing is reused only while nothing was changed through the supervisor",
    async () => {
      const def = definition();
      await supervisor.install(def);
      await supervisor.start(def.unitName);
      const mine = (units: { unitName: string; mainPid: number; activeState: string }[]) =>
        units.find((u) => u.unitName === def.unitName);
      const first = mine(await supervisor.list());
      expect(first?.activeState).toBe("active");
      // A change nobody told the supervisor about: the process is killed and systemd restarts it.
      expect((await ns.exec(["kill", "-9", String(first!.mainPid)])).code).toBe(0);
      const restartedPid = await eventually(
        async () => {
          const props = await show(def.unitName, ["ActiveState", "MainPID"]);
          const pid = Number(props.MainPID);
          return props.ActiveState === "active" && pid > 0 && pid !== first!.mainPid ? pid : null;
        },
        { timeoutMs: 30_000, message: "systemd to restart the killed unit" },
      );
      // Within maxAgeMs the earlier listing answers (no systemctl call), so it still shows the killed pid ...
      expect(mine(await supervisor.list({ maxAgeMs: 60_000 }))?.mainPid).toBe(first!.mainPid);
      // ... with a smaller bound, or without one, systemd is asked again.
      expect(mine(await supervisor.list({ maxAgeMs: 0 }))?.mainPid).toBe(restartedPid);
      // ... but never across a change made through the supervisor.
      await supervisor.stop(def.unitName);
      expect(mine(await supervisor.list({ maxAgeMs: 60_000 }))?.activeState).toBe("inactive");
      await supervisor.remove(def.unitName);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "start fails loudly when the binary is missing (Type=exec), instead of reporting success",
    async () => {
      const def = definition({ executable: "/nonexistent/anvil" });
      await supervisor.install(def);
      const error = await supervisor.start(def.unitName).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SystemctlError);
      expect((error as SystemctlError).exitCode).not.toBe(0);
      await supervisor.remove(def.unitName);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "the process runs as the unprivileged node user and can write only its node directory, wherever the repository is",
    async () => {
      // Places a root process could write. A sibling of the node directory, /home, /run/user and a directory
      // in the checkout this test runs from are made writable for the node user by their permissions, so that
      // only the unit's sandbox stands in the way there; /root and /etc are refused to that user by
      // permissions anyway, so for them the sandbox settings themselves are checked below.
      const sibling = join(workDir, `sibling-${process.pid}`);
      const homeProbe = `/home/novacula-probe-${process.pid}`;
      const runUserProbe = `/run/user/novacula-probe-${process.pid}`;
      const repoProbe = join(REPO_ROOT, ".cache", `confinement-probe-${process.pid}`);
      for (const dir of [sibling, homeProbe, repoProbe]) {
        mkdirSync(dir, { recursive: true });
        chmodSync(dir, 0o1777);
      }
      expect((await ns.exec(["mkdir", "-p", "-m", "1777", runUserProbe])).code).toBe(0);
      const targets: Record<string, string> = {
        sibling,
        home: homeProbe,
        runUser: runUserProbe,
        root: "/root",
        etc: "/etc",
        repository: repoProbe,
      };
      // A unique name, removed afterwards even where a broken sandbox let the write through.
      const probe = `probe-${process.pid}-${Date.now()}`;
      const attempts = Object.entries(targets)
        .map(
          ([name, dir]) =>
            `if touch '${dir}/${probe}' 2>/dev/null; then echo ${name}=writable; else echo ${name}=denied; fi`,
        )
        .join("; ");
      const def = definition({
        executable: "/bin/sh",
        args: [
          "-c",
          `{ echo user=$(id -un); ${attempts}; touch inside && echo inside=writable; } > verdict.tmp && mv verdict.tmp verdict; exec sleep infinity`,
        ],
      });
      try {
        await supervisor.install(def);
        await supervisor.start(def.unitName);
        const verdict = await eventually(
          () =>
            Bun.file(join(def.workingDirectory, "verdict"))
              .text()
              .catch(() => null),
          { timeoutMs: 10_000, message: "the probe to write its verdict" },
        );
        const seen = Object.fromEntries(
          verdict
            .trim()
            .split("\n")
            .map((line) => line.split("=")),
        );
        expect(seen).toEqual({
          user: NODE_USER,
          sibling: "denied",
          home: "denied",
          runUser: "denied",
          root: "denied",
          etc: "denied",
          repository: "denied",
          inside: "writable",
        });
        const sandbox = await ns.exec([
          "systemctl",
          "show",
          "-p",
          "ProtectHome",
          "-p",
          "ProtectSystem",
          `${def.unitName}.service`,
        ]);
        expect(sandbox.stdout.trim().split("\n").sort()).toEqual(["ProtectHome=yes", "ProtectSystem=strict"]);
        for (const dir of [sibling, homeProbe, repoProbe, "/root"]) {
          expect(existsSync(join(dir, probe))).toBe(false);
        }
      } finally {
        await supervisor.remove(def.unitName);
        rmSync(join("/root", probe), { force: true });
        for (const dir of [sibling, homeProbe, repoProbe]) rmSync(dir, { recursive: true, force: true });
      }
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "best-effort limits reach systemd: CPUQuota, MemoryMax, TimeoutStopSec",
    async () => {
      const def = definition({
        cpuQuotaPercent: 150,
        memoryMaxBytes: 512 * 1024 * 1024,
        stopTimeoutSecs: 600,
      });
      await supervisor.install(def);
      await supervisor.start(def.unitName);
      const props = await show(def.unitName, [
        "ActiveState",
        "CPUQuotaPerSecUSec",
        "MemoryMax",
        "TimeoutStopUSec",
      ]);
      expect(props.ActiveState).toBe("active");
      expect(props.CPUQuotaPerSecUSec).toBe("1.500000s");
      expect(props.MemoryMax).toBe(String(512 * 1024 * 1024));
      expect(props.TimeoutStopUSec).toBe("10min");
      await supervisor.remove(def.unitName);
    },
    TEST_TIMEOUT_MS,
  );
});
