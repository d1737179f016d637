// geth in dev mode as a devnet client (role `node`): a production Ethereum execution client producing its
// own blocks every `blockTimeSecs` with no peers. This module owns geth's flags for that mode and its rules;
// which geth versions exist and where their binaries come from is catalog data (artifact "client"), never
// code. The chain (../adapter.ts) owns the shared ports, settings and probe.
import type { ErrorDetail } from "../../../protocol/errors.ts";
import type { NodeSpec } from "../../../protocol/node-spec.ts";
import { requireArtifact } from "../../shared/spec.ts";
import type { PlannedProcess } from "../../types.ts";
import {
  type ClientCapability,
  type DevnetClient,
  type DevnetInputs,
  devnetProcess,
  ROLE,
  SETTINGS,
} from "../chain.ts";

const CLIENT = "geth";

/**
 * The shipped catalog's versions; any catalog version inside VERSION_RANGE is accepted. The real-geth tests run
 * 1.17.10 built from its Go module (scripts/test-geth.ts); the catalog carries 1.17.5, the newest release whose
 * archive name (it holds the release commit) could be read upstream.
 */
const VERSIONS = ["1.17.5"];
/** Proof-of-stake dev mode (a simulated beacon driving --dev.period) and these flags: geth 1.14 onwards. */
const VERSION_RANGE = ">=1.14.0 <2.0.0";

/** geth's dev mode builds its genesis with this chain id and takes no other (no flag sets it). */
export const GETH_DEV_CHAIN_ID = 1337;

/**
 * Flags Novacula sets itself, and those that would turn the dev chain into another network: a node's data
 * directory, RPC endpoint, block period and isolation are the plan's.
 */
const MANAGED_FLAGS = [
  "--dev",
  "--dev.period",
  "--datadir",
  "--http",
  "--http.addr",
  "--http.port",
  "--http.api",
  "--nodiscover",
  "--maxpeers",
  "--ipcdisable",
  "--ipcpath",
  "--networkid",
  "--mainnet",
  "--sepolia",
  "--hoodi",
];

const KNOWN_FLAGS = {
  "--dev.gaslimit": { description: "initial block gas limit of the dev chain" },
  "--miner.gasprice": { description: "minimum gas price (wei) a transaction needs to be included" },
  "--gcmode": { description: "full (prune old state) or archive (keep every state)" },
  "--cache": { description: "megabytes of memory for internal caching" },
  "--verbosity": { description: "log level: 0 silent … 5 detail (default 3)" },
  "--http.corsdomain": { description: "origins allowed to call the RPC from a browser" },
  "--http.vhosts": { description: "host names the RPC answers to (default localhost)" },
  "--rpc.gascap": { description: "gas cap of eth_call and eth_estimateGas" },
  "--rpc.txfeecap": { description: "fee cap (ether) of transactions sent through the RPC" },
};

/** A database closes cleanly in seconds; the margin is for a slow disk, before systemd kills it. */
const STOP_TIMEOUT_SECS = 120;

function capability(): ClientCapability {
  return { name: CLIENT, versions: [...VERSIONS], versionRange: VERSION_RANGE };
}

function validate(spec: NodeSpec): ErrorDetail[] {
  const chainId = spec.settings?.chainId;
  const { min, max } = SETTINGS.chainId;
  // Only a valid chain id is judged here: a malformed one is already reported at the same path.
  const valid = typeof chainId === "number" && Number.isInteger(chainId) && chainId >= min && chainId <= max;
  if (valid && chainId !== GETH_DEV_CHAIN_ID) {
    return [
      {
        path: "/settings/chainId",
        message: `geth's dev mode always runs chain id ${GETH_DEV_CHAIN_ID}: remove settings.chainId or set it to ${GETH_DEV_CHAIN_ID} (anvil runs any chain id)`,
      },
    ];
  }
  return [];
}

function process(inputs: DevnetInputs, errors: ErrorDetail[]): PlannedProcess {
  const { spec, env, ports, settings, extraArgs } = inputs;
  const executable = requireArtifact(env, spec, ROLE, "client", errors);
  // Fixed order, managed flags first; user overrides last and verbatim (unknown flags pass through).
  const args = [
    "--dev",
    "--dev.period",
    String(settings.blockTimeSecs),
    // The chain, the dev account's keystore and the node key live here: a restart continues the chain.
    "--datadir",
    env.dataDir,
    "--http",
    "--http.addr",
    "127.0.0.1",
    "--http.port",
    String(ports.rpc),
    "--http.api",
    "eth,net,web3",
    // Dev mode turns P2P off itself; said explicitly so the plan shows the node is alone.
    "--nodiscover",
    "--maxpeers",
    "0",
    // No IPC socket: its path would be bound to the data dir's length, and the RPC is the one endpoint.
    "--ipcdisable",
    ...extraArgs,
  ];
  return devnetProcess(inputs, {
    client: CLIENT,
    executable,
    artifacts: ["client"],
    args,
    stopTimeoutSecs: STOP_TIMEOUT_SECS,
  });
}

export const gethClient: DevnetClient = {
  name: CLIENT,
  capability,
  overrideArgs: { managedFlags: MANAGED_FLAGS, knownFlags: KNOWN_FLAGS },
  validate: (spec) => validate(spec),
  process,
};
