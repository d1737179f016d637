// What every client of the `devnet` chain shares: its role, port and typed settings, the probe it answers,
// how a single-node chain's answers become status and metrics, and the contract a client module fulfils.
// The chain adapter (adapter.ts) validates and resolves these once and hands them to the chosen client
// (anvil/, geth/), which owns only its own flags, artifacts and rules.
import type { ChainCapability } from "../../protocol/capabilities.ts";
import type { ErrorDetail } from "../../protocol/errors.ts";
import type { NodeSpec } from "../../protocol/node-spec.ts";
import { EVM_PROBE_METHODS, hexQuantity, interpretEvmProbe } from "../shared/evm.ts";
import type { IntSetting } from "../shared/spec.ts";
import type { ConfigOverrideSchema, PlanEnv, PlannedProcess, ProbeResult, ProbeSpec } from "../types.ts";

export const CHAIN = "devnet";
export const ROLE = "node";

export const DEFAULT_PORTS = { rpc: 8545 } as const;

export const SETTINGS: Record<"blockTimeSecs" | "chainId", IntSetting> = {
  blockTimeSecs: { default: 1, min: 1, max: 3600, description: "blockTimeSecs (seconds between blocks)" },
  chainId: {
    default: 31337,
    min: 1,
    max: 4_294_967_295,
    description: "chainId (EIP-155 chain id; geth's dev mode runs 1337 only)",
  },
};

/** Asked beside the common EVM methods, in the same batch: the devnet's extras (`details`). */
const EXTRA_PROBE_METHODS = ["eth_chainId", "web3_clientVersion", "eth_gasPrice"] as const;
/** A client version string is a label, not a document. */
const CLIENT_VERSION_MAX = 128;

/** Every devnet client serves Ethereum JSON-RPC on the rpc port: one probe for all. */
export function devnetProbe(rpcPort: number): ProbeSpec {
  return { kind: "evm-jsonrpc", port: rpcPort, methods: [...EVM_PROBE_METHODS, ...EXTRA_PROBE_METHODS] };
}

/** What the chain resolved from the spec before it asks a client for its process. */
export interface DevnetInputs {
  spec: NodeSpec;
  env: PlanEnv;
  version: string;
  ports: Record<keyof typeof DEFAULT_PORTS, number>;
  settings: Record<keyof typeof SETTINGS, number>;
  limits: Pick<PlannedProcess, "cpuQuotaPercent" | "memoryMaxBytes">;
  /** spec.overrides.args for this client, appended verbatim after the managed flags. */
  extraArgs: readonly string[];
}

/** What the capability says of one client: its versions and the range it can run. */
export type ClientCapability = ChainCapability["roles"][number]["clients"][number];

/** One client of the devnet's `node` role. */
export interface DevnetClient {
  readonly name: string;
  capability(): ClientCapability;
  readonly overrideArgs: ConfigOverrideSchema["args"][string];
  /**
   * Problems only this client has with a spec that runs it (a setting it cannot honour), each at its JSON
   * path. The chain has judged the shared fields already; which builds exist is the catalog's.
   */
  validate(spec: NodeSpec): ErrorDetail[];
  /** The process that runs this client; problems it meets (an artifact not delivered) go to `errors`. */
  process(inputs: DevnetInputs, errors: ErrorDetail[]): PlannedProcess;
}

/** What a client module decides about its process; the rest is the chain's (see devnetProcess). */
export type ClientProcess = Pick<PlannedProcess, "client" | "args" | "stopTimeoutSecs"> &
  Required<Pick<PlannedProcess, "executable" | "artifacts">>;

/**
 * A devnet process: the client's program, arguments and stop timeout, with what every devnet client shares
 * (role, the rpc port on loopback, the probe, restart policy and limits), fields in one fixed order.
 */
export function devnetProcess(inputs: DevnetInputs, own: ClientProcess): PlannedProcess {
  const { client, args, stopTimeoutSecs, ...program } = own;
  const { spec, version, ports, limits } = inputs;
  return {
    role: ROLE,
    client,
    version,
    ...program,
    args,
    env: {},
    configFiles: [],
    ports: [{ name: "rpc", port: ports.rpc, protocol: "tcp", exposure: "local" }],
    probe: devnetProbe(ports.rpc),
    restartPolicy: spec.restartPolicy ?? "on-failure",
    ...limits,
    stopTimeoutSecs,
  };
}

/**
 * A devnet chain is this one node: its head is the network's head (no lag), and it has no peers (anvil
 * answers `net_peerCount` with an error, or not at all, depending on the version; geth in dev mode answers
 * 0). Its extras: the chain id, the client's version string and the gas price it asks, each only when
 * answered.
 */
export function interpretDevnetProbe(_role: string, raw: Record<string, unknown>): ProbeResult {
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
