// The executor protocol over HTTP: /api/v1/executor/{sync,specs,observed,events}. Thin: authenticate,
// read and validate, call the services, answer JSON. Long-polls hold at most waitMs and end early when
// a spec for this executor changes.
import { Elysia } from "elysia";
import { badRequest, conflict } from "../../../lib/errors.ts";
import {
  compileValidator,
  EventsRequest,
  MAX_EXECUTOR_BODY_BYTES,
  MAX_SPEC_WAIT_MS,
  ObservedRequest,
  SpecsQuery,
  type SpecsResponse,
  SyncRequest,
} from "../../../protocol/index.ts";
import { readJson } from "../http/body.ts";
import type { ControlPlaneServices } from "../services.ts";

const syncValidator = compileValidator(SyncRequest);
const observedValidator = compileValidator(ObservedRequest);
const eventsValidator = compileValidator(EventsRequest);
const specsQueryValidator = compileValidator(SpecsQuery);

function parseSpecsQuery(url: URL): { cursor: number; waitMs: number } {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) raw[key] = /^\d{1,15}$/.test(value) ? Number(value) : value;
  if (!specsQueryValidator.check(raw))
    throw badRequest("invalid query parameters", specsQueryValidator.errors(raw));
  return { cursor: (raw.cursor as number | undefined) ?? 0, waitMs: (raw.waitMs as number | undefined) ?? 0 };
}

function withArtifacts(s: ControlPlaneServices, response: SpecsResponse, executorId: string): SpecsResponse {
  if (response.specs.length === 0) return response;
  const platform = s.executors.platform(executorId);
  for (const assigned of response.specs) {
    if (!assigned.spec) continue;
    const artifacts = s.catalog.artifactsFor(assigned.spec, platform);
    if (artifacts) assigned.artifacts = artifacts;
  }
  return response;
}

export function executorRoutes(s: ControlPlaneServices) {
  return new Elysia({ prefix: "/api/v1/executor" })
    .post(
      "/sync",
      async ({ request }) => {
        const key = s.executorAuth.key(request);
        const body = await readJson(request, syncValidator, MAX_EXECUTOR_BODY_BYTES);
        return s.executors.sync(key.organizationId, key.id, body);
      },
      { parse: "none" },
    )
    .get("/specs", ({ request }) => {
      const { executorId } = s.executorAuth.executor(request);
      const { cursor, waitMs } = parseSpecsQuery(new URL(request.url));
      if (s.executors.liveState(executorId)?.compat === "out-of-support") {
        throw conflict("this executor version is out of support: upgrade it to receive node specs", [
          { path: "/version", message: "upgrade the executor to the control plane's major version" },
        ]);
      }
      // Each spec carries its clients' files, resolved from the catalog for this executor's platform.
      const specs = () => withArtifacts(s, s.nodeView.specsSince(executorId, cursor), executorId);
      const first = specs();
      if (first.specs.length > 0 || waitMs === 0) return first;
      // Not an async function: a held poll keeps this one closure and promise, not a suspended frame as
      // well (10,000 executors hold one each, and every full collection walks them all).
      return s.feed
        .wait(executorId, Math.min(waitMs, MAX_SPEC_WAIT_MS))
        .then((notified) => (notified ? specs() : first));
    })
    .post(
      "/observed",
      async ({ request }) => {
        const { executorId, executorName } = s.executorAuth.executor(request);
        const body = await readJson(request, observedValidator, MAX_EXECUTOR_BODY_BYTES);
        const ignored = s.nodeView.record({ id: executorId, name: executorName }, body.observations);
        return { accepted: body.observations.length - ignored.length, ignored };
      },
      { parse: "none" },
    )
    .post(
      "/events",
      async ({ request }) => {
        const { key, executorId, executorName } = s.executorAuth.executor(request);
        const body = await readJson(request, eventsValidator, MAX_EXECUTOR_BODY_BYTES);
        const accepted = s.runtimeEvents.record(
          key.organizationId,
          { id: executorId, name: executorName },
          body.events,
        );
        s.executors.upgradeEvents(executorId, body.events);
        return { accepted };
      },
      { parse: "none" },
    );
}
