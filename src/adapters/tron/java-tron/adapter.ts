// The `tron` chain: a Tron full node run by java-tron (role `node`, networks mainnet and nile, full only) on
// the JRE the catalog delivers for the host. This folder owns how java-tron runs: the JVM command line with
// its managed heap, the rendered HOCON config.conf, ports, override schema, per-network defaults and probe.
// Which versions exist and where FullNode.jar and the JRE come from is catalog data.
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
import { flagOf, quantityBytes, requireArtifact, resolvePorts, resourceLimits } from "../../shared/spec.ts";
import type {
  ChainAdapter,
  ConfigOverrideSchema,
  PlanEnv,
  PlanResult,
  Platform,
  ValidationTarget,
} from "../../types.ts";
import {
  CONFIG_FILE,
  FILE_OVERRIDE_SCHEMA,
  NETWORKS,
  TRON_NETWORKS,
  type TronNetwork,
  tronConfigModel,
} from "./config.ts";
import { interpretTronProbe, tronProbe } from "./probe.ts";

const CHAIN = "tron";
const ROLE = "node";
const CLIENT = "java-tron";

/** Versions of the shipped default catalog (GreatVoyage-v4.8.0); any catalog version inside VERSION_RANGE. */
const VERSIONS = ["4.8.0"];
/**
 * The config.conf keys and flags used here were checked against GreatVoyage-v4.8.0; the range admits its
 * 4.8.x releases, and a new minor is a new config to check. java-tron's four-part hotfix versions (e.g.
 * 4.8.2.1) are not semver: versionSatisfies refuses them, so no range admits them.
 */
const VERSION_RANGE = ">=4.8.0 <4.9.0";

const DEFAULT_PORTS = { grpc: 50051, http: 8090, p2p: 18888, metrics: 9527 } as const;

const DEFAULTS: ChainCapability["defaults"] = {
  mainnet: { cpu: "16", memory: "32Gi", storage: { data: "4000Gi" } },
  nile: { cpu: "8", memory: "16Gi", storage: { data: "300Gi" } },
};

/** LevelDB and the block store flush on shutdown; a mainnet node can take minutes to close cleanly. */
const STOP_TIMEOUT_SECS = 300;

const GIB = 1024 ** 3;
/**
 * What the JVM uses beyond the heap: the direct-memory and metaspace caps and code cache set below (1 GiB +
 * 512 MiB + 256 MiB), plus LevelDB's native caches and thread stacks. A memory limit below heap + this is
 * an OOM kill waiting to happen.
 */
const OFF_HEAP_BYTES = 4 * GIB;

/** java-tron's own flags Novacula sets, and the witness (block producer) mode it does not offer. */
const MANAGED_FLAGS = [
  "-Xmx",
  "-Xms",
  "-c",
  "--config",
  "-d",
  "--output-directory",
  "--storage-db-directory",
  "--storage-index-directory",
  "--p2p-disable",
  "--trust-node",
  "-w",
  "--witness",
  "-p",
  "--private-key",
  "--witness-address",
  "--password",
];

const OVERRIDE_SCHEMA: ConfigOverrideSchema = {
  files: FILE_OVERRIDE_SCHEMA,
  args: {
    [CLIENT]: {
      managedFlags: MANAGED_FLAGS,
      knownFlags: {
        "--es": { description: "start the event subscription service (event.subscribe in config.conf)" },
        "--log-config": { description: "a logback.xml of your own" },
        "--history-balance-lookup": { description: "keep balance history for historical balance queries" },
        "--save-internaltx": { description: "store internal transactions" },
      },
    },
  },
};

/** JVM options that set the heap, in any spelling: the heap follows the network, not the node. */
const HEAP_OPTION = /^-(Xm[sx]|XX:(Max|Initial|Min)HeapSize|XX:(Max|Initial|Min)RAMPercentage)/;

const heapGib = (network: string) => (NETWORKS[network as TronNetwork]?.heapBytes ?? 0) / GIB;
const heapFix = (network: string) =>
  `the JVM heap is managed by Novacula and follows the network (${network}: ${heapGib(network)} GiB; mainnet 12 GiB, nile 9 GiB), not a per-node setting: remove it`;

function capability(): ChainCapability {
  return {
    chain: CHAIN,
    networks: [...TRON_NETWORKS],
    roles: [
      { role: ROLE, clients: [{ name: CLIENT, versions: [...VERSIONS], versionRange: VERSION_RANGE }] },
    ],
    nodeTypes: ["full"],
    defaults: DEFAULTS,
    configOverrideSchema: OVERRIDE_SCHEMA,
  };
}

const managedFix = (managed: string) =>
  /port|Port|trustNode|Enable|enable/.test(managed)
    ? "set ports in spec.ports"
    : "Novacula sets it from the node's network and directory";

function validateHeapOverrides(spec: NodeSpec, errors: ErrorDetail[]): void {
  (spec.overrides?.args?.[CLIENT] ?? []).forEach((arg, index) => {
    const flag = flagOf(arg);
    if (flag !== null && MANAGED_FLAGS.includes(flag)) return; // validateOffer reported it already
    if (HEAP_OPTION.test(arg))
      errors.push({ path: `/overrides/args/${CLIENT}/${index}`, message: heapFix(spec.network) });
  });
}

