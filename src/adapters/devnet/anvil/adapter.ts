// The `devnet` chain: one local Ethereum development chain run by anvil (role `node`, network `local`).
// This folder owns everything about anvil: versions and their artifacts, managed and known flags, ports,
// settings, and how its JSON-RPC answers become status and metrics.
import type { ChainCapability } from "../../../protocol/capabilities.ts";
import type { ErrorDetail } from "../../../protocol/errors.ts";
import type { NodeSpec } from "../../../protocol/node-spec.ts";
import { EVM_PROBE_METHODS, hexQuantity, interpretEvmProbe } from "../../shared/evm.ts";
import {
  hostPortsOf,
  type IntSetting,
  resolveIntSettings,
  resolvePorts,
  resourceLimits,
  validateOffer,
} from "../../shared/spec.ts";
import type {
  ChainAdapter,
  ConfigOverrideSchema,
  InstallSource,
  PlanEnv,
  PlanResult,
  Platform,
  ProbeResult,
  ValidationTarget,
} from "../../types.ts";

const CHAIN = "devnet";
const ROLE = "node";
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

const DEFAULT_PORTS = { rpc: 8545 } as const;

/** Asked beside the common EVM methods, in the same batch: the devnet's extras (`details`). */
const EXTRA_PROBE_METHODS = ["eth_chainId", "web3_clientVersion", "eth_gasPrice"] as const;
/** A client version string is a label, not a document. */
const CLIENT_VERSION_MAX = 128;

const SETTINGS: Record<"blockTimeSecs" | "chainId", IntSetting> = {
  blockTimeSecs: { default: 1, min: 1, max: 3600, description: "blockTimeSecs (seconds between blocks)" },
  chainId: { default: 31337, min: 1, max: 4_294_967_295, description: "chainId (EIP-155 chain id)" },
};

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

const OVERRIDE_SCHEMA: ConfigOverrideSchema = {
  files: {},
  args: {
    [CLIENT]: {
      managedFlags: MANAGED_FLAGS,
      knownFlags: {
        "--accounts": { description: "number of dev accounts to generate (default 10)" },
        "--balance": { description: "balance of every dev account, in ether (default 10000)" },
        "--mnemonic": { description: "BIP39 mnemonic for the dev accounts" },
        "--gas-limit": { description: "block gas limit" },
        "--base-fee": { description: "initial base fee per gas" },
        "--hardfork": { description: "EVM hardfork, e.g. prague" },
        "--state-interval": { description: "seconds between state dumps to disk (crash safety)" },
        "--code-size-limit": { description: "EIP-170 contract code size limit" },
        "--timestamp": { description: "timestamp of the genesis block" },
      },
    },
  },
};

function validate(
  spec: NodeSpec,
  { offered = capability(), platform }: ValidationTarget = {},
): ErrorDetail[] {
  const errors = validateOffer(spec, offered);
  // A version the executor offers but this binary does not know has its builds judged by that executor.
  const version = spec.clients[ROLE]?.version;
  const builds = version !== undefined && Object.hasOwn(ARTIFACTS, version) ? ARTIFACTS[version] : undefined;
  if (platform && builds && !builds[platform]) {
    errors.push({
      path: `/clients/${ROLE}/version`,
      message: `${CLIENT} ${version} has no ${platform} build: run this node on a ${Object.keys(builds).join(" or ")} host`,
    });
  }
  if (spec.checkpointSyncUrl !== undefined) {
    errors.push({
      path: "/checkpointSyncUrl",
      message: "a devnet chain starts from its own genesis: remove it",
    });
  }
  resolvePorts(spec, DEFAULT_PORTS, errors);
  resolveIntSettings(spec, SETTINGS, errors);
  resourceLimits(spec, errors);
  return errors;
}

