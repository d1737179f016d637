// compatWindowStatus: whether an executor's version is still served by this control plane.
import type { CompatStatus } from "./executor-api.ts";

export function majorOf(version: string): number {
  const match = /^(\d+)\.\d+\.\d+/.exec(version);
  if (!match) throw new TypeError(`not a semver version: ${JSON.stringify(version)}`);
  return Number(match[1]);
}

/**
 * Same major: in-window. One major behind: deprecated (works, with a banner). Further behind:
 * out-of-support (heartbeats and upgrades only). An executor *ahead* of the control plane is in-window:
 * the protocol only grows additively, so a newer executor speaks a superset.
 */
export function compatWindowStatus(controlPlaneVersion: string, executorVersion: string): CompatStatus {
  const behind = majorOf(controlPlaneVersion) - majorOf(executorVersion);
  if (behind <= 0) return "in-window";
  if (behind === 1) return "deprecated";
  return "out-of-support";
}
