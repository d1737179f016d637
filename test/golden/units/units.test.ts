// Golden files pin the exact bytes of rendered units: a changed byte restarts a blockchain node, so any
// change here must be deliberate. Regenerate with UPDATE_GOLDEN=1 and review the diff.
// Also: systemd itself (systemd-analyze verify, inside a booted namespace) accepts every rendered file
// without a warning, and no ProcessDefinition field is ignored by the renderer.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { installedArtifactPath } from "../../../src/modes/agent/layout.ts";
import { processDefinition } from "../../../src/modes/agent/materialize.ts";
import { planNode } from "../../../src/modes/agent/planning.ts";
import type { ProcessDefinition } from "../../../src/modes/agent/supervisor/types.ts";
import {
  parseDefinitionHash,
  renderAgentUnit,
  renderProcessUnit,
  renderRollbackUnit,
  renderUpgradeGuardTimer,
  UnitRenderError,
} from "../../../src/modes/agent/units.ts";
import { devnetSpec } from "../../agent/backend-fixture.ts";
import { anvilArtifacts } from "../../agent/helpers.ts";
import { bootSystemd, type SystemdNamespace, testWorkDir } from "../../harness/systemd.ts";

const TIMEOUT_MS = 60_000;
const GOLDEN_DIR = import.meta.dir;
const REPO_ROOT = resolve(import.meta.dir, "../../..");
const NODES = "/var/lib/novacula/nodes";

const devnet: ProcessDefinition = {
  unitName: "devnet-node@devnet-local-1",
  nodeName: "devnet-local-1",
  role: "node",
  executable: "/var/lib/novacula/artifacts/10c1c727d6c1de973aeb160e59875b9a9a23464d6e74149ee8abb30b3500311b",
  args: ["--host", "127.0.0.1", "--port", "8545", "--block-time", "2", "--chain-id", "31337"],
  env: { HOME: `${NODES}/devnet-local-1/data`, RUST_LOG: "info" },
  workingDirectory: `${NODES}/devnet-local-1`,
  readWritePaths: [`${NODES}/devnet-local-1`],
  restartPolicy: "always",
  stopTimeoutSecs: 120,
  cpuQuotaPercent: 200,
  memoryHighBytes: 3 * 1024 ** 3,
  memoryMaxBytes: 4 * 1024 ** 3,
  definitionHash: "sha256-0f1e2d3c4b5a69788796a5b4c3d2e1f0",
};

/** Args and env that need every kind of systemd escaping, with no limits and no restart. */
const escaping: ProcessDefinition = {
  unitName: "ethereum-el@mainnet-geth-1",
  nodeName: "mainnet-geth-1",
  role: "el",
  executable: "/var/lib/novacula/bin/geth-1.15.6-linux-x64",
  args: [
    "--datadir",
    `${NODES}/mainnet-geth-1/data`,
    "--http.api=eth,net,web3",
    '--identity=my node; 100% "real"',
    "$NOT_A_VARIABLE",
    "",
    "back\\slash",
    "tab\tand\nnewline",
  ],
  env: { Z_LAST: "z", A_FIRST: "it's 50% $literal" },
  workingDirectory: `${NODES}/mainnet-geth-1`,
  readWritePaths: [`${NODES}/mainnet-geth-1`, "/srv/chain data/geth"],
  restartPolicy: "no",
  stopTimeoutSecs: 600,
  definitionHash: "sha256-aa",
};

const agentPaths = { binaryPath: "/usr/local/bin/novacula", configPath: "/etc/novacula/agent.toml" };

const goldens: Record<string, string> = {
  "devnet-node@devnet-local-1.service": renderProcessUnit(devnet),
  "ethereum-el@mainnet-geth-1.service": renderProcessUnit(escaping),
  "novacula-agent.service": renderAgentUnit(agentPaths),
  "novacula-agent-rollback.service": renderRollbackUnit(agentPaths),
  "novacula-agent-upgrade-guard.timer": renderUpgradeGuardTimer({}),
};

describe("unit rendering golden files", () => {
  for (const [file, rendered] of Object.entries(goldens)) {
    test(`${file} matches its golden file byte for byte`, () => {
      const path = join(GOLDEN_DIR, file);
      if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, rendered);
      expect(rendered).toBe(readFileSync(path, "utf8"));
    });
  }
});

