// The ChainAdapter contract: pure, backend-neutral knowledge of one chain. An adapter turns a NodeSpec into a
// ProcessPlan; the agent renders plans into systemd units, the operator into Kubernetes objects. No I/O here,
// and no systemd or Kubernetes type.
import type { ChainCapability } from "../protocol/capabilities.ts";
import type { ErrorDetail } from "../protocol/errors.ts";
import type { NodeSpec, RestartPolicy } from "../protocol/node-spec.ts";
import type { NodeMetrics, ProcessStatus } from "../protocol/observed.ts";

export type { Platform } from "../protocol/artifacts.ts";

import type { Platform } from "../protocol/artifacts.ts";

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
  /**
   * evm-jsonrpc: one JSON-RPC 2.0 batch of `methods` (no params), results keyed by method.
   * jsonrpc: one batch of `calls` (with params), results keyed by `key`; `basicAuthFile` names a file holding
   *   "user:password" (bitcoind's cookie) sent as HTTP basic auth; `jsonrpcVersion` "1.0" for bitcoind.
   * http-json: each of `requests` (GET, or POST with a JSON body), parsed bodies keyed by `key`
   *   (non-2xx answers appear as { status, body }).
   * http-get: one GET of `path`: { status, body }.  tcp: a connect: { connected: true }.
   * A call or request that fails is absent from the raw answer; the adapter decides what that means.
   */
  kind: "evm-jsonrpc" | "jsonrpc" | "http-json" | "http-get" | "tcp";
  port: number;
  path?: string;
  methods?: string[];
  calls?: { key: string; method: string; params?: unknown[] }[];
  jsonrpcVersion?: "1.0" | "2.0";
  basicAuthFile?: string;
  requests?: { key: string; path: string; method?: "GET" | "POST"; body?: unknown }[];
}

interface InitStepBase {
  /** Stable id: an init step runs once per node; its marker file is named after this id. */
  id: string;
  description: string;
}

export type InitStep =
  | (InitStepBase & {
      /** Write a generated secret (e.g. an Engine-API JWT, RPC credentials) unless the file exists. */
      kind: "generate-secret";
      path: string;
      bytes: number;
    })
  | (InitStepBase & {
      /** Copy an installed artifact of a role (a genesis file) to `path` inside the node directory. */
      kind: "copy-artifact";
      role: string;
      artifact: string;
      path: string;
      /**
       * For a TOML file: tables (dotted names, e.g. `Node.LogConfig`) left out of the copy with their
       * sub-tables, by a line edit that keeps every other byte (src/modes/agent/toml-drop-tables.ts).
       */
      dropTomlTables?: string[];
    })
  | (InitStepBase & {
      /**
       * Run a program once, as the node's user, before the processes start (e.g. `geth init genesis.json`);
       * a non-zero exit fails the step (retried on the next reconcile), and its output tail is the message.
       */
      kind: "run";
      executable: string;
      args: string[];
      env?: Record<string, string>;
      /** Seconds before the step is killed and counted failed. */
      timeoutSecs: number;
    });

export interface PlannedProcess {
  role: string;
  client: string;
  version: string;
  /**
   * The program to run: an installed artifact's path from PlanEnv.artifacts (or a path inside one, such as a
   * JRE's bin/java).
   */
  executable: string;
  /** The names of this role's artifacts (PlanEnv.artifacts[role]) that must be installed before it starts. */
  artifacts?: string[];
  /** Arguments after the executable. */
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
  /**
   * Seconds an in-place client version change has to prove healthy (running, answering its probe, head
   * advancing or peers > 0) before the previous version is put back; default 120. A client whose start-up
   * (e.g. a database migration) takes longer sets more.
   */
  upgradeHealthDeadlineSecs?: number;
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
  /**
   * role → artifact name → where the executor installs it (a file, or for a directory member the unpacked
   * directory), from the artifacts the control plane resolved for this node. A name missing here was not
   * delivered: plan() reports it (see requireArtifact in shared/spec.ts).
   */
  artifacts?: Readonly<Record<string, Readonly<Record<string, string>>>>;
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
  /**
   * What listens on it; default tcp only. A P2P port is usually ["tcp", "udp"]: the agent's port plan checks
   * each protocol is free on the host before it gives the port to a node.
   */
  protocols?: readonly ("tcp" | "udp")[];
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
