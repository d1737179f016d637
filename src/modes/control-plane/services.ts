// The composition root of the control plane: opens the database and wires every service once.
import type { Db } from "../../db/client.ts";
import type { Clock } from "../../lib/clock.ts";
import type { Logger } from "../../lib/log.ts";
import { ApiKeyService } from "./auth/api-keys.ts";
import type { Auth } from "./auth/better-auth.ts";
import { ExecutorAuth } from "./auth/executor-auth.ts";
import { PrincipalResolver } from "./auth/principal.ts";
import type { ControlPlaneConfig } from "./config.ts";
import { RuntimeEventService } from "./events/runtime.ts";
import { ExecutorService } from "./executors/service.ts";
import { WriteBatcher } from "./http/write-batcher.ts";
import { ChangeFeed } from "./nodes/change-feed.ts";
import { ExecutorNodeView } from "./nodes/executor-view.ts";
import { NodeService } from "./nodes/service.ts";

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
  nodes: NodeService;
  nodeView: ExecutorNodeView;
  runtimeEvents: RuntimeEventService;
}

export function createServices(config: ControlPlaneConfig, db: Db, auth: Auth, log: Logger, clock: Clock): ControlPlaneServices {
  const batcher = new WriteBatcher(db, log);
  const keys = new ApiKeyService(db);
  const feed = new ChangeFeed();
  return {
    config,
    db,
    auth,
    log,
    clock,
    batcher,
    keys,
    executorAuth: new ExecutorAuth(db, keys, clock),
    principals: new PrincipalResolver(db, auth, keys, clock),
    executors: new ExecutorService(db, batcher, clock, config.heartbeatTimeoutMs),
    feed,
    nodes: new NodeService(db, feed, clock),
    nodeView: new ExecutorNodeView(db, batcher, clock),
    runtimeEvents: new RuntimeEventService(db, clock),
  };
}
