// The ChainAdapter contract: pure, backend-neutral knowledge of one chain. An adapter turns a NodeSpec into a
// ProcessPlan; the agent renders plans into systemd units, the operator into Kubernetes objects. No I/O here,
// and no systemd or Kubernetes type.
import type { ChainCapability } from "../protocol/capabilities.ts";
import type { ErrorDetail } from "../protocol/errors.ts";
import type { NodeSpec, RestartPolicy } from "../protocol/node-spec.ts";
import type { NodeMetrics, ProcessStatus } from "../protocol/observed.ts";

export type Platform = "linux-x64" | "linux-arm64";

/** Where a client binary comes from: a file name under the executor's artifact source, pinned by sha256. */
export interface InstallSource {
  /** File name in `<data_dir>/bin/` and under the artifact base URL, e.g. "anvil-1.7.1-linux-x64". */
  fileName: string;
  sha256: string;
  /** Where the artifact is published upstream, for people mirroring it; never fetched implicitly. */
  upstreamUrl?: string;
}

export type ConfigFormat = "toml" | "json" | "yaml" | "ini" | "hocon" | "text";

export interface ConfigFile {
  /** Relative to the node's config directory. */
  path: string;
  format: ConfigFormat;
  /** A typed object rendered deterministically (sorted keys), or literal text for format "text". */
  content: Record<string, unknown> | string;
  mode?: number;
}

export interface PortSpec {
  name: string;
  port: number;
  protocol: "tcp" | "udp";
  /** Reachable from outside the host (P2P) or only on loopback (RPC, metrics). */
  exposure: "public" | "local";
}

/** How to probe a process: the adapter later interprets the raw answers in `interpretProbe`. */
export interface ProbeSpec {
  kind: "evm-jsonrpc" | "http-get" | "tcp";
  port: number;
  path?: string;
  /** evm-jsonrpc: the methods to call (no params); their results, keyed by method, reach interpretProbe. */
  methods?: string[];
}

export interface InitStep {
  /** Stable id: an init step runs once per node; its marker file is named after this id. */
  id: string;
  description: string;
  /** Write a generated secret (e.g. an Engine-API JWT) unless the file exists. */
  kind: "generate-secret";
  path: string;
  bytes: number;
}

export interface PlannedProcess {
  role: string;
  client: string;
  version: string;
  /** Per platform; a platform without a build is absent, and plan() rejects it for that platform. */
  install: Partial<Record<Platform, InstallSource>>;
  /** Arguments after the executable (whose file name inside bin/ is install[platform].fileName). */
  args: string[];
  env: Record<string, string>;
  configFiles: ConfigFile[];
  ports: PortSpec[];
  probe: ProbeSpec;
  restartPolicy: RestartPolicy;
  /** Best-effort limits; undefined = unlimited. */
  cpuQuotaPercent?: number;
  memoryHighBytes?: number;
  memoryMaxBytes?: number;
  /** Seconds a stop may take before SIGKILL: chain databases need time to close cleanly. */
  stopTimeoutSecs: number;
}

export interface ProcessPlan {
  nodeName: string;
  processes: PlannedProcess[];
  initSteps: InitStep[];
}

/** Paths the executor chose for a node; adapters place flags relative to them. */
export interface PlanEnv {
  platform: Platform;
  nodeDir: string;
  configDir: string;
  dataDir: string;
  binDir: string;
}

export interface ProbeResult {
  status: ProcessStatus;
  metrics: NodeMetrics;
  message?: string;
  /** Chain extras (ObservedNodeState.details): figures beyond the common metrics, keyed by name. */
  details?: Record<string, string | number | boolean>;
}

export type PlanResult = { ok: true; plan: ProcessPlan } | { ok: false; errors: ErrorDetail[] };

/** What validate() judges a spec against; each part is optional. */
export interface ValidationTarget {
  /**
   * The capability of the executor that will run the node. Its networks, client versions and override schema
   * decide, since that executor may carry another version of this adapter than the caller (the control plane
   * passes what the executor advertised). Default: this adapter's own capability().
   */
  offered?: ChainCapability;
  /** The platform the node will run on, when known: a client version without a build for it is refused. */
  platform?: Platform;
}

/** A host port a node listens on, and the spec field that sets it. */
export interface HostPort {
  /** JSON path in the NodeSpec, e.g. "/ports/rpc": where to change the port. */
  path: string;
  port: number;
  /** The spec sets this port; false when the adapter's default applies. */
  explicit: boolean;
}

/** See ChainAdapter.formHints. */
export interface FormHints {
  settings: Readonly<Record<string, { default: number; min: number; max: number; description: string }>>;
  ports: Readonly<Record<string, number>>;
}

/** The override schema an adapter publishes in capability().configOverrideSchema (a protocol shape). */
export type { ConfigOverrideSchema } from "../protocol/capabilities.ts";

export interface ChainAdapter {
  readonly chain: string;
  /**
   * NodeSpec fields (JSON paths such as "/images" or "/resources/cpu") this adapter does not use, each with the
   * reason. The conformance suite walks every NodeSpec field: each must change the plan, be validated, or be
   * listed here, so that no field is dropped silently.
   */
  readonly ignoredSpecFields: Readonly<Record<string, string>>;
  capability(): ChainCapability;
  /**
   * What a deploy or edit form may offer beyond the capability: the typed settings and the named ports with
   * their defaults, the very tables validate() and plan() use (so a form cannot drift from them).
   */
  formHints?(): FormHints;
  /**
   * Every problem with the spec (unknown network or version, managed override keys, bad settings, ports,
   * resources, no build for the platform), each with its JSON path and a message that says the fix. Pure, so
   * the control plane runs it before a revision is written, and plan() runs it again on the host.
   */
  validate(spec: NodeSpec, target?: ValidationTarget): ErrorDetail[];
  /**
   * The host ports a node with this spec listens on (defaults filled in): the same ports plan() binds, so
   * the control plane can refuse two nodes of one executor on the same port. Pure; any NodeSpec (a port
   * name validate() refuses is left out).
   */
  hostPorts(spec: NodeSpec): HostPort[];
  plan(nodeName: string, spec: NodeSpec, env: PlanEnv): PlanResult;
  /** Turn a raw probe answer (JSON-RPC results keyed by method, or HTTP body) into status + metrics. */
  interpretProbe(role: string, raw: Record<string, unknown>): ProbeResult;
}
