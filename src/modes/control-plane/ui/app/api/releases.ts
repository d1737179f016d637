// GraphQL documents of the executor release catalog: the catalog (admin console: list and yank) and an
// executor's upgrade panel (candidates, request, cancel).
import { graphql } from "./graphql.ts";

export interface ReleaseView {
  id: string;
  kind: string;
  version: string;
  channel: string;
  status: string;
  notes: string;
  publishedAt: string;
  artifacts: { platform: string; sizeBytes: number; keyId: string }[];
}

export const RELEASES = graphql<{ executorReleases: ReleaseView[] }>(
  `query ExecutorReleases {
    executorReleases { id kind version channel status notes publishedAt artifacts { platform sizeBytes keyId } }
  }`,
);

export const YANK_RELEASE = graphql<{ yankExecutorRelease: { id: string; status: string } }, { id: string }>(
  "mutation YankExecutorRelease($id: ID!) { yankExecutorRelease(where: { id: $id }) { id status } }",
);

export interface UpgradeCandidates {
  currentVersion: string;
  channel: string;
  candidates: {
    version: string;
    allowedAsDirectTarget: boolean;
    label: string | null;
    release: { notes: string; channel: string };
  }[];
  availableDowngrades: { version: string; notes: string; channel: string }[];
}

export const UPGRADE_CANDIDATES = graphql<
  {
    executorUpgradeCandidates: UpgradeCandidates | null;
    executor: { pendingUpgradeRequestedAt: string | null; pendingUpgradeExpiresAt: string | null } | null;
  },
  { id: string }
>(
  `query ExecutorUpgradeCandidates($id: ID!) {
    executorUpgradeCandidates(executorId: $id) {
      currentVersion channel
      candidates { version allowedAsDirectTarget label release { notes channel } }
      availableDowngrades { version notes channel }
    }
    executor(where: { id: $id }) { pendingUpgradeRequestedAt pendingUpgradeExpiresAt }
  }`,
);

export const REQUEST_UPGRADE = graphql<
  { requestExecutorUpgrade: { id: string } },
  { id: string; targetVersion: string }
>(
  `mutation RequestExecutorUpgrade($id: ID!, $targetVersion: String!) {
    requestExecutorUpgrade(executorId: $id, targetVersion: $targetVersion) { id }
  }`,
);

export const CANCEL_UPGRADE = graphql<{ cancelExecutorUpgrade: { id: string } }, { id: string }>(
  "mutation CancelExecutorUpgrade($id: ID!) { cancelExecutorUpgrade(executorId: $id) { id } }",
);
