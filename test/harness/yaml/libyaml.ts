// libyaml for tests: the C YAML parser that sui-node's serde_yaml reads its config with (through
// unsafe-libyaml, a translation of it), reached through the machine's python3-yaml built on it.

const READ = "import json, sys, yaml; print(json.dumps(yaml.load(sys.stdin, Loader=yaml.CSafeLoader)))";

/** Null when this machine has no python3 with libyaml bindings (the reason), else a parser. */
export function libyamlParser(): { parse: (text: string) => unknown } | { missing: string } {
  if (!Bun.which("python3")) return { missing: "no python3 on this machine" };
  const probe = Bun.spawnSync(["python3", "-c", "import yaml; yaml.CSafeLoader"], { stderr: "pipe" });
  if (probe.exitCode !== 0) return { missing: "python3-yaml without libyaml on this machine" };
  return {
    parse(text: string): unknown {
      const run = Bun.spawnSync(["python3", "-c", READ], {
        stdin: Buffer.from(text),
        stdout: "pipe",
        stderr: "pipe",
      });
      if (run.exitCode !== 0) throw new Error(`libyaml refused the file: ${run.stderr.toString()}`);
      return JSON.parse(run.stdout.toString());
    },
  };
}
