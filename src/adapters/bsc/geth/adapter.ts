// The `bsc` chain: BNB Chain's fork of geth (role `node`, client `geth`) on mainnet (chain id 56) and chapel
// (97), full or archive. This folder owns its flags, ports, genesis init and metrics; which versions exist and
// where their files come from is catalog data (PlanEnv.artifacts), not code.
//
// Artifacts of the role `node`: `client` (the geth binary, per platform) and, per network, `genesis` and
// `config`: genesis.json and config.toml from the release's mainnet.zip / testnet.zip (the catalog names each
// member). Before the first start two init steps copy them into the node's config directory and a third
// runs `geth --datadir <data> init <genesis.json>`, the command BSC's own container entrypoint runs
// (docker-entrypoint.sh at v1.7.3). geth then starts with `--config config.toml`; the managed flags after it
// win over the file's listening addresses, ports and network id.
//
// The log goes to stderr, so to the node's journal (live logs, `novacula agent logs`): the release
// config.toml's [Node.LogConfig] (FilePath "bsc.log", FileRoot "", MaxBytesSize, Level) makes BSC geth's
// node.New (node/node.go at v1.7.3) replace its stderr logger with a rotating <datadir>/bsc.log, and no flag
// undoes that (--log.file only sets the logger node.New then replaces), so the config step copies the file
// without that table. Its id is not the earlier `bsc-config` (which kept the table), so a node initialised
// before copies the file again and logs to the journal from its next start.
//
// The init runs once per node (its marker), on the state scheme of the node type it was planned with: turning
// a full node into an archive one later needs a fresh data directory (geth refuses a database of the other
// scheme). Capability defaults are per network only; an archive node needs 2-4x the disk.
import type { ChainCapability } from "../../../protocol/capabilities.ts";
import type { ErrorDetail } from "../../../protocol/errors.ts";
import type { NodeSpec } from "../../../protocol/node-spec.ts";
import {
  hostPortsOf,
  requireArtifact,
  resolvePorts,
  resourceLimits,
  validateOffer,
} from "../../shared/spec.ts";
import type {
  ChainAdapter,
  ConfigOverrideSchema,
  InitStep,
  PlanEnv,
  PlanResult,
  ProbeResult,
  ValidationTarget,
} from "../../types.ts";
import { BSC_PROBE_CALLS, interpretBscProbe } from "./probe.ts";

const CHAIN = "bsc";
const ROLE = "node";
const CLIENT = "geth";

const CHAIN_IDS = { mainnet: 56, chapel: 97 } as const;
type BscNetwork = keyof typeof CHAIN_IDS;

/** The versions of the shipped default catalog; any catalog version inside VERSION_RANGE is accepted. */
const VERSIONS = ["1.7.3"];
/** The managed flags below exist from 1.6.7 through 1.7.x (checked against the flags fixture). */
const VERSION_RANGE = ">=1.6.7 <1.8.0";

export const DEFAULT_PORTS = { rpc: 8545, ws: 8546, p2p: 30311, metrics: 6060 } as const;

/** A BSC node's state database closes slowly under load (trie flush, freezer): minutes, not seconds. */
const STOP_TIMEOUT_SECS = 300;
/** `geth init` writes the genesis state: seconds, but a slow disk must not fail it. */
const INIT_TIMEOUT_SECS = 600;

/** Flags Novacula sets (paths, listening addresses and ports, network, node type); overriding them conflicts. */
export const BSC_GETH_MANAGED_FLAGS = [
  "--datadir",
  "--config",
  "--networkid",
  "--mainnet",
  "--chapel",
  "--http",
  "--http.addr",
  "--http.port",
  "--ws",
  "--ws.addr",
  "--ws.port",
  "--port",
  "--discovery.port",
  "--metrics",
  "--metrics.addr",
  "--metrics.port",
  "--gcmode",
  "--state.scheme",
  "--syncmode",
];

const OVERRIDE_SCHEMA: ConfigOverrideSchema = {
  files: {},
  args: { [CLIENT]: { managedFlags: BSC_GETH_MANAGED_FLAGS, knownFlags: {} } },
};

const isNetwork = (network: string): network is BscNetwork => Object.hasOwn(CHAIN_IDS, network);

function validate(spec: NodeSpec, { offered = capability() }: ValidationTarget = {}): ErrorDetail[] {
  const errors = validateOffer(spec, offered);
  if (spec.checkpointSyncUrl !== undefined) {
    errors.push({
      path: "/checkpointSyncUrl",
      message: "BSC geth syncs from its peers (or a snapshot restored by hand): remove checkpointSyncUrl",
    });
  }
  for (const name of Object.keys(spec.settings ?? {})) {
    errors.push({
      path: `/settings/${name}`,
      message: "BSC geth has no settings: pass geth flags in overrides.args.geth (e.g. --cache=8192)",
    });
  }
  resolvePorts(spec, DEFAULT_PORTS, errors);
  resourceLimits(spec, errors);
  return errors;
}

/** Archive keeps every state: hash scheme (path-scheme state history is not an archive) and a full sync. */
const archiveFlags = (spec: NodeSpec) =>
  spec.nodeType === "archive" ? ["--gcmode", "archive", "--state.scheme", "hash", "--syncmode", "full"] : [];

