// The composition root of the control plane: opens the database and wires every service once.

import type { Db } from "../../db/client.ts";
import { WriteBatcher } from "../../db/write-batcher.ts";
import type { Clock } from "../../lib/clock.ts";
import { errorMessage } from "../../lib/errors.ts";
import type { Logger } from "../../lib/log.ts";
import { trustedReleaseKeys } from "../../lib/release-trust.ts";
import { AbuseLimits } from "./abuse/limiter.ts";
import { AccountService } from "./account/service.ts";
import { ArtifactFetcher, type ArtifactLookup } from "./artifacts/fetcher.ts";
import { ArtifactStore } from "./artifacts/store.ts";
import { ApiKeyService } from "./auth/api-keys.ts";
import type { Auth } from "./auth/better-auth.ts";
import { ExecutorAuth } from "./auth/executor-auth.ts";
import { PrincipalResolver } from "./auth/principal.ts";
import { resolveAuthSecret } from "./auth/secret.ts";
import { CatalogService } from "./catalog/service.ts";
import type { ControlPlaneConfig } from "./config.ts";
import { RuntimeEventService } from "./events/runtime.ts";
import { ExecutorConnectService } from "./executor-connect/service.ts";
import { ExecutorService } from "./executors/service.ts";
import { LiveHub } from "./graphql/subscriptions-hub.ts";
import { MetricHistoryService } from "./history/service.ts";
import { createInvitationSender } from "./invitations/sender.ts";
import { InvitationService } from "./invitations/service.ts";
import { KeyManagementService } from "./keys/service.ts";
import { LogSessionHub } from "./logs/sessions.ts";
import { MemberService } from "./members/service.ts";
import { ChangeFeed } from "./nodes/change-feed.ts";
import { ExecutorNodeView } from "./nodes/executor-view.ts";
import { NodeService } from "./nodes/service.ts";
import { NotificationService } from "./notifications/service.ts";
import { OrganizationService } from "./organizations/service.ts";
import { ReleaseService } from "./releases/service.ts";
import { ReleaseStore } from "./releases/store.ts";
import { SignalHub } from "./signals/hub.ts";

export interface ControlPlaneServices {
  config: ControlPlaneConfig;
  db: Db;
  auth: Auth;
  log: Logger;
  clock: Clock;
  batcher: WriteBatcher;
  keys: ApiKeyService;
  executorAuth: ExecutorAuth;
  principals: PrincipalResolver;
  executors: ExecutorService;
  feed: ChangeFeed;
  /** What executors just reported (observations, liveness), for features that react to it. */
  signals: SignalHub;
  nodes: NodeService;
  /** Live GraphQL subscriptions: who subscribes, and what changed in their organization. */
  live: LiveHub;
  /** Per-node metric history, recorded from `signals`. */
  history: MetricHistoryService;
  nodeView: ExecutorNodeView;
  runtimeEvents: RuntimeEventService;
  /** Live log sessions (in memory only). */
  logs: LogSessionHub;
  // Tenancy: organizations, members, invitations, account, key lifecycle, connect/delete, limits.
  limits: AbuseLimits;
  organizations: OrganizationService;
  members: MemberService;
  invitations: InvitationService;
  account: AccountService;
  keyManagement: KeyManagementService;
  executorConnect: ExecutorConnectService;
  /** Alert settings, rules and incidents, signed webhooks (notifications/). */
  notifications: NotificationService;
  /** The client catalog: which client versions exist, their files and checksums (catalog/). */
  catalog: CatalogService;
  /** The executor release catalog and its content-addressed binaries (releases/). */
  releaseStore: ReleaseStore;
  releases: ReleaseService;
  /** Catalog artifacts: fetched from upstream once, stored content-addressed, served to executors. */
  artifacts: ArtifactFetcher;
}

export interface ServiceExtras {
  /** Which upstream serves a sha256 (the client catalog); without it only imported files are served. */
  artifactLookup?: ArtifactLookup;
}

export function createServices(
  config: ControlPlaneConfig,
  db: Db,
  auth: Auth,
  log: Logger,
  clock: Clock,
  limits = new AbuseLimits(),
  authSecret?: string,
  extras: ServiceExtras = {},
): ControlPlaneServices {
  const batcher = new WriteBatcher(db, log);
  const keys = new ApiKeyService(db);
  const feed = new ChangeFeed();
  const signals = new SignalHub(log);
  // OBSERVATION_LISTENERS=false (benchmarks): what executors report goes to a hub nobody listens on.
  const emitted = config.observationListeners ? signals : new SignalHub(log);
  const executors = new ExecutorService(
    db,
    batcher,
    clock,
    config.heartbeatTimeoutMs,
    emitted,
    config.pendingUpgradeTtlMs,
  );
  const members = new MemberService(db, clock);
  const keyManagement = new KeyManagementService(db, keys, clock, config.apiKeyRotationGraceMs);
  const organizations = new OrganizationService(db, clock);
  const catalog = new CatalogService(db, clock, config.artifactSource);
  const nodes = new NodeService(db, feed, clock, catalog);
  const sender = createInvitationSender(config.smtpUrl, config.smtpFrom, log);
  const releaseStore = new ReleaseStore(config.dataDir);
  // The store asks the catalog which upstream file a requested sha256 stands for (verified or pinned files
  // only). A deploy refused for an unverified file has it downloaded and hashed, so the admin sees the
  // sha256 to pin before anything runs.
  const artifacts = new ArtifactFetcher(
    new ArtifactStore(config.dataDir),
    extras.artifactLookup ?? ((sha256) => catalog.catalogFileBySha256(sha256)),
    { log: log.child({ component: "artifacts" }) },
  );
  catalog.onChecksumNeeded((url) => {
    artifacts
      .computeChecksum(url)
      .then(({ sha256 }) => catalog.recordComputedChecksum(url, sha256))
      .catch((error: unknown) =>
        log.warn("cannot hash an unverified catalog file", { url, error: errorMessage(error) }),
      );
  });
  return {
    config,
    db,
    auth,
    log,
    clock,
    batcher,
    keys,
    executorAuth: new ExecutorAuth(db, keys, clock, organizations, executors),
    principals: new PrincipalResolver(db, auth, keys, clock, batcher),
    executors,
    feed,
    signals,
    nodes,
    live: new LiveHub(db, signals, nodes, executors, config.heartbeatTimeoutMs, log),
    nodeView: new ExecutorNodeView(db, batcher, clock, emitted),
    history: new MetricHistoryService(db, batcher, nodes, clock, signals),
    runtimeEvents: new RuntimeEventService(db, clock),
    logs: new LogSessionHub(),
    limits,
    organizations,
    members,
    invitations: new InvitationService(
      db,
      clock,
      members,
      sender,
      config.publicUrl,
      config.invitationTtlMs,
      log,
    ),
    account: new AccountService(db, auth, clock, limits.password),
    keyManagement,
    executorConnect: new ExecutorConnectService(db, clock, keys, keyManagement, executors, config.publicUrl),
    releaseStore,
    releases: new ReleaseService(db, clock, releaseStore, executors, trustedReleaseKeys()),
    notifications: new NotificationService(
      db,
      clock,
      log,
      signals,
      authSecret ??
        resolveAuthSecret(db, {
          configured: config.authSecret,
          file: config.authSecretFile,
          dataDir: config.dataDir,
        }),
      {
        retryBaseMs: config.webhookRetryBaseMs,
        maxAttempts: config.webhookMaxAttempts,
        allowPrivateNetworks: config.webhookAllowPrivateNetworks,
      },
      config.eventRetentionDays,
    ),
    catalog,
    artifacts,
  };
}
