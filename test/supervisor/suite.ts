// The ONE lifecycle suite every Supervisor implementation runs (systemd in a booted namespace, process for
// the demo). It drives real long-running processes (anvil producing blocks, a shell that records its argv)
// and asserts end state read back from the host: what runs, with which pid, definition and restart count.
// Each test installs its own uniquely named units and removes them, so tests never depend on each other.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import type { ProcessDefinition, Supervisor, UnitState } from "../../src/modes/agent/supervisor/types.ts";

export interface SupervisorHandle {
  supervisor: Supervisor;
  cleanup: () => Promise<void>;
  /** Runs a command where the supervised processes live (e.g. inside a pid namespace, to kill a MainPID). */
  exec?: (argv: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;
  /** Puts a unit on the host that Novacula does not own, started; list() must never return it. */
  addForeignUnit?: (unitName: string) => Promise<void>;
  /** Where node directories go (default: under the repository's .cache). */
  nodeRoot?: string;
  /** The anvil binary the processes run (default: the npm package's). */
  anvil?: string;
  /** Makes a fresh node directory usable by the user the processes run as. */
  prepareNodeDir?: (nodeDir: string) => void;
}

const REPO_ROOT = resolve(import.meta.dir, "../..");
export const ANVIL = join(REPO_ROOT, "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
const WAIT = { timeoutMs: 30_000, intervalMs: 100 };
/** Explicit on every test and hook: bun 1.4.5 ignores `[test] timeout` in bunfig.toml (default 5 s). */
export const TEST_TIMEOUT_MS = 90_000;

/** A port nobody listens on right now (the kernel picks it; we release it at once for the process). */
export function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = server;
  server.stop(true);
  return port;
}

export async function blockNumber(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
    signal: AbortSignal.timeout(2_000),
  });
  const { result } = (await response.json()) as { result: string };
  return Number.parseInt(result, 16);
}

function withHash(def: Omit<ProcessDefinition, "definitionHash">): ProcessDefinition {
  const definitionHash = createHash("sha256").update(JSON.stringify(def)).digest("hex").slice(0, 32);
  return { ...def, definitionHash };
}

