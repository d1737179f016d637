// The composition root of the control plane: opens the database and wires every service once.
import type { Db } from "../../db/client.ts";
import { WriteBatcher } from "../../db/write-batcher.ts";
import type { Clock } from "../../lib/clock.ts";
import type { Logger } from "../../lib/log.ts";
import { AbuseLimits } from "./abuse/limiter.ts";
import { AccountService } from "./account/service.ts";
import { ApiKeyService } from "./auth/api-keys.ts";
import type { Auth } from "./auth/better-auth.ts";
import { ExecutorAuth } from "./auth/executor-auth.ts";
import { PrincipalResolver } from "./auth/principal.ts";
import type { ControlPlaneConfig } from "./config.ts";
import { RuntimeEventService } from "./events/runtime.ts";
import { ExecutorConnectService } from "./executor-connect/service.ts";
import { ExecutorService } from "./executors/service.ts";
import { MetricHistoryService } from "./history/service.ts";
import { createInvitationSender } from "./invitations/sender.ts";
import { InvitationService } from "./invitations/service.ts";
import { KeyManagementService } from "./keys/service.ts";
import { MemberService } from "./members/service.ts";
import { ChangeFeed } from "./nodes/change-feed.ts";
import { ExecutorNodeView } from "./nodes/executor-view.ts";
import { NodeService } from "./nodes/service.ts";
import { OrganizationService } from "./organizations/service.ts";
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
  /** Per-node metric history, recorded from `signals`. */
  history: MetricHistoryService;
  nodeView: ExecutorNodeView;
  runtimeEvents: RuntimeEventService;
  // Tenancy: organizations, members, invitations, account, key lifecycle, connect/delete, limits.
  limits: AbuseLimits;
  organizations: OrganizationService;
  members: MemberService;
  invitations: InvitationService;
  account: AccountService;
  keyManagement: KeyManagementService;
  executorConnect: ExecutorConnectService;
}

export function createServices(
  config: ControlPlaneConfig,
  db: Db,
  auth: Auth,
  log: Logger,
  clock: Clock,
  limits = new AbuseLimits(),
): ControlPlaneServices {
  const batcher = new WriteBatcher(db, log);
  const keys = new ApiKeyService(db);
  const feed = new ChangeFeed();
  const signals = new SignalHub(log);
  // OBSERVATION_LISTENERS=false (benchmarks): what executors report goes to a hub nobody listens on.
  const emitted = config.observationListeners ? signals : new SignalHub(log);
  const executors = new ExecutorService(db, batcher, clock, config.heartbeatTimeoutMs, emitted);
  const members = new MemberService(db, clock);
  const keyManagement = new KeyManagementService(db, keys, clock, config.apiKeyRotationGraceMs);
  const organizations = new OrganizationService(db, clock);
  const sender = createInvitationSender(config.smtpUrl, config.smtpFrom, log);
  const nodes = new NodeService(db, feed, clock);
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
    history: new MetricHistoryService(db, batcher, nodes, clock, signals),
    nodeView: new ExecutorNodeView(db, batcher, clock, emitted),
    runtimeEvents: new RuntimeEventService(db, clock),
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
  };
}
