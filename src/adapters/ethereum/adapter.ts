// The `ethereum` chain: an execution client (`el`: geth, reth, nethermind, erigon) and a consensus client
// (`cl`: lighthouse, prysm, lodestar), any pair, on mainnet, sepolia or hoodi, full or archive. The pair is
// linked over the Engine API on loopback with one JWT per node, made by an init step; a new node
// checkpoint-syncs its CL from a trusted beacon node unless told otherwise. Each client folder owns its flags;
// this file owns the pairing, the ports, the settings, the resources and the probes.
import type { ChainCapability } from "../../protocol/capabilities.ts";
import type { ErrorDetail } from "../../protocol/errors.ts";
import type { NodeSpec } from "../../protocol/node-spec.ts";
import { EVM_PROBE_METHODS, interpretEvmProbe } from "../shared/evm.ts";
import { hostPortsOf, requireArtifact, resolvePorts, resourceLimits, validateOffer } from "../shared/spec.ts";
import type {
  ChainAdapter,
  ConfigOverrideSchema,
  PlanEnv,
  PlannedProcess,
  PlanResult,
  ProbeResult,
  ValidationTarget,
} from "../types.ts";
import { BEACON_REQUESTS, interpretBeaconProbe } from "./beacon.ts";
import {
  DEFAULT_PORTS,
  type EthClient,
  type EthNetwork,
  type EthRole,
  NETWORKS,
  type PortName,
  portsOf,
  ROLE_PORTS,
} from "./client.ts";
import { erigon } from "./erigon/client.ts";
import { geth } from "./geth/client.ts";
import { lighthouse } from "./lighthouse/client.ts";
import { lodestar } from "./lodestar/client.ts";
import { nethermind } from "./nethermind/client.ts";
import { prysm } from "./prysm/client.ts";
import { reth } from "./reth/client.ts";

const CHAIN = "ethereum";
const ROLES: readonly EthRole[] = ["el", "cl"];
export const ETHEREUM_CLIENTS: readonly EthClient[] = [
  geth,
  reth,
  nethermind,
  erigon,
  lighthouse,
  prysm,
  lodestar,
];

/** Trusted checkpoint-sync endpoints (reference §11.2): Sigma Prime for mainnet, ethPandaOps for the testnets. */
export const CHECKPOINT_SYNC_URLS: Readonly<Record<EthNetwork, string>> = {
  mainnet: "https://mainnet.checkpoint.sigp.io",
  sepolia: "https://checkpoint-sync.sepolia.ethpandaops.io",
  hoodi: "https://checkpoint-sync.hoodi.ethpandaops.io",
};

/** Full-node defaults per network (reference §11.1); below them the control plane warns, never refuses. */
const RESOURCE_DEFAULTS: ChainCapability["defaults"] = {
  mainnet: { cpu: "4", memory: "16Gi", storage: { data: "2548Gi" } },
  sepolia: { cpu: "2", memory: "8Gi", storage: { data: "300Gi" } },
  hoodi: { cpu: "2", memory: "8Gi", storage: { data: "300Gi" } },
};

/** How a node's CPU and memory limits are shared: the execution client holds the state and needs most. */
const SHARE: Readonly<Record<EthRole, number>> = { el: 0.75, cl: 0.25 };
/** memoryHigh (throttling) sits below memoryMax (the OOM kill), so a client slows down before it dies. */
const MEMORY_HIGH_RATIO = 0.9;

const JWT_FILE = "jwt.hex";
const SETTINGS_HELP = "checkpointSync (true or false: checkpoint-sync the consensus client of a new node)";

function clientOf(spec: NodeSpec, role: EthRole): EthClient | undefined {
  const name = spec.clients[role]?.name;
  return ETHEREUM_CLIENTS.find((c) => c.role === role && c.name === name);
}

/** The named ports this spec's pair binds, in a fixed order, each with its default. */
function defaultPorts(spec: NodeSpec): Record<string, number> {
  const used = new Set<PortName>();
  for (const role of ROLES) {
    const client = clientOf(spec, role);
    for (const port of client ? portsOf(client) : ROLE_PORTS[role]) used.add(port.name);
  }
  const out: Record<string, number> = {};
  for (const [name, port] of Object.entries(DEFAULT_PORTS) as [PortName, number][])
    if (used.has(name)) out[name] = port;
  return out;
}