function plan(nodeName: string, spec: NodeSpec, env: PlanEnv): PlanResult {
  const errors = validate(spec);
  const executable = requireArtifact(env, spec, ROLE, "client", errors);
  // Only their presence matters here: the init steps copy them by name.
  requireArtifact(env, spec, ROLE, "genesis", errors);
  requireArtifact(env, spec, ROLE, "config", errors);
  if (errors.length > 0 || !isNetwork(spec.network)) return { ok: false, errors };
  const ports = resolvePorts(spec, DEFAULT_PORTS, errors);
  const limits = resourceLimits(spec, errors);
  const genesisFile = `${env.configDir}/genesis.json`;
  const configFile = `${env.configDir}/config.toml`;
  // The init must write the state scheme the node later runs with, or geth refuses the database.
  const scheme = spec.nodeType === "archive" ? ["--state.scheme", "hash"] : [];
  const initSteps: InitStep[] = [
    {
      id: "bsc-genesis",
      description: "copy the network's genesis.json from the release",
      kind: "copy-artifact",
      role: ROLE,
      artifact: "genesis",
      path: genesisFile,
    },
    {
      id: "bsc-config-journal",
      description:
        "copy the network's config.toml (peers, network tuning) from the release, log settings left out",
      kind: "copy-artifact",
      role: ROLE,
      artifact: "config",
      path: configFile,
      dropTomlTables: ["Node.LogConfig"],
    },
    {
      id: "bsc-init",
      description: "write the genesis block into the data directory (geth init)",
      kind: "run",
      executable,
      args: ["--datadir", env.dataDir, ...scheme, "init", genesisFile],
      timeoutSecs: INIT_TIMEOUT_SECS,
    },
  ];
  // Fixed order, managed flags first; user overrides last and verbatim (unknown flags pass through).
  const args = [
    "--config",
    configFile,
    "--datadir",
    env.dataDir,
    "--networkid",
    String(CHAIN_IDS[spec.network]),
    "--http",
    "--http.addr",
    "127.0.0.1",
    "--http.port",
    String(ports.rpc),
    "--ws",
    "--ws.addr",
    "127.0.0.1",
    "--ws.port",
    String(ports.ws),
    "--port",
    String(ports.p2p),
    "--metrics",
    "--metrics.addr",
    "127.0.0.1",
    "--metrics.port",
    String(ports.metrics),
    ...archiveFlags(spec),
    ...(spec.overrides?.args?.[CLIENT] ?? []),
  ];
  return {
    ok: true,
    plan: {
      nodeName,
      initSteps,
      processes: [
        {
          role: ROLE,
          client: CLIENT,
          version: spec.clients[ROLE]!.version,
          executable,
          artifacts: ["client", "genesis", "config"],
          args,
          env: {},
          configFiles: [],
          ports: [
            { name: "rpc", port: ports.rpc, protocol: "tcp", exposure: "local" },
            { name: "ws", port: ports.ws, protocol: "tcp", exposure: "local" },
            { name: "p2p", port: ports.p2p, protocol: "tcp", exposure: "public" },
            // Node discovery listens on UDP at the same port (--port sets both).
            { name: "p2p", port: ports.p2p, protocol: "udp", exposure: "public" },
            { name: "metrics", port: ports.metrics, protocol: "tcp", exposure: "local" },
          ],
          probe: { kind: "jsonrpc", port: ports.rpc, calls: BSC_PROBE_CALLS },
          restartPolicy: spec.restartPolicy ?? "on-failure",
          ...limits,
          stopTimeoutSecs: STOP_TIMEOUT_SECS,
        },
      ],
    },
  };
}

function capability(): ChainCapability {
  const full = { cpu: "4", memory: "16Gi", storage: { data: "500Gi" } };
  return {
    chain: CHAIN,
    networks: Object.keys(CHAIN_IDS),
    roles: [
      { role: ROLE, clients: [{ name: CLIENT, versions: [...VERSIONS], versionRange: VERSION_RANGE }] },
    ],
    nodeTypes: ["full", "archive"],
    defaults: { mainnet: full, chapel: full },
    configOverrideSchema: OVERRIDE_SCHEMA,
  };
}

export const bscAdapter: ChainAdapter = {
  chain: CHAIN,
  ignoredSpecFields: {
    "/images": "BSC geth runs from the catalog's release binary on a host; images are the operator's",
    "/storage/size": "the agent runs geth on the host disk under data_dir; size is a volume request",
    "/storage/storageClass": "Kubernetes-only; the agent uses the host disk",
    "/resources/cpu": "a request is a scheduling hint; the plan carries limits only",
    "/resources/memory": "a request is a scheduling hint; --cache (an override) sizes geth's memory",
    "/resources/disk": "a request is a scheduling hint; archive nodes need 2-4x a full node's disk",
    "/sidecars": "sidecars are containers, run by the operator next to the node",
    "/serviceType": "Kubernetes Service type; on a host RPC listens on loopback and P2P on every address",
  },
  capability,
  // No settings (flags go in overrides.args.geth); the named ports are the same on both networks.
  formHints: () => ({ settings: {}, ports: DEFAULT_PORTS }),
  validate,
  hostPorts: (spec) => hostPortsOf(spec, DEFAULT_PORTS, { p2p: ["tcp", "udp"] }),
  plan,
  interpretProbe: (_role: string, raw: Record<string, unknown>): ProbeResult => interpretBscProbe(raw),
};
