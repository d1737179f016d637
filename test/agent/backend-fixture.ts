// A real agent backend for tests: process supervisor, artifact installer fed by a local HTTP file server (so
// the real download + sha256 path runs), a data dir under test-output/. Desired specs are fed to a DesiredSet
// as the control plane would send them, anvil's artifact included (the server's copy, by absolute URL with its
// real sha256); assertions read the host (processes, files) and the observations.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { DesiredSet } from "../../src/executor/desired-set.ts";
import { createLogger, silentLogger } from "../../src/lib/log.ts";
import { ArtifactInstaller } from "../../src/modes/agent/artifact-installer.ts";
import { AgentBackend } from "../../src/modes/agent/backend.ts";
import { hostPlatform, supervisorDir } from "../../src/modes/agent/layout.ts";
import { ProcessSupervisor } from "../../src/modes/agent/supervisor/process.ts";
import type { NodeArtifacts } from "../../src/protocol/artifacts.ts";
import type { AssignedSpec, RuntimeEvent } from "../../src/protocol/executor-api.ts";
import type { NodeSpec } from "../../src/protocol/node-spec.ts";
import type { ObservedNodeState } from "../../src/protocol/observed.ts";
import { ANVIL_BIN, anvilArtifacts, startFileServer } from "./helpers.ts";

/** The name the fixture's file server serves anvil under. */
export const SERVED_ANVIL = "anvil";

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
  /** The file server's directory: anvil is there as SERVED_ANVIL (replace it to serve other bytes). */
  artifactsDir: string;
  /** File names requested from the server so far. */
  artifactRequests: string[];
  /** What push() delivers as AssignedSpec.artifacts unless the entry sets its own. */
  anvilArtifacts: NodeArtifacts;
  supervisor: ProcessSupervisor;
  backend: AgentBackend;
  desired: DesiredSet;
  events: RuntimeEvent[];
  /** Feed one spec (or tombstone) as a specs answer would, with anvil's artifacts unless it sets its own. */
  push(entry: Partial<AssignedSpec> & Pick<AssignedSpec, "nodeId" | "name" | "revision">): void;
  /**
   * One reconcile pass and, while artifact downloads it started are running, another pass as each settles
   * (the agent's onSettled → triggerReconcile): true when any pass changed the host.
   */
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
  copyFileSync(ANVIL_BIN, join(artifactsDir, SERVED_ANVIL));
  const server = startFileServer(artifactsDir);
  const served = anvilArtifacts(`${server.url}/${SERVED_ANVIL}`);
  const logger = options.debug ? createLogger({ level: "debug", format: "pretty" }) : silentLogger;
  const events: RuntimeEvent[] = [];
  let cursor = 0;
  let settled = Promise.withResolvers<void>();
  const make = () => {
    const supervisor = new ProcessSupervisor({ stateDir: supervisorDir(dataDir), logger });
    const artifacts = new ArtifactInstaller({
      dataDir,
      open: openRange,
      logger,
      // A refused file is tried again soon, so a test can serve the right one and see it installed.
      failureHoldMs: 200,
      onSettled: () => {
        settled.resolve();
        settled = Promise.withResolvers<void>();
      },
    });
    const backend = new AgentBackend({
      dataDir,
      platform: hostPlatform(),
      supervisor,
      artifacts,
      scrapeTimeoutMs: 2000,
      logger,
      logHint: (unit) => supervisor.logPath(unit),
      emit: (event) => events.push(event),
    });
    return { supervisor, backend, artifacts };
  };
  let current = make();
  const desired = new DesiredSet();
  const fixture: BackendFixture = {
    dataDir,
    artifactsDir,
    artifactRequests: server.requests,
    anvilArtifacts: served,
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
        specs: [{ spec: null, deleted: false, retainData: false, artifacts: served, ...entry }],
      });
    },
    async reconcile() {
      const pass = () => current.backend.reconcile(desired, new AbortController().signal);
      let changed = await pass();
      for (;;) {
        const next = settled.promise;
        if (!current.artifacts.busy) return changed;
        await next;
        changed = (await pass()) || changed;
      }
    },
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
