// Golden ProcessPlans: one directory per chain, network and node type under test/golden/plans/, holding the
// plan as the adapter returns it, each config file's exact bytes and each process's systemd unit as the agent
// renders it. A changed byte restarts a running node, so any change must be deliberate: regenerate with
// UPDATE_GOLDEN=1 and review the diff.
import { expect } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderConfigFile } from "../../src/adapters/shared/render.ts";
import type { ChainAdapter, PlanEnv } from "../../src/adapters/types.ts";
import { nodePaths, planEnv } from "../../src/modes/agent/layout.ts";
import { processDefinition } from "../../src/modes/agent/materialize.ts";
import { renderProcessUnit } from "../../src/modes/agent/units.ts";
import type { NodeSpec } from "../../src/protocol/node-spec.ts";

export const GOLDEN_PLANS_DIR = resolve(import.meta.dir, "../golden/plans");
/** The agent's default data_dir: the paths in a golden plan are those of a real host. */
const AGENT_DATA_DIR = "/var/lib/novacula";

/** The PlanEnv the agent gives a node, with the artifacts the control plane resolved installed under bin/. */
export function hostEnv(nodeName: string, artifacts: NonNullable<PlanEnv["artifacts"]>): PlanEnv {
  return { ...planEnv(AGENT_DATA_DIR, nodePaths(AGENT_DATA_DIR, nodeName), "linux-x64"), artifacts };
}

/**
 * The golden files of one node: plan.json (the plan as the adapter returns it), each config file's exact
 * bytes (named <role>.<path>) and each process's unit (<unit name>.service).
 */
export function goldenFiles(
  adapter: ChainAdapter,
  nodeName: string,
  spec: NodeSpec,
  env: PlanEnv,
): Record<string, string> {
  const result = adapter.plan(nodeName, spec, env);
  if (!result.ok) throw new Error(`plan rejected: ${JSON.stringify(result.errors)}`);
  const files: Record<string, string> = { "plan.json": `${JSON.stringify(result.plan, null, 2)}\n` };
  for (const process of result.plan.processes) {
    const hashes: Record<string, string> = {};
    for (const file of process.configFiles) {
      const text = renderConfigFile(file);
      files[`${process.role}.${file.path}`] = text;
      hashes[file.path] = new Bun.CryptoHasher("sha256").update(text).digest("hex");
    }
    const definition = processDefinition({
      chain: adapter.chain,
      nodeName,
      paths: nodePaths(AGENT_DATA_DIR, nodeName),
      process,
      executable: process.executable ?? "",
      configHashes: hashes,
    });
    files[`${definition.unitName}.service`] = renderProcessUnit(definition);
  }
  return files;
}

/** Compare with (or, under UPDATE_GOLDEN=1, write) test/golden/plans/<name>/: the same files, byte for byte. */
export function expectGoldenPlan(name: string, files: Record<string, string>): void {
  const dir = join(GOLDEN_PLANS_DIR, name);
  if (process.env.UPDATE_GOLDEN === "1") {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  }
  expect(readdirSync(dir).sort()).toEqual(Object.keys(files).sort());
  for (const [file, text] of Object.entries(files)) {
    expect({ file, text }).toEqual({ file, text: readFileSync(join(dir, file), "utf8") });
  }
}

/** A fixture of documented flags or keys: one per line, `#` lines are the source notes. */
export function readFlagFixture(file: string): Set<string> {
  const text = readFileSync(resolve(import.meta.dir, "fixtures", file), "utf8");
  return new Set(
    text
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#")),
  );
}
