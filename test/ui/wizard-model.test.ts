// The deploy and edit forms' model: a spec opened in Edit configuration and saved untouched goes back
// exactly as it was (no field the form does not show is lost, "0 changed"); each server error lands on the
// step and field that set it; a request below the network's default warns; a diff names each changed leaf;
// a role's version choices in Edit configuration keep to the client it runs.
import { expect, test } from "bun:test";
import type { ChainOffer, ExecutorOffer } from "../../src/modes/control-plane/ui/app/api/node-flows.ts";
import { versionChoices } from "../../src/modes/control-plane/ui/app/screens/node-config-versions.tsx";
import {
  diffSpecs,
  LIFECYCLE_FIELDS,
} from "../../src/modes/control-plane/ui/app/screens/node-revisions-diff.ts";
import { emptyDraft, fromSpec, toSpec } from "../../src/modes/control-plane/ui/app/screens/wizard-model.ts";
import {
  errorsAfter,
  narrowTarget,
  resourceWarnings,
  satisfies,
  stepOf,
} from "../../src/modes/control-plane/ui/app/screens/wizard-rules.ts";

/** Every NodeSpec field set, the ones no form control edits included. */
const FULL_SPEC = {
  chain: "ethereum",
  network: "hoodi",
  nodeType: "archive",
  clients: { el: { name: "geth", version: "1.15.6" }, cl: { name: "lighthouse", version: "5.3.0" } },
  images: { geth: "ethereum/client-go:v1.15.6" },
  storage: { size: "500Gi", storageClass: "fast-nvme" },
  resources: { cpu: "4", memory: "16Gi", disk: "600Gi", cpuLimit: "6", memoryLimit: "20Gi" },
  overrides: {
    args: { geth: ["--cache=4096", "--txlookuplimit=0"] },
    files: {
      "config.toml": {
        "Eth.SyncMode": "snap",
        "Node.MaxPeers": 50,
        "Metrics.Enabled": true,
        "Node.Port": "30303",
        "X.Y": '"q"',
      },
    },
  },
  checkpointSyncUrl: "https://checkpoint.example/",
  ports: { rpc: 18545, p2p: 30304 },
  settings: { blockTimeSecs: 2, label: "true" },
  sidecars: [{ name: "exporter", image: "exporter:1" }],
  desiredState: "stopped",
  restartGeneration: 3,
  serviceType: "NodePort",
  restartPolicy: "always",
};

test("a spec opened for editing and saved untouched is sent back unchanged, lifecycle fields aside", () => {
  const sent = toSpec(fromSpec(FULL_SPEC, "executor-1"));
  const { restartGeneration: _owned, ...expected } = FULL_SPEC;
  expect(sent).toEqual(expected);
  expect(diffSpecs(FULL_SPEC, sent, LIFECYCLE_FIELDS)).toEqual([]);
});

test("blank fields are left out of the spec, so the adapter's defaults apply", () => {
  const draft = {
    ...emptyDraft(),
    chain: "devnet",
    network: "local",
    nodeType: "full",
    clients: { node: "anvil@1.7.1" },
    args: { anvil: "\n  \n" },
    settings: { blockTimeSecs: "" },
    ports: { rpc: " " },
  };
  expect(toSpec(draft)).toEqual({
    chain: "devnet",
    network: "local",
    nodeType: "full",
    clients: { node: { name: "anvil", version: "1.7.1" } },
  });
});

test("each server error path belongs to the step that edits it", () => {
  expect(
    ["/executorId", "/spec/clients/el/version", "/spec/resources/cpu", "/spec/storage/size", "/name"].map(
      stepOf,
    ),
  ).toEqual(["target", "target", "resources", "resources", "configuration"]);
  expect(
    [
      "/spec/overrides/args/geth/1",
      "/spec/settings/blockTimeSecs",
      "/spec/ports/rpc",
      "/spec/sidecars/0",
    ].map(stepOf),
  ).toEqual(["configuration", "configuration", "configuration", "review"]);
});

test("changing a field drops the server's errors for it and keeps the others", () => {
  const errors = [
    { path: "/spec/overrides/args/anvil/1", message: "managed" },
    { path: "/spec/settings/blockTimeSecs", message: "range" },
  ];
  expect(errorsAfter(errors, { args: {} })).toEqual([errors[1]!]);
  expect(errorsAfter(errors, { name: "x" })).toEqual(errors);
});

