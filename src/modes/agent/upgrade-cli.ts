// `novacula agent upgrade --to X.Y.Z` (reference §9.1): the agent asks its control plane for the published
// release X.Y.Z for this host's platform (GET /api/v1/executor/releases?version=…, its executor key). Or, with
// no control plane to ask, the release's fields by hand: `--target-version X.Y.Z --download-url URL --sha256
// HEX --signature SIG` (`--signature-file` reads the .minisig file). Either way a person on the host
// upgrades the agent with the same core and the same checks as a pendingUpgrade from the control plane. The
// download goes beside the binary the service runs, sha256 and signature are checked (a mismatch is refused:
// exit 1 with the reason), the swap is rename(2), and the service is restarted; the new version is kept once it
// syncs, and rolled back by systemd otherwise (it then reports why, like any rollback).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ControlPlaneClient } from "../../executor/control-plane-client.ts";
import { UpgradeRefusedError } from "../../executor/self-upgrade/codes.ts";
import { readMarker } from "../../executor/self-upgrade/files.ts";
import { errorMessage, UsageError } from "../../lib/errors.ts";
import { createLogger } from "../../lib/log.ts";
import { AgentUpgradeSpec } from "../../protocol/upgrade.ts";
import { compileValidator } from "../../protocol/validate.ts";
import { NOVACULA_VERSION } from "../../protocol/version.ts";
import { loadAgentConfig } from "./config.ts";
import { compiledBinaryPath, createAgentSelfUpgrader } from "./self-upgrade.ts";

const HINT =
  "pass --to X.Y.Z (a release published in the control plane), or the release's fields: --target-version X.Y.Z --download-url URL --sha256 HEX --signature-file FILE (or --signature TEXT); or request the upgrade in the control plane (Executors → Upgrade) and the agent applies it by itself";

const FLAG_OF: Record<string, string> = {
  "/targetVersion": "--target-version",
  "/downloadUrl": "--download-url",
  "/sha256": "--sha256",
  "/signature": "--signature",
};

export async function runAgentUpgrade(argv: string[]): Promise<number> {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: "string", short: "c" },
        "target-version": { type: "string" },
        to: { type: "string" },
        "download-url": { type: "string" },
        sha256: { type: "string" },
        signature: { type: "string" },
        "signature-file": { type: "string" },
      },
    }).values as Record<string, string | undefined>;
  } catch (error) {
    throw new UsageError(errorMessage(error), HINT);
  }
  const config = loadAgentConfig(values.config);
  const targetVersion = values["target-version"] ?? values.to;
  let signature = values.signature;
  if (values["signature-file"]) {
    try {
      signature = readFileSync(values["signature-file"], "utf8");
    } catch (error) {
      throw new UsageError(`--signature-file: ${errorMessage(error)}`, HINT);
    }
  }
  const client = new ControlPlaneClient({
    url: config.controlPlane.url,
    accessToken: config.controlPlane.accessToken,
  });
  const byHand =
    values["download-url"] !== undefined || values.sha256 !== undefined || signature !== undefined;
  let spec: AgentUpgradeSpec;
  if (targetVersion && !byHand) {
    const platform = `${process.platform}-${process.arch}`;
    try {
      spec = await client.agentRelease(targetVersion, platform, NOVACULA_VERSION);
    } catch (error) {
      console.error(
        `novacula: cannot get release ${targetVersion} for ${platform} from ${client.url}: ${errorMessage(error)}`,
      );
      return 1;
    }
  } else {
    const missing = [
      ["--target-version", targetVersion],
      ["--download-url", values["download-url"]],
      ["--sha256", values.sha256],
      ["--signature", signature],
    ].filter(([, v]) => !v);
    if (missing.length > 0) throw new UsageError(`missing ${missing.map(([f]) => f).join(", ")}`, HINT);
    spec = {
      kind: "agent" as const,
      targetVersion: targetVersion!,
      // A path on the control plane (/api/v1/executor/releases/…) is as good as a full URL.
      downloadUrl: new URL(values["download-url"]!, `${config.controlPlane.url}/`).toString(),
      sha256: values.sha256!.toLowerCase(),
      signature: signature!,
    };
  }
  const validator = compileValidator(AgentUpgradeSpec);
  if (!validator.check(spec)) {
    const list = validator.errors(spec).map((e) => `${FLAG_OF[e.path] ?? e.path}: ${e.message}`);
    throw new UsageError(`invalid upgrade: ${list.join("; ")}`, HINT);
  }
  if (spec.targetVersion === NOVACULA_VERSION) {
    console.log(`novacula ${NOVACULA_VERSION} is already this version: nothing to do`);
    return 0;
  }
  const events: string[] = [];
  const upgrader = createAgentSelfUpgrader({
    supervisorKind: config.supervisor.kind,
    controlPlaneUrl: config.controlPlane.url,
    open: (url, from, signal) => client.fetchArtifact(url, from, signal),
    logger: createLogger({ level: config.logging.level, format: "pretty" }).child({ component: "upgrade" }),
    emit: (event) => events.push(event.message),
    binaryPath: compiledBinaryPath(),
  });
  const pending = await readMarker(upgrader.paths);
  if (pending) {
    console.error(
      `novacula: an upgrade to ${pending.targetVersion} (started ${pending.startedAt}) is waiting for its confirmation; wait until it is kept or rolled back (journalctl -u novacula-agent)`,
    );
    return 1;
  }
  try {
    await upgrader.apply(spec);
  } catch (error) {
    if (error instanceof UpgradeRefusedError) {
      console.error(`novacula: upgrade refused (${error.code}): ${error.message}`);
      return 1;
    }
    throw error;
  }
  console.log(
    `swapped ${upgrader.paths.binary} to ${spec.targetVersion} (previous kept as ${upgrader.paths.prev}) and restarted novacula-agent.service; it is kept once it syncs with the control plane, rolled back otherwise`,
  );
  return 0;
}