/** What listens on each named port of this spec's pair (P2P on tcp and udp, QUIC on udp). */
function portProtocols(spec: NodeSpec): Record<string, readonly ("tcp" | "udp")[]> {
  const out: Record<string, readonly ("tcp" | "udp")[]> = {};
  for (const role of ROLES) {
    const client = clientOf(spec, role);
    for (const port of client ? portsOf(client) : ROLE_PORTS[role])
      if (port.protocols.join() !== "tcp") out[port.name] = port.protocols;
  }
  return out;
}

/** spec.settings: only `checkpointSync`, a boolean (default true). */
function resolveSettings(spec: NodeSpec, errors: ErrorDetail[]): { checkpointSync: boolean } {
  let checkpointSync = true;
  for (const [name, value] of Object.entries(spec.settings ?? {})) {
    if (name !== "checkpointSync") {
      errors.push({ path: `/settings/${name}`, message: `unknown setting: use ${SETTINGS_HELP}` });
    } else if (typeof value !== "boolean") {
      errors.push({ path: "/settings/checkpointSync", message: `${SETTINGS_HELP} must be true or false` });
    } else checkpointSync = value;
  }
  if (!checkpointSync && spec.checkpointSyncUrl !== undefined) {
    errors.push({
      path: "/checkpointSyncUrl",
      message:
        "checkpoint sync is turned off (settings.checkpointSync false): remove checkpointSyncUrl or turn it on",
    });
  }
  return { checkpointSync };
}

