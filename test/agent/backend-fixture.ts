// A real agent backend for tests: process supervisor, downloader fed by a local HTTP artifact server (so the
// real download + sha256 path runs), a data dir under test-output/. Desired specs are fed to a DesiredSet as
// the control plane would send them; assertions read the host (processes, files) and the observations.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { DesiredSet } from "../../src/executor/desired-set.ts";
import { createLogger, silentLogger } from "../../src/lib/log.ts";
import { ArtifactInstaller } from "../../src/modes/agent/artifact-installer.ts";
import { AgentBackend } from "../../src/modes/agent/backend.ts";
import { Downloader } from "../../src/modes/agent/downloader.ts";
import { binDir, hostPlatform, supervisorDir } from "../../src/modes/agent/layout.ts";
import { ProcessSupervisor } from "../../src/modes/agent/supervisor/process.ts";
import type { AssignedSpec, RuntimeEvent } from "../../src/protocol/executor-api.ts";
import type { NodeSpec } from "../../src/protocol/node-spec.ts";
import type { ObservedNodeState } from "../../src/protocol/observed.ts";
import { ANVIL_BIN, ANVIL_FILE_NAME, startFileServer } from "./helpers.ts";

/** GET a URL from byte `from` on, as the agent's control-plane client does (no key: a plain upstream). */
export const openRange = (url: string, from: number, signal: AbortSignal) =>
  fetch(url, { signal, headers: from > 0 ? { range: `bytes=${from}-` } : {} });

export function devnetSpec(port: number, patch: Partial<NodeSpec> = {}): NodeSpec {
  return {
    chain: "devnet",
    network: "local",
    nodeType: "full",
    clients: { node: { name: "anvil", version: "1.7.1" } },
    ports: { rpc: port },
    desiredState: "running",
    restartGeneration: 0,
    ...patch,
  };
}

export interface BackendFixture {
  dataDir: string;
  artifactsDir: string;
  artifactRequests: string[];
  supervisor: ProcessSupervisor;
  backend: AgentBackend;
  desired: DesiredSet;
  events: RuntimeEvent[];
  /** Feed one spec (or tombstone) as a specs answer would. */
  push(entry: Partial<AssignedSpec> & Pick<AssignedSpec, "nodeId" | "name" | "revision">): void;
  reconcile(): Promise<boolean>;
  observe(nodeId: string): Promise<ObservedNodeState>;
  /** A second backend on the same host (a restarted agent): fresh memory, same disk. */
  restartAgent(): void;
  close(): Promise<void>;
}

export function createBackendFixture(dir: string, options: { debug?: boolean } = {}): BackendFixture {
  const dataDir = join(dir, "data");
  const artifactsDir = join(dir, "artifacts");
  mkdirSync(artifactsDir, { recursive: true });
  copyFileSync(ANVIL_BIN, join(artifactsDir, ANVIL_FILE_NAME));
  const server = startFileServer(artifactsDir);
  const logger = options.debug ? createLogger({ level: "debug", format: "pretty" }) : silentLogger;
  const events: RuntimeEvent[] = [];
  let cursor = 0;
  const make = () => {
    const supervisor = new ProcessSupervisor({ stateDir: supervisorDir(dataDir), logger });
    const downloader = new Downloader({
      binDir: binDir(dataDir),
      artifactsUrl: server.url,
      open: async (url, signal) => {
        const response = await fetch(url, { signal });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response;
      },
      logger,
    });
    const artifacts = new ArtifactInstaller({ dataDir, open: openRange, logger });
    const backend = new AgentBackend({
      dataDir,
      platform: hostPlatform(),
      supervisor,
      downloader,
      artifacts,
      scrapeTimeoutMs: 2000,
      logger,
      logHint: (unit) => supervisor.logPath(unit),
      emit: (event) => events.push(event),
    });
    return { supervisor, backend };
  };
  let current = make();
  const desired = new DesiredSet();
  const fixture: BackendFixture = {
    dataDir,
    artifactsDir,
    artifactRequests: server.requests,
    get supervisor() {
      return current.supervisor;
    },
    get backend() {
      return current.backend;
    },
    desired,
    events,
    push(entry) {
      cursor++;
      desired.apply({
        cursor,
        specs: [{ spec: null, deleted: false, retainData: false, ...entry }],
      });
    },
    reconcile: () => current.backend.reconcile(desired, new AbortController().signal),
    async observe(nodeId) {
      const all = await current.backend.observe(desired);
      const found = all.find((o) => o.nodeId === nodeId);
      if (!found) throw new Error(`no observation for ${nodeId}`);
      return found;
    },
    restartAgent() {
      current.supervisor.close();
      current = make();
    },
    async close() {
      await current.supervisor.stopAll();
      current.supervisor.close();
      server.stop();
    },
  };
  return fixture;
}
