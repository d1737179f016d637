// A node's artifacts end to end between a real control plane, a local upstream and the agent's install
// step (the reconciler's first step, node-artifacts.ts): while the control plane fetches, the node waits and
// its events show the progress; once stored, the agent installs the client and the plan's executable is
// there; an upstream serving other bytes stops the node with the control plane's actionable message.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ProcessPlan } from "../../src/adapters/types.ts";
import { ControlPlaneClient } from "../../src/executor/control-plane-client.ts";
import { eventually } from "../../src/lib/eventually.ts";
import { silentLogger } from "../../src/lib/log.ts";
import { ArtifactInstallError, ArtifactInstaller } from "../../src/modes/agent/artifact-installer.ts";
import { installedArtifactPath } from "../../src/modes/agent/layout.ts";
import { installNodeArtifacts, ProgressEvents } from "../../src/modes/agent/node-artifacts.ts";
import type { ResolvedArtifact } from "../../src/protocol/artifacts.ts";
import type { AssignedSpec, RuntimeEvent } from "../../src/protocol/executor-api.ts";
import { makeTestDir } from "../agent/helpers.ts";
import { makeTarGz } from "./archives.ts";
import { type ArtifactControlPlane, startArtifactControlPlane } from "./control-plane.ts";
import { sha256Of, startUpstream, type Upstream } from "./upstream.ts";

const T = 60_000;
const WAIT = { timeoutMs: 30_000, intervalMs: 50 };
const scratch = makeTestDir("node-artifacts");
let h: ArtifactControlPlane;
let upstream: Upstream;
beforeAll(async () => {
  h = await startArtifactControlPlane("node-artifacts");
  upstream = await startUpstream();
});
afterAll(async () => {
  upstream.stop();
  await h.stop();
  scratch.cleanup();
});

/** A geth release tarball published upstream and in the catalog; the artifact as the control plane resolves it. */
async function gethRelease(name: string, padding: number): Promise<ResolvedArtifact> {
  const file = join(scratch.dir, `${name}.tar.gz`);
  // Random padding does not compress: the download has a size worth reporting progress on.
  const pad = new Uint8Array(padding).map(() => Math.floor(Math.random() * 256));
  await makeTarGz(join(scratch.dir, `${name}-work`), file, [
    { path: "geth-linux-amd64-1.17.10/geth", content: "#!/bin/sh\necho geth\n", mode: 0o755 },
    { path: "geth-linux-amd64-1.17.10/padding", content: pad },
  ]);
  const bytes = new Uint8Array(readFileSync(file));
  const sha256 = sha256Of(bytes);
  upstream.files.set(`/${name}.tar.gz`, bytes);
  h.catalog.set(sha256, { url: `${upstream.url}/${name}.tar.gz`, format: "tar.gz" });
  return {
    url: `/api/v1/executor/artifacts/${sha256}`,
    sha256,
    format: "tar.gz",
    member: "geth-linux-amd64-1.17.10/geth",
  };
}

function agent(name: string) {
  const dataDir = join(scratch.dir, name);
  const client = new ControlPlaneClient({ url: h.cp.url, accessToken: h.key });
  const events: RuntimeEvent[] = [];
  const deps = {
    installer: new ArtifactInstaller({
      dataDir,
      open: (url, from, signal) => client.fetchArtifact(url, from, signal),
      logger: silentLogger,
    }),
    progress: new ProgressEvents((event) => events.push(event)),
  };
  return { dataDir, events, deps };
}

function nodeWith(artifact: ResolvedArtifact, dataDir: string): { entry: AssignedSpec; plan: ProcessPlan } {
  const entry: AssignedSpec = {
    nodeId: "00000000-0000-4000-8000-0000000000a1",
    name: "sepolia-1",
    revision: 3,
    spec: null,
    deleted: false,
    retainData: false,
    artifacts: { el: { client: artifact } },
  };
  const plan: ProcessPlan = {
    nodeName: "sepolia-1",
    initSteps: [],
    processes: [
      {
        role: "el",
        client: "geth",
        version: "1.17.10",
        executable: installedArtifactPath(dataDir, artifact),
        artifacts: ["client"],
        args: ["--sepolia"],
        env: {},
        configFiles: [],
        ports: [],
        probe: { kind: "tcp", port: 8545 },
        restartPolicy: "always",
        stopTimeoutSecs: 300,
      },
    ],
  };
  return { entry, plan };
}