function validate(spec: NodeSpec, { offered = capability() }: ValidationTarget = {}): ErrorDetail[] {
  const errors = validateCatalogClient(spec, offered, {
    defaultPorts: DEFAULT_PORTS,
    unused: {
      checkpointSyncUrl: "java-tron syncs from its seed nodes: remove it",
      settings: `java-tron takes no settings (${heapFix(spec.network)}); other options go in overrides.files["${CONFIG_FILE}"]`,
    },
    managedFix,
  });
  for (const error of errors) {
    const arg = /^\/overrides\/args\/java-tron\/(\d+)$/.exec(error.path);
    const flag = arg ? flagOf(spec.overrides?.args?.[CLIENT]?.[Number(arg[1])] ?? "") : null;
    if (flag === "-Xmx" || flag === "-Xms") error.message = heapFix(spec.network);
  }
  validateHeapOverrides(spec, errors);
  const heap = NETWORKS[spec.network as TronNetwork]?.heapBytes;
  if (heap !== undefined) {
    memoryLimitBytes(spec, errors, 0, {
      bytes: heap + OFF_HEAP_BYTES,
      why: `a ${heap / GIB} GiB JVM heap on ${spec.network} plus ${OFF_HEAP_BYTES / GIB} GiB off the heap`,
    });
  }
  if ((TRON_NETWORKS as readonly string[]).includes(spec.network)) {
    // Placing the overrides in the file finds a key that cannot be placed before a revision is written.
    const model = tronConfigModel(spec.network as TronNetwork, resolvePorts(spec, DEFAULT_PORTS, []));
    mergeFileOverrides(CONFIG_FILE, model, spec.overrides?.files?.[CONFIG_FILE], errors);
  }
  return errors;
}

/**
 * The JVM's options: the heap, then the memory caps java-tron's README gives. On linux-x64 its documented
 * JDK 8 with the CMS collector; on linux-arm64 JDK 17, which has no CMS (its default G1 is used). GC logs
 * and heap dumps to files are left out: they would fill the node directory unattended.
 */
function jvmOptions(heapBytes: number, platform: Platform): string[] {
  const heap = `${heapBytes / GIB}g`;
  const common = [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    "-XX:ReservedCodeCacheSize=256m",
    "-XX:MetaspaceSize=256m",
    "-XX:MaxMetaspaceSize=512m",
    "-XX:MaxDirectMemorySize=1g",
    "-XX:+ParallelRefProcEnabled",
  ];
  if (platform === "linux-arm64") return common;
  return [
    ...common,
    "-XX:+UseConcMarkSweepGC",
    "-XX:NewRatio=2",
    "-XX:+CMSScavengeBeforeRemark",
    "-XX:+UseCMSInitiatingOccupancyOnly",
    "-XX:CMSInitiatingOccupancyFraction=70",
  ];
}

function plan(nodeName: string, spec: NodeSpec, env: PlanEnv): PlanResult {
  const errors = validate(spec);
  const jar = requireArtifact(env, spec, ROLE, "client", errors);
  const jre = requireArtifact(env, spec, ROLE, "jre", errors);
  if (errors.length > 0) return { ok: false, errors };
  const network = spec.network as TronNetwork;
  const ports = resolvePorts(spec, DEFAULT_PORTS, errors);
  const limits = resourceLimits(spec, errors);
  const model = tronConfigModel(network, ports);
  const content = mergeFileOverrides(CONFIG_FILE, model, spec.overrides?.files?.[CONFIG_FILE], errors);
  if (errors.length > 0) return { ok: false, errors };
  const defaultMemory = quantityBytes(DEFAULTS[network]!.memory);
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
          executable: `${jre}/bin/java`,
          artifacts: ["client", "jre"],
          args: [
            ...jvmOptions(NETWORKS[network].heapBytes, env.platform),
            "-jar",
            jar,
            "-c",
            `${env.configDir}/${CONFIG_FILE}`,
            "-d",
            env.dataDir,
            ...(spec.overrides?.args?.[CLIENT] ?? []),
          ],
          env: {},
          configFiles: [{ path: CONFIG_FILE, format: "hocon", content }],
          // java-tron binds its APIs on every interface (it has no bind-address setting); "local" says they
          // are not meant to be published. P2P uses TCP and UDP (discovery) on the same port.
          ports: [
            { name: "grpc", port: ports.grpc, protocol: "tcp", exposure: "local" },
            { name: "http", port: ports.http, protocol: "tcp", exposure: "local" },
            { name: "p2p", port: ports.p2p, protocol: "tcp", exposure: "public" },
            { name: "metrics", port: ports.metrics, protocol: "tcp", exposure: "local" },
          ],
          probe: tronProbe(ports.http),
          ...lifecycleFields(spec, limits, memoryLimitBytes(spec, errors, defaultMemory), STOP_TIMEOUT_SECS),
        },
      ],
    },
  };
}

export const tronAdapter: ChainAdapter = catalogClientAdapter({
  chain: CHAIN,
  client: CLIENT,
  defaultPorts: DEFAULT_PORTS,
  capability,
  validate,
  plan,
  interpretProbe: (raw) => interpretTronProbe(raw),
});
