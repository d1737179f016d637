// Golden ProcessPlans: for one adapter and spec, the plan (args, ports, probe, init steps), every rendered
// config file and the systemd unit the agent would write, each pinned byte for byte in test/golden/plans/.
// A changed byte restarts a blockchain node, so a change here must be deliberate: regenerate with
// UPDATE_GOLDEN=1 and review the diff.
import { expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderConfigFile } from "../../../src/adapters/shared/render.ts";
import type { ChainAdapter } from "../../../src/adapters/types.ts";
import { nodePaths, planEnv } from "../../../src/modes/agent/layout.ts";
import { processDefinition } from "../../../src/modes/agent/materialize.ts";
import { renderProcessUnit } from "../../../src/modes/agent/units.ts";
import type { NodeSpec } from "../../../src/protocol/node-spec.ts";

const GOLDEN_DIR = import.meta.dir;
export const GOLDEN_DATA_DIR = "/var/lib/novacula";

/**
 * The files of one golden plan: `<prefix>.plan.json`, `<prefix>.<config file>` and `<prefix>.<role>.service`,
 * each with a `.golden` suffix so no formatter ever rewrites their bytes.
 */
export function goldenPlanFiles(
  adapter: ChainAdapter,
  prefix: string,
  nodeName: string,
  spec: NodeSpec,
  artifacts: Record<string, Record<string, string>>,
): Record<string, string> {
  const paths = nodePaths(GOLDEN_DATA_DIR, nodeName);
  const result = adapter.plan(nodeName, spec, { ...planEnv(GOLDEN_DATA_DIR, paths, "linux-x64"), artifacts });
  if (!result.ok) throw new Error(`plan rejected: ${JSON.stringify(result.errors)}`);
  const files: Record<string, string> = {
    [`${prefix}.plan.json`]: `${JSON.stringify(result.plan, null, 2)}\n`,
  };
  for (const process of result.plan.processes) {
    const configHashes: Record<string, string> = {};
    for (const file of process.configFiles) {
      const text = renderConfigFile(file);
      files[`${prefix}.${file.path}`] = text;
      configHashes[file.path] = new Bun.CryptoHasher("sha256").update(text).digest("hex");
    }
    const definition = processDefinition({
      chain: adapter.chain,
      nodeName,
      paths,
      process,
      executable: process.executable!,
      configHashes,
    });
    files[`${prefix}.${process.role}.service`] = renderProcessUnit(definition);
  }
  return files;
}

/** One test per golden file: the rendered bytes equal the committed ones. */
export function testGoldenPlanFiles(files: Record<string, string>): void {
  for (const [file, rendered] of Object.entries(files)) {
    test(`${file} matches its golden file byte for byte`, () => {
      const path = join(GOLDEN_DIR, `${file}.golden`);
      if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, rendered);
      expect(rendered).toBe(readFileSync(path, "utf8"));
    });
  }
}