export function supervisorSuite(name: string, makeSupervisor: () => Promise<SupervisorHandle>): void {
  describe(`Supervisor lifecycle: ${name}`, () => {
    let handle: SupervisorHandle;
    let workDir: string;
    const run = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;

    beforeAll(async () => {
      handle = await makeSupervisor();
      workDir = join(handle.nodeRoot ?? join(REPO_ROOT, ".cache"), `supervisor-suite-${name}-${run}`);
      mkdirSync(workDir, { recursive: true });
    }, TEST_TIMEOUT_MS);
    afterAll(async () => {
      await handle?.cleanup();
    }, TEST_TIMEOUT_MS);

    const sv = () => handle.supervisor;
    const stateOf = async (unitName: string): Promise<UnitState | undefined> =>
      (await sv().list()).find((u) => u.unitName === unitName);
    const kill9 = async (pid: number) => {
      // Never 0 or negative: `kill -9 0` / process.kill(-n) would hit a whole process group (this runner's).
      if (!(pid > 0)) throw new Error(`refusing to kill pid ${pid}`);
      if (handle.exec) {
        const { code, stderr } = await handle.exec(["kill", "-9", String(pid)]);
        if (code !== 0) throw new Error(`kill -9 ${pid}: ${stderr}`);
      } else process.kill(pid, "SIGKILL");
    };

    /** A node directory and a definition for one process in it; `command` defaults to anvil on a free port. */
    function makeDefinition(
      label: string,
      overrides: Partial<Omit<ProcessDefinition, "definitionHash">> = {},
    ): ProcessDefinition & { port: number } {
      const nodeName = `suite-${run}-${label}`;
      const nodeDir = join(workDir, nodeName);
      mkdirSync(nodeDir, { recursive: true });
      handle.prepareNodeDir?.(nodeDir);
      const port = freePort();
      const def = withHash({
        unitName: `devnet-node@${nodeName}`,
        nodeName,
        role: "node",
        executable: handle.anvil ?? ANVIL,
        args: ["--host", "127.0.0.1", "--port", String(port), "--block-time", "1"],
        // anvil keeps state under $HOME/.foundry; the node directory is the only writable place.
        env: { HOME: nodeDir },
        workingDirectory: nodeDir,
        readWritePaths: [nodeDir],
        restartPolicy: "always",
        stopTimeoutSecs: 30,
        ...overrides,
      });
      return { ...def, port };
    }

    /** Install + start, run the body, always remove (tests leave nothing behind, even when they fail). */
    async function withUnit(def: ProcessDefinition, body: () => Promise<void>): Promise<void> {
      try {
        await sv().install(def);
        await sv().start(def.unitName);
        await body();
      } finally {
        await sv().remove(def.unitName);
      }
    }

    const runningPid = async (unitName: string, notPid = 0) => {
      const state = await eventually(
        async () => {
          const s = await stateOf(unitName);
          return s?.activeState === "active" && s.mainPid > 0 && s.mainPid !== notPid ? s : null;
        },
        { ...WAIT, message: `${unitName} to be active with a MainPID other than ${notPid}` },
      );
      return state.mainPid;
    };

    test(
      "an installed and started process runs: active, with a MainPID, producing blocks",
      async () => {
        const def = makeDefinition("run");
        await withUnit(def, async () => {
          const state = await stateOf(def.unitName);
          expect(state?.activeState).toBe("active");
          expect(state?.mainPid).toBeGreaterThan(0);
          expect(state?.definitionHash).toBe(def.definitionHash);
          await eventually(async () => (await blockNumber(def.port)) >= 2, {
            ...WAIT,
            message: "blocks to rise",
          });
        });
      },
      TEST_TIMEOUT_MS,
    );

    test(
      "stop leaves the unit inactive with its definition kept, and start brings it back",
      async () => {
        const def = makeDefinition("stop");
        await withUnit(def, async () => {
          const firstPid = await runningPid(def.unitName);
          await sv().stop(def.unitName);
          const stopped = await stateOf(def.unitName);
          expect(stopped?.activeState).toBe("inactive");
          expect(stopped?.mainPid).toBe(0);
          expect(stopped?.definitionHash).toBe(def.definitionHash);
          await expect(blockNumber(def.port)).rejects.toThrow();

          await sv().start(def.unitName);
          await runningPid(def.unitName, firstPid);
          await eventually(async () => (await blockNumber(def.port)) >= 0, {
            ...WAIT,
            message: "RPC after start",
          });
        });
      },
      TEST_TIMEOUT_MS,
    );

    test(
      "restart replaces the process: a new MainPID",
      async () => {
        const def = makeDefinition("restart", { executable: "/bin/sleep", args: ["infinity"], env: {} });
        await withUnit(def, async () => {
          const before = await runningPid(def.unitName);
          await sv().restart(def.unitName);
          const after = await runningPid(def.unitName, before);
          expect(after).not.toBe(before);
        });
      },
      TEST_TIMEOUT_MS,
    );

    test(
      "install returns true only when the definition changed, and list() reports the new one",
      async () => {
        const def = makeDefinition("install");
        await withUnit(def, async () => {
          expect(await sv().install(def)).toBe(false);
          const { definitionHash: _hash, port: _port, ...rest } = def;
          const next = withHash({ ...rest, args: [...rest.args, "--chain-id", "31338"] });
          expect(await sv().install(next)).toBe(true);
          expect(await sv().install(next)).toBe(false);
          // The running process still has the old definition until it is restarted.
          expect((await stateOf(def.unitName))?.definitionHash).not.toBe(def.definitionHash);
          await sv().restart(def.unitName);
          await runningPid(def.unitName);
          expect((await stateOf(def.unitName))?.definitionHash).toBe(next.definitionHash);
        });
      },
      TEST_TIMEOUT_MS,
    );

    test(
      "a SIGKILLed process with restartPolicy always comes back, and its restart count goes up",
      async () => {
        const def = makeDefinition("crash");
        await withUnit(def, async () => {
          const pid = await runningPid(def.unitName);
          const restartsBefore = (await stateOf(def.unitName))!.restarts;
          await eventually(async () => (await blockNumber(def.port)) >= 0, { ...WAIT, message: "RPC up" });
          await kill9(pid);
          const newPid = await runningPid(def.unitName, pid);
          expect(newPid).not.toBe(pid);
          expect((await stateOf(def.unitName))!.restarts).toBeGreaterThan(restartsBefore);
          await eventually(async () => (await blockNumber(def.port)) >= 0, { ...WAIT, message: "RPC back" });
        });
      },
      TEST_TIMEOUT_MS,
    );

    test(
      "a SIGKILLed process with restartPolicy no stays down and reports how it died",
      async () => {
        const def = makeDefinition("norestart", {
          executable: "/bin/sleep",
          args: ["infinity"],
          env: {},
          restartPolicy: "no",
        });
        await withUnit(def, async () => {
          const pid = await runningPid(def.unitName);
          await kill9(pid);
          const state = await eventually(
            async () => {
              const s = await stateOf(def.unitName);
              return s && (s.activeState === "failed" || s.activeState === "inactive") ? s : null;
            },
            { ...WAIT, message: "the killed unit to stay down" },
          );
          expect(state.mainPid).toBe(0);
          expect(state.exitStatus).toBe(9);
        });
      },
      TEST_TIMEOUT_MS,
    );

    test(
      "remove stops the process and the unit leaves list(); removing again is a no-op",
      async () => {
        const def = makeDefinition("remove");
        await sv().install(def);
        await sv().start(def.unitName);
        await eventually(async () => (await blockNumber(def.port)) >= 0, { ...WAIT, message: "RPC up" });
        await sv().remove(def.unitName);
        expect(await stateOf(def.unitName)).toBeUndefined();
        await expect(blockNumber(def.port)).rejects.toThrow();
        await sv().remove(def.unitName);
        expect(await stateOf(def.unitName)).toBeUndefined();
      },
      TEST_TIMEOUT_MS,
    );

    test(
      "list() returns only Novacula-owned units",
      async () => {
        const ours = makeDefinition("owned", { executable: "/bin/sleep", args: ["infinity"], env: {} });
        const foreign = `foreign-${run}`;
        if (handle.addForeignUnit) await handle.addForeignUnit(foreign);
        await withUnit(ours, async () => {
          const names = (await sv().list()).map((u) => u.unitName);
          expect(names).toContain(ours.unitName);
          expect(names).not.toContain(foreign);
          // Everything listed was installed by this suite: the host's own units never show up.
          for (const unitName of names) expect(unitName).toStartWith(`devnet-node@suite-${run}-`);
        });
      },
      TEST_TIMEOUT_MS,
    );

    test(
      "args and env reach the process byte for byte (spaces, quotes, $, %, ;, backslashes, unicode)",
      async () => {
        const nasty = [
          "two words",
          'dq"uote',
          "sq'uote",
          "$HOME",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${HOME} systemd must not expand
          "${HOME}",
          "100%",
          "%n",
          ";",
          "back\\slash",
          "",
        ];
        const more = ["tab\there", "new\nline", "ünïcødé ✓", "-", "--flag=a b"];
        const args = [...nasty, ...more];
        const label = "argv";
        const probe = makeDefinition(label);
        const out = join(probe.workingDirectory, "out");
        // The script itself is full of characters systemd would expand ($, %, ;) if they were not escaped.
        const script =
          'for a; do printf "%s\\0" "$a"; done > "$OUT.args"; env > "$OUT.env"; exec sleep infinity';
        const def = makeDefinition(label, {
          executable: "/bin/sh",
          args: ["-c", script, "sh", ...args],
          env: {
            OUT: out,
            SPACED: "a b  c",
            QUOTED: `it's "quoted"`,
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${X} for Environment=
            DOLLAR: "$HOME and ${X}",
            PCT: "50% %h",
          },
        });
        await withUnit(def, async () => {
          // The script writes argv first, then env: once env names OUT, both files are complete.
          const envText = await eventually(
            () => {
              try {
                const text = readFileSync(`${out}.env`, "utf8");
                return text.includes(`OUT=${out}\n`) ? text : null;
              } catch {
                return null;
              }
            },
            { ...WAIT, message: "the process to record its argv and env" },
          );
          expect(readFileSync(`${out}.args`, "utf8").split("\0").slice(0, -1)).toEqual(args);
          const env = envText.split("\n");
          for (const [key, value] of Object.entries(def.env)) expect(env).toContain(`${key}=${value}`);
        });
      },
      TEST_TIMEOUT_MS,
    );
  });
}