test("requests below the network's defaults warn, at or above do not", () => {
  const chain = {
    defaults: { mainnet: { cpu: "4", memory: "16Gi", storage: { data: "2548Gi" } } },
  } as unknown as ChainOffer;
  const draft = { ...emptyDraft(), chain: "ethereum", network: "mainnet" };
  const warn = (resources: Partial<typeof draft.resources>) =>
    Object.keys(
      resourceWarnings({ ...draft, resources: { ...draft.resources, ...resources } }, chain),
    ).sort();
  expect(warn({ cpu: "3500m", memory: "16Gi", disk: "2548Gi" })).toEqual(["cpu"]);
  expect(warn({ cpu: "4", memory: "15Gi", disk: "2Ti" })).toEqual(["disk", "memory"]);
  expect(warn({ cpu: "8", memory: "32Gi", disk: "3Ti" })).toEqual([]);
});

test("a diff names every changed leaf with its value before and after", () => {
  const before = { settings: { blockTimeSecs: 1 }, overrides: { args: { anvil: ["--accounts=3"] } } };
  const after = { overrides: { args: { anvil: ["--accounts=4"] } }, ports: { rpc: 9 } };
  expect(diffSpecs(before, after)).toEqual([
    { path: "/overrides/args/anvil", before: '["--accounts=3"]', after: '["--accounts=4"]' },
    { path: "/ports/rpc", before: undefined, after: "9" },
    { path: "/settings/blockTimeSecs", before: "1", after: undefined },
  ]);
});

test("the target offers only what the executor reports: a network's version constraint narrows the versions", () => {
  const executor = {
    id: "e1",
    name: "host",
    kind: "agent",
    status: "online",
    capabilities: {
      supportedChains: [
        {
          chain: "ethereum",
          networks: ["mainnet", "hoodi"],
          nodeTypes: ["full", "archive"],
          roles: [
            {
              role: "el",
              clients: [
                { name: "geth", versions: ["1.14.13", "1.15.6"], versionConstraints: { hoodi: ">=1.15.0" } },
              ],
            },
          ],
          defaults: {},
          configOverrideSchema: { files: {}, args: {} },
        },
      ],
    },
  } as const;
  const executors = [executor as unknown as ExecutorOffer];
  const onMainnet = narrowTarget(executors, {
    ...emptyDraft(),
    network: "mainnet",
    clients: { el: "geth@1.14.13" },
  });
  expect(onMainnet.clients).toEqual({ el: "geth@1.14.13" });
  // Moving to Hoodi drops the version its constraint refuses for the first one it admits.
  expect(narrowTarget(executors, { ...onMainnet, network: "hoodi" }).clients).toEqual({ el: "geth@1.15.6" });
  // A network the executor does not offer falls back to one it does.
  expect(narrowTarget(executors, { ...onMainnet, network: "sepolia" }).network).toBe("mainnet");
  expect([
    satisfies("1.15.0", ">=1.15.0"),
    satisfies("1.14.13", ">=1.15.0"),
    satisfies("2.0.1", ">=1.2 <2.0.0"),
  ]).toEqual([true, false, false]);
});

test("Edit configuration offers a role only versions of the client it runs, the current one always among them", () => {
  const chain = {
    chain: "ethereum",
    networks: ["mainnet", "hoodi"],
    nodeTypes: ["full"],
    roles: [
      {
        role: "el",
        clients: [
          {
            name: "geth",
            versions: ["1.16.0", "1.15.6", "1.14.13"],
            versionConstraints: { hoodi: ">=1.15.0" },
          },
          { name: "reth", versions: ["1.3.0"] },
        ],
      },
    ],
    defaults: {},
    configOverrideSchema: { files: {}, args: {} },
  } as unknown as ChainOffer;
  expect(versionChoices(chain, "el", "mainnet", "geth@1.15.6")).toEqual([
    "geth@1.16.0",
    "geth@1.15.6",
    "geth@1.14.13",
  ]);
  // A version the offer no longer holds (removed from the catalog, or below the network's minimum) stays.
  expect(versionChoices(chain, "el", "hoodi", "geth@1.14.13")).toEqual([
    "geth@1.14.13",
    "geth@1.16.0",
    "geth@1.15.6",
  ]);
});
