// Golden ProcessPlans per network: the exact args, ports, probes, limits and init steps of an Ethereum node,
// and the systemd units rendered from one. A changed byte restarts a blockchain node, so a change here must be
// deliberate: regenerate with UPDATE_GOLDEN=1, run the formatter, and review the diff (test/golden/).
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ethereumAdapter } from "../../../src/adapters/ethereum/adapter.ts";
import { canonicalJson } from "../../../src/adapters/shared/render.ts";
import { nodePaths, planEnv } from "../../../src/modes/agent/layout.ts";
import { processDefinition } from "../../../src/modes/agent/materialize.ts";
import { renderProcessUnit } from "../../../src/modes/agent/units.ts";
import { ETH_ENV, ethSpec } from "./fixture.ts";

const GOLDEN_DIR = resolve(import.meta.dir, "../../golden/plans");
const UNITS_DIR = resolve(import.meta.dir, "../../golden/units");

function matchesGolden(path: string, rendered: string): void {
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, rendered);
  expect(rendered).toBe(readFileSync(path, "utf8"));
}

const CASES = [
  ethSpec("geth", "lighthouse", { network: "mainnet" }),
  ethSpec("reth", "prysm", { network: "sepolia" }),
  ethSpec("nethermind", "lodestar", { network: "hoodi" }),
  ethSpec("erigon", "prysm", {
    network: "mainnet",
    nodeType: "archive",
    resources: { cpuLimit: "8", memoryLimit: "64Gi" },
  }),
];

describe("Ethereum plan golden files", () => {
  for (const spec of CASES) {
    const file = `ethereum-${spec.network}-${spec.clients.el!.name}-${spec.clients.cl!.name}-${spec.nodeType}.json`;
    test(`${file} matches its golden plan`, () => {
      const result = ethereumAdapter.plan(`${spec.network}-1`, spec, ETH_ENV);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      // Compared as data: the bytes that reach a host are the units, pinned below.
      const path = join(GOLDEN_DIR, file);
      if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, canonicalJson(result.plan));
      expect(JSON.parse(JSON.stringify(result.plan))).toEqual(JSON.parse(readFileSync(path, "utf8")));
    });
  }

  for (const spec of CASES) {
    const nodeName = `${spec.network}-${spec.clients.el!.name}-${spec.clients.cl!.name}`;
    test(`the systemd units the agent renders for ${nodeName} (${spec.nodeType}) match their golden files`, () => {
      const dataDir = "/var/lib/novacula";
      const paths = nodePaths(dataDir, nodeName);
      const env = { ...planEnv(dataDir, paths, "linux-x64"), artifacts: ETH_ENV.artifacts };
      const result = ethereumAdapter.plan(nodeName, spec, env);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      for (const planned of result.plan.processes) {
        const definition = processDefinition({
          chain: "ethereum",
          nodeName,
          paths,
          process: planned,
          executable: planned.executable!,
          configHashes: {},
        });
        matchesGolden(join(UNITS_DIR, `${definition.unitName}.service`), renderProcessUnit(definition));
      }
    });
  }
});