describe("unit rendering rules", () => {
  test("environment order in the definition does not change a byte (sorted keys)", () => {
    const reordered = { ...devnet, env: { RUST_LOG: "info", HOME: devnet.env.HOME! } };
    expect(renderProcessUnit(reordered)).toBe(renderProcessUnit(devnet));
  });

  test("every ProcessDefinition field reaches the rendered unit", () => {
    const base = renderProcessUnit(devnet);
    const changed: { [K in keyof ProcessDefinition]-?: Partial<ProcessDefinition> } = {
      unitName: { unitName: "devnet-node@other" },
      nodeName: { nodeName: "other" },
      role: { role: "other" },
      executable: { executable: "/other" },
      args: { args: ["--other"] },
      env: { env: { OTHER: "1" } },
      workingDirectory: { workingDirectory: "/other" },
      readWritePaths: { readWritePaths: ["/other"] },
      restartPolicy: { restartPolicy: "on-failure" },
      stopTimeoutSecs: { stopTimeoutSecs: 7 },
      cpuQuotaPercent: { cpuQuotaPercent: 50 },
      memoryHighBytes: { memoryHighBytes: 1024 },
      memoryMaxBytes: { memoryMaxBytes: 2048 },
      definitionHash: { definitionHash: "other" },
    };
    // unitName is the file name, not its content: everything else must change the bytes.
    for (const [field, patch] of Object.entries(changed)) {
      if (field === "unitName") continue;
      expect({ field, same: renderProcessUnit({ ...devnet, ...patch }) === base }).toEqual({
        field,
        same: false,
      });
    }
  });

  test("the definition hash round-trips through the unit file, and foreign units have none", () => {
    expect(parseDefinitionHash(renderProcessUnit(devnet))).toBe(devnet.definitionHash);
    expect(parseDefinitionHash(renderAgentUnit(agentPaths))).toBeNull();
    expect(parseDefinitionHash("[Service]\nExecStart=/bin/true\n")).toBeNull();
  });

  test("inputs systemd would misread are refused with a clear error", () => {
    const bad: Partial<ProcessDefinition>[] = [
      { executable: "anvil" },
      { workingDirectory: "relative/dir" },
      { readWritePaths: ["/ok", "not/absolute"] },
      { unitName: "two@at@signs" },
      { unitName: "spaces in name" },
      { env: { "BAD-NAME": "x" } },
      { env: { OK: "line\nbreak" } },
      { args: ["nul\0byte"] },
      { stopTimeoutSecs: 0 },
      { definitionHash: "has space" },
    ];
    for (const patch of bad)
      expect(() => renderProcessUnit({ ...devnet, ...patch })).toThrow(UnitRenderError);
  });
});

describe("systemd accepts the rendered units", () => {
  let ns: SystemdNamespace;
  let workDir: string;
  beforeAll(async () => {
    workDir = testWorkDir("units-verify");
    ns = await bootSystemd(join(workDir, "ns"));
  }, TIMEOUT_MS);
  afterAll(async () => {
    await ns?.stop();
  }, TIMEOUT_MS);

  test(
    "systemd-analyze security scores a rendered devnet node unit no worse than docs/node-unit-confinement.md records",
    async () => {
      // The real rendering path: the devnet adapter's plan, the agent's process definition, the renderer.
      const dataDir = "/var/lib/novacula";
      const entry = {
        nodeId: "00000000-0000-4000-8000-000000000001",
        name: "devnet-score",
        revision: 1,
        spec: devnetSpec(8545),
        artifacts: anvilArtifacts("http://127.0.0.1:9/anvil"),
        deleted: false,
        retainData: false,
      };
      const planned = planNode(entry, dataDir, "linux-x64");
      if (!planned.ok) throw new Error(planned.message);
      const process = planned.plan.processes[0]!;
      const definition = processDefinition({
        chain: "devnet",
        nodeName: entry.name,
        paths: planned.paths,
        process,
        executable: installedArtifactPath(dataDir, entry.artifacts.node!.client!),
        configHashes: {},
      });
      const unit = `${definition.unitName}.service`;
      writeFileSync(join(ns.hostUnitDir, unit), renderProcessUnit(definition));
      expect((await ns.exec(["systemctl", "daemon-reload"])).code).toBe(0);
      const result = await ns.exec(["systemd-analyze", "security", "--no-pager", unit]);
      const score = Number(result.stdout.match(/Overall exposure level for \S+: (\d+\.\d+)/)?.[1]);
      const doc = readFileSync(join(REPO_ROOT, "docs/node-unit-confinement.md"), "utf8");
      const recorded = Number(doc.match(/^Recorded exposure score: \*\*(\d+\.\d+)\*\*/m)?.[1]);
      expect(recorded).toBeGreaterThan(0);
      expect({ score, atMost: recorded, ok: score <= recorded }).toEqual({
        score,
        atMost: recorded,
        ok: true,
      });
    },
    TIMEOUT_MS,
  );

  test(
    "systemd-analyze verify reports nothing for node, agent, rollback and upgrade guard units",
    async () => {
      // verify checks that executables exist, so point the same shapes at real files.
      const real = { executable: "/bin/sleep", workingDirectory: workDir, readWritePaths: [workDir] };
      const files: Record<string, string> = {
        "devnet-node@devnet-local-1.service": renderProcessUnit({ ...devnet, ...real }),
        "ethereum-el@mainnet-geth-1.service": renderProcessUnit({ ...escaping, ...real }),
        "novacula-agent.service": renderAgentUnit({ ...agentPaths, binaryPath: "/bin/true" }),
        "novacula-agent-rollback.service": renderRollbackUnit({ binaryPath: "/bin/true" }),
        "novacula-agent-upgrade-guard.timer": renderUpgradeGuardTimer({}),
      };
      for (const [file, text] of Object.entries(files)) writeFileSync(join(workDir, file), text);
      const result = await ns.exec([
        "systemd-analyze",
        "verify",
        "--man=no",
        ...Object.keys(files).map((f) => join(workDir, f)),
      ]);
      expect({ code: result.code, stderr: result.stderr, stdout: result.stdout }).toEqual({
        code: 0,
        stderr: "",
        stdout: "",
      });
    },
    TIMEOUT_MS,
  );
});
