// The process supervisor: the shared Supervisor lifecycle suite, plus what only it has to guarantee
// (children survive a restarted agent and are adopted; a flapping child stops at the start limit).
import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { ProcessSupervisor } from "../../src/modes/agent/supervisor/process.ts";
import type { ProcessDefinition } from "../../src/modes/agent/supervisor/types.ts";
import { supervisorSuite, TEST_TIMEOUT_MS } from "../supervisor/suite.ts";
import { makeTestDir } from "./helpers.ts";

const scratch = makeTestDir("process-supervisor");
afterAll(() => scratch.cleanup());

supervisorSuite("process", async () => {
  const stateDir = join(scratch.dir, `suite-${Date.now()}`);
  const supervisor = new ProcessSupervisor({ stateDir });
  return {
    supervisor,
    cleanup: async () => {
      await supervisor.stopAll();
      supervisor.close();
    },
  };
});

function definition(name: string, dir: string, patch: Partial<ProcessDefinition> = {}): ProcessDefinition {
  const workingDirectory = join(dir, name);
  mkdirSync(workingDirectory, { recursive: true });
  const def = {
    unitName: `devnet-node@${name}`,
    nodeName: name,
    role: "node",
    executable: "/bin/sleep",
    args: ["infinity"],
    env: {},
    workingDirectory,
    readWritePaths: [workingDirectory],
    restartPolicy: "always" as const,
    stopTimeoutSecs: 5,
    ...patch,
  };
  return { ...def, definitionHash: createHash("sha256").update(JSON.stringify(def)).digest("hex") };
}

describe("process supervisor specifics", () => {
  test(
    "a new supervisor on the same state dir adopts running children and still restarts them on a crash",
    async () => {
      const stateDir = join(scratch.dir, "adopt");
      const first = new ProcessSupervisor({ stateDir });
      const def = definition("adopt", scratch.dir);
      await first.install(def);
      await first.start(def.unitName);
      const [before] = await first.list();
      expect(before?.activeState).toBe("active");
      first.close(); // the agent goes away without stopping its children

      const second = new ProcessSupervisor({ stateDir });
      try {
        const [adopted] = await second.list();
        expect(adopted?.activeState).toBe("active");
        expect(adopted?.mainPid).toBe(before!.mainPid);
        expect(adopted?.definitionHash).toBe(def.definitionHash);
        process.kill(before!.mainPid, "SIGKILL");
        const restarted = await eventually(
          async () => {
            const [s] = await second.list();
            return s?.activeState === "active" && s.mainPid !== before!.mainPid ? s : null;
          },
          { timeoutMs: 20_000, message: "the adopted child to be restarted" },
        );
        expect(restarted.restarts).toBe(1);
      } finally {
        await second.remove(def.unitName);
        second.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "a child that exits at once is restarted a few times, then marked failed with its last output",
    async () => {
      const supervisor = new ProcessSupervisor({ stateDir: join(scratch.dir, "flap") });
      const def = definition("flap", scratch.dir, {
        executable: "/bin/sh",
        args: ["-c", "echo 'Error: Address already in use (os error 98)' >&2; exit 1"],
        restartPolicy: "on-failure",
      });
      try {
        await supervisor.install(def);
        await supervisor.start(def.unitName);
        const failed = await eventually(
          async () => {
            const [s] = await supervisor.list();
            return s?.activeState === "failed" ? s : null;
          },
          { timeoutMs: 30_000, message: "the flapping child to fail" },
        );
        expect(failed.exitStatus).toBe(1);
        expect(failed.restarts).toBeGreaterThanOrEqual(3);
        expect(failed.recentOutput).toContain("Address already in use");
        // A manual start clears the start limit, as systemctl start does.
        await supervisor.start(def.unitName);
        expect((await supervisor.list())[0]?.restarts).toBe(0);
      } finally {
        await supervisor.remove(def.unitName);
        supervisor.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "an executable that cannot be started leaves the unit failed with a reason, not a thrown crash",
    async () => {
      const supervisor = new ProcessSupervisor({ stateDir: join(scratch.dir, "missing") });
      const def = definition("missing", scratch.dir, { executable: join(scratch.dir, "no-such-binary") });
      try {
        await supervisor.install(def);
        await supervisor.start(def.unitName);
        const [state] = await supervisor.list();
        expect(state?.activeState).toBe("failed");
        expect(state?.recentOutput).toContain("cannot start");
      } finally {
        await supervisor.remove(def.unitName);
        supervisor.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
