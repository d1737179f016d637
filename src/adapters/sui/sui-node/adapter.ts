// The `sui` chain: a Sui full node run by sui-node (role `node`, networks mainnet and testnet, full only).
// This folder owns how sui-node runs: its rendered fullnode.yaml, ports, genesis init step, override schema,
// per-network defaults and probe. Which versions exist and where their files come from is catalog data.
import type { ChainCapability } from "../../../protocol/capabilities.ts";
import type { ErrorDetail } from "../../../protocol/errors.ts";
import type { NodeSpec } from "../../../protocol/node-spec.ts";
import {
  catalogClientAdapter,
  lifecycleFields,
  memoryLimitBytes,
  validateCatalogClient,
} from "../../shared/catalog-client.ts";
import { mergeFileOverrides } from "../../shared/file-overrides.ts";
import { quantityBytes, requireArtifact, resolvePorts, resourceLimits } from "../../shared/spec.ts";
import type { ChainAdapter, PlanEnv, PlanResult, ValidationTarget } from "../../types.ts";
import { CONFIG_FILE, fullnodeModel, OVERRIDE_SCHEMA, SUI_NETWORKS, type SuiNetwork } from "./config.ts";
import { interpretSuiProbe, suiProbe } from "./probe.ts";

const CHAIN = "sui";
const ROLE = "node";
const CLIENT = "sui-node";

/** Versions of the shipped default catalog; any catalog version inside VERSION_RANGE is accepted. */
const VERSIONS = ["1.72.2"];
/**
 * The fullnode.yaml keys rendered here were checked against 1.72.2; an older sui-node cannot follow mainnet's
 * protocol version anyway. Sui has kept 1.x since launch, so a new major is a new config to check.
 */
const VERSION_RANGE = ">=1.72.0 <2.0.0";

/** 8080 is the node's gRPC/HTTP network address; the admin interface (1337) is planned so two nodes fit. */
const DEFAULT_PORTS = { rpc: 9000, network: 8080, p2p: 8084, metrics: 9184, admin: 1337 } as const;

const DEFAULTS: ChainCapability["defaults"] = {
  mainnet: { cpu: "16", memory: "128Gi", storage: { data: "4000Gi" } },
  testnet: { cpu: "8", memory: "64Gi", storage: { data: "3000Gi" } },
};

/** RocksDB flushes its memtables on shutdown; a full node's can take minutes to close cleanly. */
const STOP_TIMEOUT_SECS = 300;

function capability(): ChainCapability {
  return {
    chain: CHAIN,
    networks: [...SUI_NETWORKS],
    roles: [
      { role: ROLE, clients: [{ name: CLIENT, versions: [...VERSIONS], versionRange: VERSION_RANGE }] },
    ],
    nodeTypes: ["full"],
    defaults: DEFAULTS,
    configOverrideSchema: OVERRIDE_SCHEMA,
  };
}

const managedFix = (managed: string) =>
  managed.startsWith("p2p-config") || managed.includes("address") || managed.includes("port")
    ? "set ports in spec.ports"
    : "Novacula places it in the node directory";

function validate(spec: NodeSpec, { offered = capability() }: ValidationTarget = {}): ErrorDetail[] {
  const errors = validateCatalogClient(spec, offered, {
    defaultPorts: DEFAULT_PORTS,
    unused: {
      checkpointSyncUrl: "sui-node syncs checkpoints from its seed peers and the state archive: remove it",
      settings: `sui-node takes no settings: use overrides.files["${CONFIG_FILE}"] (e.g. "authority-store-pruning-config.num-epochs-to-retain")`,
    },
    managedFix,
  });
  const nodeType = errors.find((e) => e.path === "/nodeType");
  if (nodeType && spec.nodeType === "archive") {
    // Say what to do instead of an archive node, not only that there is none.
    nodeType.message =
      'Sui archive nodes are not offered: deploy nodeType "full"; a full node reads old checkpoints from the state archive (state-archive-read-config)';
  }
  if ((SUI_NETWORKS as readonly string[]).includes(spec.network)) {
    // Placing the overrides in the file finds a key that cannot be placed before a revision is written.
    const model = fullnodeModel(spec.network as SuiNetwork, resolvePorts(spec, DEFAULT_PORTS, []), {
      dbPath: "",
      genesisPath: "",
    });
    mergeFileOverrides(CONFIG_FILE, model, spec.overrides?.files?.[CONFIG_FILE], errors);
  }
  return errors;
}

function defaultMemoryBytes(network: string): number {
  return quantityBytes((DEFAULTS[network] ?? DEFAULTS.mainnet!).memory);
}

function plan(nodeName: string, spec: NodeSpec, env: PlanEnv): PlanResult {
  const errors = validate(spec);
  const executable = requireArtifact(env, spec, ROLE, "client", errors);
  requireArtifact(env, spec, ROLE, "genesis", errors);
  if (errors.length > 0) return { ok: false, errors };
  const network = spec.network as SuiNetwork;
  const ports = resolvePorts(spec, DEFAULT_PORTS, errors);
  const limits = resourceLimits(spec, errors);
  const genesisPath = `${env.configDir}/genesis.blob`;
  const model = fullnodeModel(network, ports, { dbPath: `${env.dataDir}/db`, genesisPath });
  const content = mergeFileOverrides(CONFIG_FILE, model, spec.overrides?.files?.[CONFIG_FILE], errors);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    plan: {
      nodeName,
      initSteps: [
        {
          id: "sui-genesis",
          description: `copy the ${network} genesis.blob into the node's config directory`,
          kind: "copy-artifact",
          role: ROLE,
          artifact: "genesis",
          path: genesisPath,
        },
      ],
      processes: [
        {
          role: ROLE,
          client: CLIENT,
          version: spec.clients[ROLE]!.version,
          executable,
          artifacts: ["client", "genesis"],
          args: ["--config-path", `${env.configDir}/${CONFIG_FILE}`],
          env: {},
          configFiles: [{ path: CONFIG_FILE, format: "yaml", content }],
          ports: [
            { name: "rpc", port: ports.rpc, protocol: "tcp", exposure: "local" },
            { name: "network", port: ports.network, protocol: "tcp", exposure: "local" },
            { name: "p2p", port: ports.p2p, protocol: "udp", exposure: "public" },
            { name: "metrics", port: ports.metrics, protocol: "tcp", exposure: "local" },
            { name: "admin", port: ports.admin, protocol: "tcp", exposure: "local" },
          ],
          probe: suiProbe(ports.rpc),
          ...lifecycleFields(
            spec,
            limits,
            memoryLimitBytes(spec, errors, defaultMemoryBytes(spec.network)),
            STOP_TIMEOUT_SECS,
          ),
        },
      ],
    },
  };
}

export const suiAdapter: ChainAdapter = catalogClientAdapter({
  chain: CHAIN,
  client: CLIENT,
  defaultPorts: DEFAULT_PORTS,
  // P2P is QUIC: udp only.
  portProtocols: { p2p: ["udp"] },
  capability,
  validate,
  plan,
  interpretProbe: (raw) => interpretSuiProbe(raw),
});