function plan(nodeName: string, spec: NodeSpec, env: PlanEnv): PlanResult {
  const errors = validate(spec, { platform: env.platform });
  if (errors.length > 0) return { ok: false, errors };
  const ports = resolvePorts(spec, DEFAULT_PORTS, errors);
  const settings = resolveIntSettings(spec, SETTINGS, errors);
  const limits = resourceLimits(spec, errors);
  const version = spec.clients[ROLE]!.version;
  const install = ARTIFACTS[version]!;
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
    ...(spec.overrides?.args?.[CLIENT] ?? []),
  ];
  return {
    ok: true,
    plan: {
      nodeName,
      initSteps: [],
      processes: [
        {
          role: ROLE,
          client: CLIENT,
          version,
          install,
          args,
          env: {},
          configFiles: [],
          ports: [{ name: "rpc", port: ports.rpc, protocol: "tcp", exposure: "local" }],
          probe: {
            kind: "evm-jsonrpc",
            port: ports.rpc,
            methods: [...EVM_PROBE_METHODS, ...EXTRA_PROBE_METHODS],
          },
          restartPolicy: spec.restartPolicy ?? "on-failure",
          ...limits,
          stopTimeoutSecs: 30,
        },
      ],
    },
  };
}

function capability(): ChainCapability {
  return {
    chain: CHAIN,
    networks: ["local"],
    roles: [{ role: ROLE, clients: [{ name: CLIENT, versions: [...VERSIONS] }] }],
    nodeTypes: ["full"],
    defaults: { local: { cpu: "1", memory: "1Gi", storage: { data: "1Gi" } } },
    configOverrideSchema: OVERRIDE_SCHEMA,
  };
}

/**
 * A devnet chain is this one node: its head is the network's head (no lag), and it has no peers (anvil
 * answers `net_peerCount` with an error, or not at all, depending on the version). Its extras: the chain
 * id, the client's version string and the gas price it asks, each only when answered.
 */
function interpretProbe(_role: string, raw: Record<string, unknown>): ProbeResult {
  const result = interpretEvmProbe(raw);
  if (result.metrics.blockHeight !== undefined) {
    result.metrics.networkHeight ??= result.metrics.blockHeight;
    result.metrics.peers ??= 0;
  }
  const details: Record<string, string | number> = {};
  const chainId = hexQuantity(raw.eth_chainId);
  if (chainId !== undefined) details.chainId = chainId;
  if (typeof raw.web3_clientVersion === "string")
    details.clientVersion = raw.web3_clientVersion.slice(0, CLIENT_VERSION_MAX);
  const gasPrice = hexQuantity(raw.eth_gasPrice);
  if (gasPrice !== undefined) details.gasPriceWei = gasPrice;
  if (Object.keys(details).length > 0) result.details = details;
  return result;
}

export const devnetAdapter: ChainAdapter = {
  chain: CHAIN,
  ignoredSpecFields: {
    "/images": "anvil runs from a downloaded binary; no container image is published for it yet",
    "/storage/size": "a devnet chain is tiny; the agent uses the host disk under data_dir",
    "/storage/storageClass": "Kubernetes-only; devnet needs no particular storage",
    "/resources/cpu": "a request is a scheduling hint; the plan carries limits only",
    "/resources/memory": "a request is a scheduling hint; the plan carries limits only",
    "/resources/disk": "a request is a scheduling hint; the plan carries limits only",
    "/sidecars": "sidecars are containers, run by the operator next to the node",
    "/serviceType": "Kubernetes Service type; anvil listens on loopback",
  },
  capability,
  formHints: () => ({ settings: SETTINGS, ports: DEFAULT_PORTS }),
  validate,
  hostPorts: (spec) => hostPortsOf(spec, DEFAULT_PORTS),
  plan,
  interpretProbe,
};

/** For tests and the demo: the artifact of a version on a platform. */
export function anvilArtifact(version: string, platform: Platform): InstallSource | undefined {
  return ARTIFACTS[version]?.[platform];
}
