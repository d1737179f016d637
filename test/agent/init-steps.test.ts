// The init steps built on artifacts: copy-artifact puts an installed file (a genesis) into the node
// directory, owned by the node user; run executes a program once as the node user before the node starts,
// and a failure leaves no marker (retried next reconcile) with the program's own output in the message.
import { afterAll, describe, expect, test } from "bun:test";
import { chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { InitStep, ProcessPlan } from "../../src/adapters/types.ts";
import { nodePaths } from "../../src/modes/agent/layout.ts";
import { initMarker, runInitSteps } from "../../src/modes/agent/materialize.ts";
import { makeTestDir } from "./helpers.ts";

const scratch = makeTestDir("init-steps");
afterAll(() => scratch.cleanup());
const nobody = { uid: 65534, gid: 65534 };

const plan = (...initSteps: InitStep[]): ProcessPlan => ({ nodeName: "n1", processes: [], initSteps });

function node(name: string) {
  const agentDir = join(scratch.dir, name);
  const paths = nodePaths(agentDir, "n1");
  mkdirSync(paths.dataDir, { recursive: true });
  const genesis = join(agentDir, "artifacts", `${"a".repeat(64)}.d`, "genesis.json");
  mkdirSync(join(genesis, ".."), { recursive: true });
  writeFileSync(genesis, '{"config":{"chainId":56}}');
  return { paths, artifacts: { node: { genesis } } };
}

const sh = (id: string, script: string, timeoutSecs = 30): InitStep => ({
  id,
  description: `${id} step`,
  kind: "run",
  executable: "/bin/sh",
  args: ["-c", script],
  timeoutSecs,
});

describe("init steps", () => {
  test("copy-artifact copies the installed file into the node directory, owned by the node user, once", async () => {
    const { paths, artifacts } = node("copy");
    const copy: InitStep = {
      id: "genesis",
      description: "copy the genesis",
      kind: "copy-artifact",
      role: "node",
      artifact: "genesis",
      path: "config/genesis.json",
    };
    expect(await runInitSteps(paths, plan(copy), { owner: nobody, artifacts })).toEqual(["genesis"]);
    const target = join(paths.nodeDir, "config/genesis.json");
    expect(readFileSync(target, "utf8")).toBe('{"config":{"chainId":56}}');
    expect(statSync(target).uid).toBe(nobody.uid);
    expect(existsSync(initMarker(paths, "genesis"))).toBe(true);
    expect(await runInitSteps(paths, plan(copy), { owner: nobody, artifacts })).toEqual([]);
  });

  test("copy-artifact refuses a path outside the node directory and names a missing artifact's fix", async () => {
    const { paths, artifacts } = node("copy-bad");
    const outside: InitStep = {
      id: "escape",
      description: "escape",
      kind: "copy-artifact",
      role: "node",
      artifact: "genesis",
      path: "../../outside.json",
    };
    await expect(runInitSteps(paths, plan(outside), { artifacts })).rejects.toThrow(
      "outside the node directory",
    );
    const missing: InitStep = { ...outside, id: "missing", artifact: "snapshot", path: "data/snapshot" };
    await expect(runInitSteps(paths, plan(missing), { artifacts })).rejects.toThrow(
      `no "snapshot" artifact of role node was delivered: add it to the control plane's client catalog`,
    );
    expect(existsSync(join(scratch.dir, "copy-bad", "outside.json"))).toBe(false);
  });

  test("run executes the program once as the node user, in the node directory with HOME in data/", async () => {
    const { paths } = node("run");
    chownSync(paths.dataDir, nobody.uid, nobody.gid);
    const step = sh("init", 'id -u > data/uid; echo "$HOME" > data/home; echo initialised');
    expect(await runInitSteps(paths, plan(step), { owner: nobody })).toEqual(["init"]);
    expect(readFileSync(join(paths.dataDir, "uid"), "utf8").trim()).toBe(String(nobody.uid));
    expect(readFileSync(join(paths.dataDir, "home"), "utf8").trim()).toBe(paths.dataDir);
    expect(await runInitSteps(paths, plan(step), { owner: nobody })).toEqual([]);
  });

  test("a failing run step reports its output, leaves no marker, holds the later steps, and runs again once fixed", async () => {
    const { paths } = node("run-fails");
    const later = sh("later", "touch data/later");
    const failing = sh("init", 'echo "Fatal: invalid genesis file" >&2; exit 3');
    const error = await runInitSteps(paths, plan(failing, later)).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("init step init (init step) exited with status 3");
    expect((error as Error).message).toContain("Fatal: invalid genesis file");
    expect(existsSync(initMarker(paths, "init"))).toBe(false);
    expect(existsSync(join(paths.dataDir, "later"))).toBe(false);
    // The next reconcile (here: a fixed program) runs it again, then the later step.
    expect(await runInitSteps(paths, plan(sh("init", "true"), later))).toEqual(["init", "later"]);
  });

  test("a run step that does not finish in time is killed and counted failed", async () => {
    const { paths } = node("run-slow");
    const slow = sh("slow", "exec sleep 30", 1);
    await expect(runInitSteps(paths, plan(slow))).rejects.toThrow("did not finish within 1 s and was killed");
    expect(existsSync(initMarker(paths, "slow"))).toBe(false);
  });
});
