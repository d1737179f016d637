// anvil as a devnet client (role `node`): its versions and their artifacts, its managed and known flags, and
// the process that runs it. The chain (../adapter.ts) owns the shared ports, settings and probe.
// Legacy: anvil still names its binary per version here (InstallSource, pinned by sha256) rather than through
// the client catalog.
import type { ErrorDetail } from "../../../protocol/errors.ts";
import type { NodeSpec } from "../../../protocol/node-spec.ts";
import type { InstallSource, PlannedProcess, Platform } from "../../types.ts";
import {
  type ClientCapability,
  type DevnetClient,
  type DevnetInputs,
  devnetProcess,
  ROLE,
} from "../chain.ts";

const CLIENT = "anvil";

/** version → platform → artifact. A platform without an entry has no published build. */
const ARTIFACTS: Record<string, Partial<Record<Platform, InstallSource>>> = {
  "1.7.1": {
    "linux-x64": {
      fileName: "anvil-1.7.1-linux-x64",
      sha256: "10c1c727d6c1de973aeb160e59875b9a9a23464d6e74149ee8abb30b3500311b",
      upstreamUrl: "npm package @foundry-rs/anvil-linux-amd64@1.7.1, file bin/anvil",
    },
  },
};
const VERSIONS = Object.keys(ARTIFACTS);

/** Flags Novacula sets itself (from ports, settings and the node directory); overriding them would conflict. */
const MANAGED_FLAGS = [
  "--host",
  "--port",
  "-p",
  "--state",
  "--load-state",
  "--dump-state",
  "--block-time",
  "-b",
  "--chain-id",
  "--ipc",
  "--ipcpath",
];

const KNOWN_FLAGS = {
  "--accounts": { description: "number of dev accounts to generate (default 10)" },
  "--balance": { description: "balance of every dev account, in ether (default 10000)" },
  "--mnemonic": { description: "BIP39 mnemonic for the dev accounts" },
  "--gas-limit": { description: "block gas limit" },
  "--base-fee": { description: "initial base fee per gas" },
  "--hardfork": { description: "EVM hardfork, e.g. prague" },
  "--state-interval": { description: "seconds between state dumps to disk (crash safety)" },
  "--code-size-limit": { description: "EIP-170 contract code size limit" },
  "--timestamp": { description: "timestamp of the genesis block" },
};

function capability(): ClientCapability {
  return { name: CLIENT, versions: [...VERSIONS] };
}

function validate(spec: NodeSpec, platform: Platform | undefined): ErrorDetail[] {
  // A version the executor offers but this binary does not know has its builds judged by that executor.
  const version = spec.clients[ROLE]?.version;
  const builds = version !== undefined && Object.hasOwn(ARTIFACTS, version) ? ARTIFACTS[version] : undefined;
  if (platform && builds && !builds[platform]) {
    return [
      {
        path: `/clients/${ROLE}/version`,
        message: `${CLIENT} ${version} has no ${platform} build: run this node on a ${Object.keys(builds).join(" or ")} host`,
      },
    ];
  }
  return [];
}

function process(inputs: DevnetInputs): PlannedProcess {
  const { env, version, ports, settings, extraArgs } = inputs;
  // Fixed order, managed flags first; user overrides last and verbatim (unknown flags pass through).
  const args = [
    "--host",
    "127.0.0.1",
    "--port",
    String(ports.rpc),
    "--block-time",
    String(settings.blockTimeSecs),
    "--chain-id",
    String(settings.chainId),
    // --state loads the chain at start and dumps it on SIGTERM, so stop/start keeps the chain's data.
    "--state",
    `${env.dataDir}/state.json`,
    ...extraArgs,
  ];
  return devnetProcess(inputs, { client: CLIENT, install: ARTIFACTS[version]!, args, stopTimeoutSecs: 30 });
}

export const anvilClient: DevnetClient = {
  name: CLIENT,
  capability,
  overrideArgs: { managedFlags: MANAGED_FLAGS, knownFlags: KNOWN_FLAGS },
  validate,
  process,
};

/** For tests and the demo: the artifact of a version on a platform. */
export function anvilArtifact(version: string, platform: Platform): InstallSource | undefined {
  return ARTIFACTS[version]?.[platform];
}
