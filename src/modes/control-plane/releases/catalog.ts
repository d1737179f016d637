// The catalog's rules, pure (reference §3.5): which channels an executor sees, which releases are its
// upgrade candidates (direct targets only within one major; farther ones labelled with the hop to take
// first) and which older releases it may go back to.

import type { ReleaseRow } from "../../../db/queries/releases.ts";
import { majorOf } from "../../../protocol/compat.ts";

export type ReleaseChannel = ReleaseRow["channel"];

/** stable sees stable; beta sees beta and stable; dev sees all. An unknown channel is treated as stable. */
export function visibleChannels(channel: string): ReleaseChannel[] {
  if (channel === "dev") return ["dev", "beta", "stable"];
  if (channel === "beta") return ["beta", "stable"];
  return ["stable"];
}

/** Semver order (prereleases before their release): negative when a < b. */
export function compareVersions(a: string, b: string): number {
  return Bun.semver.order(a, b);
}

/** The "Major hop per upgrade" of the reference's constants: one major version at a time. */
export const MAX_MAJOR_HOP = 1;

export interface Candidate {
  release: ReleaseRow;
  allowedAsDirectTarget: boolean;
  /** Why it is not a direct target, e.g. "requires upgrade to 2.x first"; null when it is. */
  label: string | null;
}

export interface Candidates {
  upgrades: Candidate[];
  availableDowngrades: ReleaseRow[];
}

/** Releases an executor could move to, newest first. `releases`: the whole catalog (any order). */
export function upgradeCandidates(
  executor: { kind: ReleaseRow["kind"]; currentVersion: string; channel: string },
  releases: readonly ReleaseRow[],
): Candidates {
  const channels = visibleChannels(executor.channel);
  const current = executor.currentVersion;
  const visible = releases
    .filter((r) => r.kind === executor.kind && r.status === "published" && channels.includes(r.channel))
    .sort((a, b) => compareVersions(b.version, a.version));
  const upgrades = visible
    .filter((r) => compareVersions(r.version, current) > 0)
    .map((release) => {
      const label = majorHopRefusal(current, release.version);
      return { release, allowedAsDirectTarget: label === null, label };
    });
  const availableDowngrades = visible.filter(
    (r) => compareVersions(r.version, current) < 0 && majorHopRefusal(current, r.version) === null,
  );
  return { upgrades, availableDowngrades };
}

/**
 * Why moving from `current` to `target` crosses more than one major (either way), or null when it does not.
 * The same rule upgradeCandidates applies, for a version picked by hand on a host.
 */
export function majorHopRefusal(current: string, target: string): string | null {
  const major = majorOf(current);
  const hop = majorOf(target) - major;
  if (hop > MAX_MAJOR_HOP) return `requires upgrade to ${major + MAX_MAJOR_HOP}.x first`;
  if (-hop > MAX_MAJOR_HOP) return `goes back at most to ${major - MAX_MAJOR_HOP}.x at a time`;
  return null;
}

/** Whether `version` is a target the executor may be sent to now (a direct upgrade or an available downgrade). */
export function reachable(candidates: Candidates, version: string): ReleaseRow | null {
  const up = candidates.upgrades.find((c) => c.release.version === version);
  if (up) return up.allowedAsDirectTarget ? up.release : null;
  return candidates.availableDowngrades.find((r) => r.version === version) ?? null;
}
