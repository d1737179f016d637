// The `bitcoin` chain: Bitcoin Core's bitcoind (role `node`) on mainnet, test (testnet3) and signet, full
// nodes only. This folder owns how bitcoind runs: its bitcoin.conf (config.ts), ports, resource defaults and
// what its RPC answers mean (probe.ts). Which versions exist and where their files come from is catalog data
// (PlanEnv.artifacts), not code.
//
// RPC credentials: cookie auth. bitcoind writes `__cookie__:<random>` to `rpccookiefile` (managed into the
// node's data directory, readable by the node user only) at every start and deletes it at shutdown; the probe
// sends it as HTTP basic auth (ProbeSpec.basicAuthFile), reading it afresh each time. Chosen over a
// generate-secret step + `rpcauth`: rpcauth needs an HMAC of the secret in bitcoin.conf, which a pure plan
// cannot compute from a secret generated later on the host, and the cookie rotates on every restart for free.
// Either way no credential appears in the spec, the args, the config file or the logs.
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
  PlanEnv,
  PlanResult,
  ProbeResult,
  ValidationTarget,
} from "../../types.ts";
import {
  type BitcoinNetwork,
  bitcoinConf,
  CHAIN_OF_NETWORK,
  CONFIG_FILE,
  DEFAULT_PORTS,
  KNOWN_KEYS,
  MANAGED_KEYS,
  validateConfigKeys,
} from "./config.ts";
import { BITCOIND_PROBE_CALLS, interpretBitcoindProbe } from "./probe.ts";

const CHAIN = "bitcoin";
const ROLE = "node";
const CLIENT = "bitcoind";
const NETWORKS = Object.keys(CHAIN_OF_NETWORK) as BitcoinNetwork[];

/** The versions of the shipped default catalog; any catalog version inside VERSION_RANGE is accepted. */
const VERSIONS = ["29.1"];
/** bitcoin.conf as rendered here is checked against 29.x's documented options (the flags fixture). */
const VERSION_RANGE = ">=29.0.0 <30.0.0";

/** bitcoind flushes its UTXO cache (dbcache, up to GiBs) to disk on shutdown: a kill there means a reindex. */
const STOP_TIMEOUT_SECS = 600;

const OVERRIDE_SCHEMA: ConfigOverrideSchema = {
  files: {
    [CONFIG_FILE]: {
      managedPaths: [...MANAGED_KEYS],
      knownKeys: Object.fromEntries(
        Object.entries(KNOWN_KEYS).map(([key, { type, description }]) => [key, { type, description }]),
      ),
    },
  },
  args: {},
};

const isNetwork = (network: string): network is BitcoinNetwork => Object.hasOwn(CHAIN_OF_NETWORK, network);

/** The network's default ports; a network this build does not know (offered by a newer executor) gets mainnet's. */
const defaultPorts = (spec: NodeSpec) => DEFAULT_PORTS[isNetwork(spec.network) ? spec.network : "mainnet"];

function validate(spec: NodeSpec, { offered = capability() }: ValidationTarget = {}): ErrorDetail[] {
  const errors = validateOffer(spec, offered).map((error) =>
    error.path.startsWith("/overrides/args/")
      ? {
          path: error.path,
          message: `bitcoind takes no argument overrides: set options as keys of overrides.files["${CONFIG_FILE}"]`,
        }
      : error,
  );
  errors.push(...validateConfigKeys(spec.overrides?.files?.[CONFIG_FILE] ?? {}));
  if (spec.checkpointSyncUrl !== undefined) {
    errors.push({
      path: "/checkpointSyncUrl",
      message: "bitcoind syncs from its peers (assumevalid speeds it up): remove checkpointSyncUrl",
    });
  }
  for (const name of Object.keys(spec.settings ?? {})) {
    errors.push({
      path: `/settings/${name}`,
      message: `bitcoind has no settings: set it as a key of overrides.files["${CONFIG_FILE}"]`,
    });
  }
  resolvePorts(spec, defaultPorts(spec), errors);
  resourceLimits(spec, errors);
  return errors;
}

