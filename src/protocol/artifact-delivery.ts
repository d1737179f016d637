// How the control plane answers GET /api/v1/executor/artifacts/<sha256> when it cannot serve the bytes yet:
// the error codes and the progress an executor shows in the node's events. The envelope is the usual one
// (code, message, details) with `progress` beside it while the control plane fetches the file upstream.
import { type Static, Type as T } from "@sinclair/typebox";

/** 503: the control plane is fetching the file from upstream (or waiting to retry); ask again later. */
export const ARTIFACT_FETCHING = "artifact_fetching";
/** 502: upstream served bytes with another sha256; nothing was stored. */
export const ARTIFACT_CHECKSUM_MISMATCH = "artifact_checksum_mismatch";
/** 502: upstream refused the file (4xx other than 408/429): the catalog URL is wrong. */
export const ARTIFACT_UPSTREAM_FAILED = "artifact_upstream_failed";

export const ArtifactProgress = T.Object({
  receivedBytes: T.Integer({ minimum: 0 }),
  /** null while upstream has not said how large the file is. */
  totalBytes: T.Union([T.Integer({ minimum: 0 }), T.Null()]),
  /** 0..100, null without a total. */
  percent: T.Union([T.Integer({ minimum: 0, maximum: 100 }), T.Null()]),
});
export type ArtifactProgress = Static<typeof ArtifactProgress>;

export function artifactProgress(receivedBytes: number, totalBytes: number | null): ArtifactProgress {
  const percent =
    totalBytes && totalBytes > 0 ? Math.min(100, Math.floor((receivedBytes / totalBytes) * 100)) : null;
  return { receivedBytes, totalBytes, percent };
}

const MIB = 1024 * 1024;

/** "42 % (120/285 MiB)", or "120 MiB" without a total: what a person reads in a node's events. */
export function describeProgress(p: ArtifactProgress): string {
  const mib = (bytes: number) => String(Math.round(bytes / MIB));
  if (p.totalBytes === null || p.percent === null) return `${mib(p.receivedBytes)} MiB`;
  return `${p.percent} % (${mib(p.receivedBytes)}/${mib(p.totalBytes)} MiB)`;
}