describe("a node's artifacts through the control plane", () => {
  test(
    "the node waits while the control plane fetches its client, its events show the progress, then the client is installed",
    async () => {
      const artifact = await gethRelease("geth-1.17.10", 3 * 1024 * 1024);
      const { dataDir, events, deps } = agent("waits");
      const { entry, plan } = nodeWith(artifact, dataDir);
      upstream.holdAfter(1024 * 1024);
      const waiting = await eventually(
        async () => {
          const result = installNodeArtifacts(entry, plan, deps);
          const message = result.waiting[0]?.message ?? "";
          return /fetching this file from 127\.0\.0\.1:\d+: 3\d % \(1\/3 MiB\)/.test(message) ? result : null;
        },
        { ...WAIT, message: "progress of the control plane's fetch" },
      );
      expect(waiting.waiting[0]).toMatchObject({ role: "el", reason: "artifact.downloading", waiting: true });
      expect(waiting.waiting[0]!.message).toStartWith(
        "downloading geth 1.17.10: the control plane is fetching",
      );
      const progress = events.filter((e) => e.reason === "artifact.downloading");
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.at(-1)!).toMatchObject({ nodeId: entry.nodeId, level: "info" });
      expect(progress.at(-1)!.message).toStartWith("sepolia-1: downloading geth 1.17.10:");
      // Throttled: asking on every tick does not flood the node's events.
      expect(progress.length).toBeLessThanOrEqual(4);
      upstream.release();
      const done = await eventually(
        async () => {
          const result = installNodeArtifacts(entry, plan, deps);
          return result.waiting.length === 0 ? result : null;
        },
        { ...WAIT, message: "installed" },
      );
      const executable = done.executables.get("el")!;
      expect(executable).toBe(
        join(dataDir, "artifacts", `${artifact.sha256}.d`, "geth-linux-amd64-1.17.10/geth"),
      );
      expect(statSync(executable).mode & 0o111).not.toBe(0);
      expect(readFileSync(executable, "utf8")).toContain("echo geth");
    },
    T,
  );

  test(
    "an upstream serving other bytes stops the node with the control plane's message, and nothing is installed",
    async () => {
      const artifact = await gethRelease("geth-tampered", 10_000);
      // The catalog pins one file; upstream now serves another under the same URL.
      upstream.files.set("/geth-tampered.tar.gz", new TextEncoder().encode("not the release"));
      const { dataDir, deps } = agent("mismatch");
      const { entry, plan } = nodeWith(artifact, dataDir);
      const error = await eventually(
        async () => {
          try {
            installNodeArtifacts(entry, plan, deps);
            return null;
          } catch (e) {
            return e as Error;
          }
        },
        { ...WAIT, message: "refused" },
      );
      expect(error).toBeInstanceOf(ArtifactInstallError);
      expect(error.message).toContain("HTTP 502");
      expect(error.message).toContain(`not the ${artifact.sha256} the client catalog pins`);
      expect(error.message).toContain("correct the catalog entry");
      expect(existsSync(join(dataDir, "artifacts")) ? readdirSync(join(dataDir, "artifacts")) : []).toEqual(
        [],
      );
      expect(readdirSync(join(h.dataDir, "artifacts", "sha256"))).not.toContain(artifact.sha256);
    },
    T,
  );

  test(
    "an unreachable upstream is a wait that says the control plane is retrying, not an error",
    async () => {
      const artifact: ResolvedArtifact = {
        url: `/api/v1/executor/artifacts/${"12".repeat(32)}`,
        sha256: "12".repeat(32),
        format: "binary",
      };
      h.catalog.set(artifact.sha256, { url: "http://127.0.0.1:9/down.bin", format: "binary" });
      const { dataDir, deps } = agent("down");
      const { entry, plan } = nodeWith(artifact, dataDir);
      const result = await eventually(
        async () => {
          const r = installNodeArtifacts(entry, plan, deps);
          return r.waiting[0]?.message.includes("unreachable: retrying in") ? r : null;
        },
        { ...WAIT, message: "retrying" },
      );
      expect(result.waiting[0]!.message).toStartWith(
        "downloading geth 1.17.10: upstream 127.0.0.1:9 unreachable",
      );
    },
    T,
  );
});