function validateCheckpointUrl(spec: NodeSpec, errors: ErrorDetail[]): void {
  const url = spec.checkpointSyncUrl;
  if (url === undefined) return;
  let ok = false;
  try {
    const parsed = new URL(url);
    ok = (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname !== "";
  } catch {}
  if (!ok) {
    errors.push({
      path: "/checkpointSyncUrl",
      message: `"${url}" is not an http:// or https:// URL: write the beacon API address of a trusted node, e.g. ${CHECKPOINT_SYNC_URLS.mainnet}`,
    });
  }
}

/** Args overrides must belong to this node's own clients: those of another client would be dropped silently. */
function validateArgsOwners(spec: NodeSpec, errors: ErrorDetail[]): void {
  const mine = ROLES.map((role) => spec.clients[role]?.name).filter(Boolean);
  for (const client of Object.keys(spec.overrides?.args ?? {})) {
    if (ETHEREUM_CLIENTS.some((c) => c.name === client) && !mine.includes(client)) {
      errors.push({
        path: `/overrides/args/${client}`,
        message: `${client} is not a client of this node (${mine.join(" and ")}): move these arguments under one of them or remove them`,
      });
    }
  }
}

function validate(spec: NodeSpec, { offered = capability() }: ValidationTarget = {}): ErrorDetail[] {
  const errors = validateOffer(spec, offered);
  validateArgsOwners(spec, errors);
  validateCheckpointUrl(spec, errors);
  resolveSettings(spec, errors);
  resolvePorts(spec, defaultPorts(spec), errors);
  resourceLimits(spec, errors);
  return errors;
}

function limitsFor(spec: NodeSpec, role: EthRole): Partial<PlannedProcess> {
  const { cpuQuotaPercent, memoryMaxBytes } = resourceLimits(spec, []);
  const out: Partial<PlannedProcess> = {};
  if (cpuQuotaPercent !== undefined)
    out.cpuQuotaPercent = Math.max(1, Math.round(cpuQuotaPercent * SHARE[role]));
  if (memoryMaxBytes !== undefined) {
    out.memoryMaxBytes = Math.floor(memoryMaxBytes * SHARE[role]);
    out.memoryHighBytes = Math.floor(out.memoryMaxBytes * MEMORY_HIGH_RATIO);
  }
  return out;
}

function plan(nodeName: string, spec: NodeSpec, env: PlanEnv): PlanResult {
  const errors = validate(spec);
  const executables = Object.fromEntries(
    ROLES.map((role) => {
      const installed = requireArtifact(env, spec, role, "client", errors);
      const launcher = clientOf(spec, role)?.launcher;
      return [role, launcher === undefined ? installed : `${installed}/${launcher}`];
    }),
  ) as Record<EthRole, string>;
  if (errors.length > 0) return { ok: false, errors };
  const ports = resolvePorts(spec, defaultPorts(spec), []) as Record<PortName, number>;
  const { checkpointSync } = resolveSettings(spec, []);
  const network = spec.network as EthNetwork;
  const jwtPath = `${env.nodeDir}/${JWT_FILE}`;
  const processes = ROLES.map((role): PlannedProcess => {
    const client = clientOf(spec, role)!;
    const userArgs = spec.overrides?.args?.[client.name] ?? [];
    const args = client.args({
      network,
      nodeType: spec.nodeType,
      dataDir: `${env.dataDir}/${client.name}`,
      jwtPath,
      ports,
      engineUrl: `http://127.0.0.1:${ports.engine}`,
      checkpointUrl: checkpointSync ? (spec.checkpointSyncUrl ?? CHECKPOINT_SYNC_URLS[network]) : null,
      userArgs,
    });
    return {
      role,
      client: client.name,
      version: spec.clients[role]!.version,
      executable: executables[role],
      artifacts: ["client"],
      // User overrides last and verbatim: unknown flags pass through.
      args: [...args, ...userArgs],
      env: {},
      configFiles: [],
      ports: portsOf(client).flatMap((use) =>
        use.protocols.map((protocol) => ({
          name: use.name,
          port: ports[use.name],
          protocol,
          exposure: use.exposure,
        })),
      ),
      probe:
        role === "el"
          ? { kind: "evm-jsonrpc", port: ports.rpc, methods: [...EVM_PROBE_METHODS] }
          : { kind: "http-json", port: ports.beacon, requests: BEACON_REQUESTS },
      restartPolicy: spec.restartPolicy ?? "on-failure",
      ...limitsFor(spec, role),
      stopTimeoutSecs: client.stopTimeoutSecs,
    };
  });
  return {
    ok: true,
    plan: {
      nodeName,
      processes,
      initSteps: [
        {
          id: "jwt",
          kind: "generate-secret",
          description: "the Engine API secret the execution and consensus clients share",
          path: JWT_FILE,
          bytes: 32,
        },
      ],
    },
  };
}

const OVERRIDE_SCHEMA: ConfigOverrideSchema = {
  files: {},
  args: Object.fromEntries(
    ETHEREUM_CLIENTS.map((c) => [
      c.name,
      { managedFlags: [...c.managedFlags], knownFlags: { ...c.knownFlags } },
    ]),
  ),
};

function capability(): ChainCapability {
  return {
    chain: CHAIN,
    networks: [...NETWORKS],
    roles: ROLES.map((role) => ({
      role,
      clients: ETHEREUM_CLIENTS.filter((c) => c.role === role).map((c) => ({
        name: c.name,
        versions: [...c.versions],
        versionRange: c.versionRange,
        ...(c.versionConstraints ? { versionConstraints: { ...c.versionConstraints } } : {}),
      })),
    })),
    nodeTypes: ["full", "archive"],
    defaults: structuredClone(RESOURCE_DEFAULTS),
    configOverrideSchema: structuredClone(OVERRIDE_SCHEMA),
  };
}

/** The execution client's JSON-RPC gives the node's head, peers and sync; the beacon API the CL details. */
function interpretProbe(role: string, raw: Record<string, unknown>): ProbeResult {
  return role === "cl" ? interpretBeaconProbe(raw) : interpretEvmProbe(raw);
}

/**
 * The ports every pair binds (a client's own extras, such as Prysm's gRPC, are moved by the host's port plan or
 * set in spec.ports by name). checkpointSync is a boolean, which the numeric form hints cannot carry.
 */
function formHints() {
  const ports: Record<string, number> = {};
  for (const role of ROLES) for (const { name } of ROLE_PORTS[role]) ports[name] = DEFAULT_PORTS[name];
  return { settings: {}, ports };
}

export const ethereumAdapter: ChainAdapter = {
  chain: CHAIN,
  ignoredSpecFields: {
    "/images": "clients run from catalog artifacts on the agent; container images are the operator's",
    "/storage/size":
      "the agent uses the host disk under data_dir; the network's default size is a warning only",
    "/storage/storageClass": "Kubernetes-only; the agent uses the host disk under data_dir",
    "/resources/cpu": "a request is a scheduling hint; the plan carries limits only",
    "/resources/memory": "a request is a scheduling hint; the plan carries limits only",
    "/resources/disk": "a request is a scheduling hint; the plan carries limits only",
    "/sidecars": "sidecars are containers, run by the operator next to the node",
    "/serviceType": "Kubernetes Service type; on a host RPC listens on loopback",
  },
  capability,
  formHints,
  validate,
  hostPorts: (spec) => hostPortsOf(spec, defaultPorts(spec), portProtocols(spec)),
  plan,
  interpretProbe,
};