function plan(nodeName: string, spec: NodeSpec, env: PlanEnv): PlanResult {
  const errors = validate(spec);
  const executable = requireArtifact(env, spec, ROLE, "client", errors);
  if (errors.length > 0 || !isNetwork(spec.network)) return { ok: false, errors };
  const ports = resolvePorts(spec, defaultPorts(spec), errors);
  const limits = resourceLimits(spec, errors);
  const cookieFile = `${env.dataDir}/.cookie`;
  const content = bitcoinConf({
    network: spec.network,
    ports,
    cookieFile,
    userKeys: spec.overrides?.files?.[CONFIG_FILE] ?? {},
  });
  return {
    ok: true,
    plan: {
      nodeName,
      initSteps: [],
      processes: [
        {
          role: ROLE,
          client: CLIENT,
          version: spec.clients[ROLE]!.version,
          executable,
          artifacts: ["client"],
          // -conf is read from the command line only; -datadir there wins over any file.
          args: [`-conf=${env.configDir}/${CONFIG_FILE}`, `-datadir=${env.dataDir}`],
          env: {},
          configFiles: [{ path: CONFIG_FILE, format: "ini", content, mode: 0o640 }],
          ports: [
            { name: "p2p", port: ports.p2p, protocol: "tcp", exposure: "public" },
            { name: "rpc", port: ports.rpc, protocol: "tcp", exposure: "local" },
          ],
          probe: {
            kind: "jsonrpc",
            port: ports.rpc,
            jsonrpcVersion: "1.0",
            basicAuthFile: cookieFile,
            calls: BITCOIND_PROBE_CALLS,
          },
          restartPolicy: spec.restartPolicy ?? "on-failure",
          ...limits,
          stopTimeoutSecs: STOP_TIMEOUT_SECS,
        },
      ],
    },
  };
}

function capability(): ChainCapability {
  const large = { cpu: "2", memory: "4Gi", storage: { data: "600Gi" } };
  return {
    chain: CHAIN,
    networks: [...NETWORKS],
    roles: [
      { role: ROLE, clients: [{ name: CLIENT, versions: [...VERSIONS], versionRange: VERSION_RANGE }] },
    ],
    // Every bitcoind full node keeps every block; `txindex` (a known key) adds the transaction index.
    nodeTypes: ["full"],
    defaults: { mainnet: large, test: large, signet: { cpu: "1", memory: "2Gi", storage: { data: "20Gi" } } },
    configOverrideSchema: OVERRIDE_SCHEMA,
  };
}

export const bitcoinAdapter: ChainAdapter = {
  chain: CHAIN,
  ignoredSpecFields: {
    "/images": "bitcoind runs from the catalog's release archive on a host; images are the operator's",
    "/storage/size": "the agent runs bitcoind on the host disk under data_dir; size is a volume request",
    "/storage/storageClass": "Kubernetes-only; the agent uses the host disk",
    "/resources/cpu": "a request is a scheduling hint; the plan carries limits only",
    "/resources/memory": "a request is a scheduling hint; dbcache (a known key) sizes bitcoind's memory",
    "/resources/disk": "a request is a scheduling hint; prune (a known key) bounds bitcoind's disk",
    "/sidecars": "sidecars are containers, run by the operator next to the node",
    "/serviceType": "Kubernetes Service type; on a host RPC listens on loopback and P2P on every address",
  },
  capability,
  // No formHints: bitcoind's ports differ per network, and formHints() is asked without one.
  validate,
  hostPorts: (spec) => hostPortsOf(spec, defaultPorts(spec)),
  plan,
  interpretProbe: (_role: string, raw: Record<string, unknown>): ProbeResult => interpretBitcoindProbe(raw),
};
