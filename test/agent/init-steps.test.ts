// The init steps built on artifacts: copy-artifact puts an installed file (a genesis) into the node
// directory, owned by the node user; run executes a program once as the node user before the node starts,
// and a failure leaves no marker (retried next reconcile) with the program's own output in the message.
import { afterAll, describe, expect, test } from "bun:test";
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { InitStep, ProcessPlan } from "../../src/adapters/types.ts";
import { nodePaths } from "../../src/modes/agent/layout.ts";
import { initMarker, runInitSteps } from "../../src/modes/agent/materialize.ts";
import { makeTestDir, REPO_ROOT } from "./helpers.ts";

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

  test("copy-artifact with dropTomlTables copies BSC's release config.toml without [Node.LogConfig], every other byte kept", async () => {
    const { paths } = node("copy-drop");
    // The release file sends geth's log to data/bsc.log; without that table geth logs to stderr (the journal).
    const release = readFileSync(
      join(REPO_ROOT, "test/adapters/fixtures/bsc-geth-1.7.3-config.toml"),
      "utf8",
    );
    const config = join(scratch.dir, "copy-drop", "artifacts", `${"b".repeat(64)}.d`, "config.toml");
    mkdirSync(join(config, ".."), { recursive: true });
    writeFileSync(config, release);
    const copy: InitStep = {
      id: "config",
      description: "copy the release config.toml",
      kind: "copy-artifact",
      role: "node",
      artifact: "config",
      path: "config/config.toml",
      dropTomlTables: ["Node.LogConfig"],
    };
    const artifacts = { node: { config } };
    expect(await runInitSteps(paths, plan(copy), { owner: nobody, artifacts })).toEqual(["config"]);
    const target = join(paths.nodeDir, "config/config.toml");
    const copied = readFileSync(target, "utf8");
    // [Node.LogConfig] is the file's last table: everything before its header is kept byte for byte.
    const header = release.indexOf("\n[Node.LogConfig]\n");
    expect(header).toBeGreaterThan(0);
    expect(copied).toBe(release.slice(0, header + 1));
    expect(copied).not.toContain(`FilePath = "bsc.log"`);
    expect(copied).toContain("[Node.HTTPTimeouts]\nReadTimeout = 30000000000");
    expect(statSync(target).uid).toBe(nobody.uid);
    // The installed artifact stays as delivered; a step run again (its marker gone) writes the same bytes.
    expect(readFileSync(config, "utf8")).toBe(release);
    rmSync(initMarker(paths, "config"));
    expect(await runInitSteps(paths, plan(copy), { owner: nobody, artifacts })).toEqual(["config"]);
    expect(readFileSync(target, "utf8")).toBe(copied);
  });

  test("copy-artifact with dropTomlTables refuses a directory or a non-UTF-8 artifact and leaves no marker", async () => {
    const { paths } = node("copy-drop-dir");
    const dir = join(scratch.dir, "copy-drop-dir", "artifacts", `${"c".repeat(64)}.d`);
    mkdirSync(dir, { recursive: true });
    const copy: InitStep = {
      id: "config",
      description: "copy",
      kind: "copy-artifact",
      role: "node",
      artifact: "config",
      path: "config/release",
      dropTomlTables: ["Node.LogConfig"],
    };
    await expect(runInitSteps(paths, plan(copy), { artifacts: { node: { config: dir } } })).rejects.toThrow(
      "is a directory: dropTomlTables applies to a TOML file",
    );
    const binary = join(dir, "..", "config.bin");
    writeFileSync(binary, Buffer.from([0x5b, 0x4e, 0x5d, 0x0a, 0xff, 0xfe, 0x0a]));
    await expect(
      runInitSteps(paths, plan(copy), { artifacts: { node: { config: binary } } }),
    ).rejects.toThrow("is not UTF-8 text, so not a TOML file dropTomlTables can edit");
    expect(existsSync(initMarker(paths, "config"))).toBe(false);
    expect(existsSync(join(paths.nodeDir, "config/release"))).toBe(false);
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
