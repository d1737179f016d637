// Live logs over HTTP. For people: GET /nodes/:id/logs/stream?role=&tail=&level= as server-sent events
// (session cookie from a trusted origin, or a personal access token; another organization's node is a 404
// exactly like a missing one). For executors: GET /api/v1/executor/log-sessions (the long-poll the reference
// calls pollExecutorLogSessions) and POST /api/v1/executor/log-sessions/:sessionId (a chunk of lines).
import { Elysia } from "elysia";
import { getAdapter } from "../../../adapters/registry.ts";
import { executorName } from "../../../db/queries/executors.ts";
import { findNode } from "../../../db/queries/nodes.ts";
import { badRequest, notFound, unauthenticated } from "../../../lib/errors.ts";
import { compileValidator } from "../../../protocol/index.ts";
import {
  DEFAULT_LOG_TAIL,
  isLogLevel,
  LOG_LEVELS,
  LogChunkRequest,
  type LogLevel,
  LogSessionsQuery,
  MAX_LOG_CHUNK_BYTES,
  MAX_LOG_TAIL,
} from "../../../protocol/logs.ts";
import { readJson } from "../http/body.ts";
import { csrfRefusal } from "../http/csrf.ts";
import type { ControlPlaneServices } from "../services.ts";
import { SseLogStream } from "./sse.ts";

const chunkValidator = compileValidator(LogChunkRequest);
const pollQueryValidator = compileValidator(LogSessionsQuery);
const STREAM_PARAMS = new Set(["role", "tail", "level"]);

export interface StreamParams {
  role: string;
  tail: number;
  level: LogLevel;
}

/** The stream's query, checked against the node's roles: every problem at once, each naming the fix. */
export function parseStreamParams(query: URLSearchParams, roles: readonly string[]): StreamParams {
  const details: { path: string; message: string }[] = [];
  for (const key of new Set(query.keys())) {
    if (!STREAM_PARAMS.has(key))
      details.push({ path: `/query/${key}`, message: "unknown parameter: use role, tail and level only" });
  }
  const rawRole = query.get("role");
  let role = rawRole ?? roles[0] ?? "";
  if (rawRole === null && roles.length > 1) {
    details.push({ path: "/query/role", message: `choose a role: ${roles.join(", ")}` });
  } else if (!roles.includes(role)) {
    details.push({
      path: "/query/role",
      message: `this node has no role ${JSON.stringify(role)}: use ${roles.join(" or ")}`,
    });
    role = "";
  }
  const rawTail = query.get("tail");
  const tail = rawTail === null ? DEFAULT_LOG_TAIL : /^\d{1,7}$/.test(rawTail) ? Number(rawTail) : Number.NaN;
  if (!(tail >= 1 && tail <= MAX_LOG_TAIL)) {
    details.push({
      path: "/query/tail",
      message: `use a whole number of lines from 1 to ${MAX_LOG_TAIL} (default ${DEFAULT_LOG_TAIL})`,
    });
  }
  const level = query.get("level") ?? "info";
  if (!isLogLevel(level))
    details.push({ path: "/query/level", message: `use ${LOG_LEVELS.join(", ")} (default info)` });
  if (details.length > 0) {
    throw badRequest(`invalid log stream parameters: ${details.map((d) => d.path).join(", ")}`, details);
  }
  return { role, tail, level: level as LogLevel };
}

function pollQuery(url: URL): { held: Set<string>; waitMs: number } {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) raw[key] = /^\d{1,15}$/.test(value) ? Number(value) : value;
  if (typeof raw.held === "number") raw.held = String(raw.held);
  if (!pollQueryValidator.check(raw))
    throw badRequest("invalid query parameters", pollQueryValidator.errors(raw));
  const held = new Set((raw.held ?? "").split(",").filter(Boolean));
  return { held, waitMs: raw.waitMs ?? 0 };
}

export function logRoutes(s: ControlPlaneServices) {
  const trusted = s.config.trustedOrigins;
  return new Elysia()
    .get("/nodes/:id/logs/stream", async ({ request, params }) => {
      const refusal = csrfRefusal(request, trusted);
      if (refusal) throw refusal;
      const p = await s.principals.resolve(request);
      if (p.kind !== "user") throw unauthenticated("sign in or send a personal access token");
      const inOrg = p.organizationId !== null && (p.role !== null || p.systemAdmin);
      // Outside an organization, and for another organization's node, the same answer as for no node.
      const node = inOrg ? findNode(s.db, p.organizationId!, params.id) : null;
      if (!node || node.deletedAt) throw notFound(`node ${params.id} not found`);
      const adapter = getAdapter(node.spec.chain);
      const roles = adapter ? adapter.capability().roles.map((r) => r.role) : Object.keys(node.spec.clients);
      const { role, tail, level } = parseStreamParams(new URL(request.url).searchParams, roles);
      const name = executorName(s.db, node.executorId) ?? node.executorId;
      let sessionId: string | null = null;
      const stream = new SseLogStream(() => {
        if (sessionId) s.logs.close(sessionId);
      });
      sessionId = s.logs.open(
        {
          organizationId: node.organizationId,
          executorId: node.executorId,
          executorName: name,
          nodeId: node.id,
          nodeName: node.name,
          role,
          client: node.spec.clients[role]?.name ?? "",
          tail,
          level,
        },
        stream,
      );
      request.signal.addEventListener("abort", () => stream.gone(), { once: true });
      const live = s.executors.liveState(node.executorId);
      const online = live !== null && Date.now() - live.lastSyncAt < s.config.heartbeatTimeoutMs;
      stream.status(
        "waiting",
        `waiting for executor ${name} to start tailing ${role}${online ? "" : " (it is offline)"}`,
      );
      return new Response(stream.body, {
        headers: {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-store",
          "x-accel-buffering": "no",
        },
      });
    })
    .get("/api/v1/executor/log-sessions", async ({ request }) => {
      const { executorId } = s.executorAuth.executor(request);
      const { held, waitMs } = pollQuery(new URL(request.url));
      return { sessions: await s.logs.poll(executorId, held, waitMs) };
    })
    .post(
      "/api/v1/executor/log-sessions/:sessionId",
      async ({ request, params }) => {
        const { executorId } = s.executorAuth.executor(request);
        const body = await readJson(request, chunkValidator, MAX_LOG_CHUNK_BYTES);
        return { open: s.logs.post(executorId, params.sessionId, body) };
      },
      { parse: "none" },
    );
}
