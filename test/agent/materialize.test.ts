// Materializing a plan on disk: config files are written only when their bytes change, init steps run once,
// nothing is written outside the node directory, and the definition hash follows config contents.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { PlannedProcess, ProcessPlan } from "../../src/adapters/types.ts";
import { nodePaths } from "../../src/modes/agent/layout.ts";
import {
  nodeNameOfUnit,
  processDefinition,
  runInitSteps,
  writeConfigFiles,
} from "../../src/modes/agent/materialize.ts";
import { makeTestDir } from "./helpers.ts";

const scratch = makeTestDir("materialize");
afterAll(() => scratch.cleanup());

function planWith(config: Record<string, unknown>, path = "client.toml"): ProcessPlan {
  const process: PlannedProcess = {
    role: "node",
    client: "demo",
    version: "1.0.0",
    executable: "/var/lib/novacula/artifacts/demo",
    args: ["--config", "config/client.toml"],
    env: {},
    configFiles: [{ path, format: "toml", content: config }],
    ports: [],
    probe: { kind: "tcp", port: 1 },
    restartPolicy: "on-failure",
    stopTimeoutSecs: 10,
  };
  return {
    nodeName: "n1",
    processes: [process],
    initSteps: [
      { id: "jwt", description: "engine secret", kind: "generate-secret", path: "config/jwt.hex", bytes: 32 },
    ],
  };
}

describe("materializing a plan", () => {
  test("with a node user, what the node reads or writes is its own and the directories above stay root's", async () => {
    const paths = nodePaths(join(scratch.dir, "owned"), "n1");
    const nobody = { uid: 65534, gid: 65534 };
    writeConfigFiles(paths, planWith({ a: 1 }), nobody);
    await runInitSteps(paths, planWith({ a: 1 }), { owner: nobody });
    const owner = (path: string) => [statSync(path).uid, statSync(path).gid];
    expect(owner(join(paths.configDir, "client.toml"))).toEqual([65534, 65534]);
    expect(owner(join(paths.configDir, "jwt.hex"))).toEqual([65534, 65534]);
    expect(statSync(join(paths.configDir, "jwt.hex")).mode & 0o777).toBe(0o600);
    expect(owner(paths.dataDir)).toEqual([65534, 65534]);
    expect(owner(paths.configDir)).toEqual([0, 0]);
    expect(owner(paths.nodeDir)).toEqual([0, 0]);
  });

  test("config files are rewritten only when their bytes change, and the hash follows their content", () => {
    const paths = nodePaths(join(scratch.dir, "a"), "n1");
    const first = writeConfigFiles(paths, planWith({ b: 1, a: "x" }));
    const file = join(paths.configDir, "client.toml");
    expect(first.written).toEqual([file]);
    expect(readFileSync(file, "utf8")).toBe('a = "x"\nb = 1\n');
    const mtime = statSync(file).mtimeMs;
    expect(writeConfigFiles(paths, planWith({ a: "x", b: 1 })).written).toEqual([]);
    expect(statSync(file).mtimeMs).toBe(mtime);

    const define = (hashes: Record<string, string>) =>
      processDefinition({
        chain: "demo",
        nodeName: "n1",
        paths,
        process: planWith({}).processes[0]!,
        executable: "/bin/true",
        configHashes: hashes,
      });
    const before = define(first.hashes.get("node")!);
    const edited = writeConfigFiles(paths, planWith({ a: "y", b: 1 }));
    expect(define(edited.hashes.get("node")!).definitionHash).not.toBe(before.definitionHash);
    expect(define(first.hashes.get("node")!).definitionHash).toBe(before.definitionHash);
    expect(before.unitName).toBe("demo-node@n1");
    expect(before.env.HOME).toBe(paths.dataDir);
    expect(nodeNameOfUnit(before.unitName)).toBe("n1");
  });

  test("an init step runs once: a generated secret is never replaced", async () => {
    const paths = nodePaths(join(scratch.dir, "b"), "n1");
    writeConfigFiles(paths, planWith({}));
    expect(await runInitSteps(paths, planWith({}))).toEqual(["jwt"]);
    const secret = readFileSync(join(paths.nodeDir, "config/jwt.hex"), "utf8");
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(await runInitSteps(paths, planWith({}))).toEqual([]);
    expect(readFileSync(join(paths.nodeDir, "config/jwt.hex"), "utf8")).toBe(secret);
  });

  test("a plan cannot write outside its node directory, and unsafe node names are refused", () => {
    const paths = nodePaths(join(scratch.dir, "c"), "n1");
    expect(() => writeConfigFiles(paths, planWith({}, "../../escape.toml"))).toThrow(
      "outside the node directory",
    );
    expect(() => nodePaths(scratch.dir, "../etc")).toThrow("unsafe node name");
  });
});
