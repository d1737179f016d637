// The executor protocol over HTTP: /api/v1/executor/{sync,specs,observed,events}. Thin: authenticate,
// read and validate, call the services, answer JSON. Long-polls hold at most waitMs and end early when
// a spec for this executor changes.
// These four are Bun.serve routes of their own rather than Elysia routes: every executor calls them every
// few seconds (10,000 executors: ~3,400 requests a second), and Elysia's per-request context and hook
// pipeline was a measurable share of that CPU and garbage. They apply the same abuse guard and answer
// errors with the same envelope (errorToResponse) as everything Elysia serves.
import type { Server } from "bun";
import { badRequest, conflict } from "../../../lib/errors.ts";
import {
  compileValidator,
  EventsRequest,
  MAX_EXECUTOR_BODY_BYTES,
  MAX_SPEC_WAIT_MS,
  ObservedRequest,
  SpecsQuery,
  SyncRequest,
} from "../../../protocol/index.ts";
import { abuseVerdict } from "../abuse/guard.ts";
import { readJson } from "../http/body.ts";
import { errorToResponse } from "../http/errors.ts";
import type { ControlPlaneServices } from "../services.ts";

const syncValidator = compileValidator(SyncRequest);
const observedValidator = compileValidator(ObservedRequest);
const eventsValidator = compileValidator(EventsRequest);
const specsQueryValidator = compileValidator(SpecsQuery);

const PREFIX = "/api/v1/executor";

function parseSpecsQuery(url: URL): { cursor: number; waitMs: number } {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) raw[key] = /^\d{1,15}$/.test(value) ? Number(value) : value;
  if (!specsQueryValidator.check(raw))
    throw badRequest("invalid query parameters", specsQueryValidator.errors(raw));
  return { cursor: (raw.cursor as number | undefined) ?? 0, waitMs: (raw.waitMs as number | undefined) ?? 0 };
}

type Handler = (request: Request) => unknown;

/** Bun.serve `routes` for the executor protocol (merged into the Elysia server by app.ts). */
export function executorProtocolRoutes(s: ControlPlaneServices) {
  const route =
    (handler: Handler) =>
    async (request: Request, server: Server<unknown>): Promise<Response> => {
      try {
        return abuseVerdict(s, request, server) ?? Response.json(await handler(request));
      } catch (error) {
        return errorToResponse(error, "UNKNOWN", s.log);
      }
    };

  return {
    [`${PREFIX}/sync`]: {
      POST: route(async (request) => {
        const key = s.executorAuth.key(request);
        const body = await readJson(request, syncValidator, MAX_EXECUTOR_BODY_BYTES);
        return s.executors.sync(key.organizationId, key.id, body);
      }),
    },
    [`${PREFIX}/specs`]: {
      GET: route(async (request) => {
        const { executorId } = s.executorAuth.executor(request);
        const { cursor, waitMs } = parseSpecsQuery(new URL(request.url));
        if (s.executors.liveState(executorId)?.compat === "out-of-support") {
          throw conflict("this executor version is out of support: upgrade it to receive node specs", [
            { path: "/version", message: "upgrade the executor to the control plane's major version" },
          ]);
        }
        const first = s.nodeView.specsSince(executorId, cursor);
        if (first.specs.length > 0 || waitMs === 0) return first;
        const notified = await s.feed.wait(executorId, Math.min(waitMs, MAX_SPEC_WAIT_MS));
        return notified ? s.nodeView.specsSince(executorId, cursor) : first;
      }),
    },
    [`${PREFIX}/observed`]: {
      POST: route(async (request) => {
        const { executorId, executorName } = s.executorAuth.executor(request);
        const body = await readJson(request, observedValidator, MAX_EXECUTOR_BODY_BYTES);
        const ignored = s.nodeView.record({ id: executorId, name: executorName }, body.observations);
        return { accepted: body.observations.length - ignored.length, ignored };
      }),
    },
    [`${PREFIX}/events`]: {
      POST: route(async (request) => {
        const { key, executorId, executorName } = s.executorAuth.executor(request);
        const body = await readJson(request, eventsValidator, MAX_EXECUTOR_BODY_BYTES);
        const accepted = s.runtimeEvents.record(
          key.organizationId,
          { id: executorId, name: executorName },
          body.events,
        );
        return { accepted };
      }),
    },
  };
}
