// anvil as a devnet client (role `node`): its managed and known flags, and the process that runs it. Which
// anvil versions exist and where their binaries come from is catalog data (artifact "client"), never code.
// The chain (../adapter.ts) owns the shared ports, settings and probe.
import type { ErrorDetail } from "../../../protocol/errors.ts";
import { requireArtifact } from "../../shared/spec.ts";
import type { PlannedProcess } from "../../types.ts";
import {
  type ClientCapability,
  type DevnetClient,
  type DevnetInputs,
  devnetProcess,
  ROLE,
} from "../chain.ts";

const CLIENT = "anvil";

/** The shipped catalog's versions; any catalog version inside VERSION_RANGE is accepted. */
const VERSIONS = ["1.7.1"];
/** The flags below (--state, --block-time, --chain-id, --host, --port) as foundry 1.x spells them. */
const VERSION_RANGE = ">=1.0.0 <2.0.0";

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
  return { name: CLIENT, versions: [...VERSIONS], versionRange: VERSION_RANGE };
}

function process(inputs: DevnetInputs, errors: ErrorDetail[]): PlannedProcess {
  const { spec, env, ports, settings, extraArgs } = inputs;
  const executable = requireArtifact(env, spec, ROLE, "client", errors);
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
  return devnetProcess(inputs, {
    client: CLIENT,
    executable,
    artifacts: ["client"],
    args,
    stopTimeoutSecs: 30,
  });
}

export const anvilClient: DevnetClient = {
  name: CLIENT,
  capability,
  overrideArgs: { managedFlags: MANAGED_FLAGS, knownFlags: KNOWN_FLAGS },
  // anvil runs any chain id and block time the chain allows: nothing of its own to judge.
  validate: () => [],
  process,
};
