// GET /api/v1/audit/export.csv: the audit log as CSV with the reference's columns and file name, under the
// same filters (query parameters) and role-based visibility as the auditActions query. Streams in pages.
import { Elysia } from "elysia";
import { unauthenticated } from "../../../lib/errors.ts";
import type { ControlPlaneServices } from "../services.ts";
import { type AuditFilter, allAudit, CSV_COLUMNS, csvFileName, csvRow } from "./query.ts";

function date(raw: string | null): Date | null {
  if (!raw) return null;
  const d = new Date(raw);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function filterFromQuery(params: URLSearchParams): AuditFilter {
  const actions = params
    .getAll("action")
    .flatMap((a) => a.split(","))
    .filter(Boolean);
  return {
    actions: actions.length > 0 ? actions : null,
    actor: params.get("actor"),
    targetKind: params.get("targetKind"),
    targetId: params.get("targetId"),
    from: date(params.get("from")),
    to: date(params.get("to")),
    allOrganizations: params.get("allOrganizations") === "true",
  };
}

export function auditRoutes(s: ControlPlaneServices) {
  return new Elysia().get("/api/v1/audit/export.csv", async ({ request }) => {
    const p = await s.principals.resolve(request);
    if (p.kind !== "user") throw unauthenticated("sign in or send a personal access token");
    const filter = filterFromQuery(new URL(request.url).searchParams);
    const inOrg = p.organizationId !== null && (p.role !== null || p.systemAdmin);
    const encoder = new TextEncoder();
    const rows =
      inOrg && p.organizationId
        ? allAudit(
            s.db,
            { organizationId: p.organizationId, userId: p.userId, role: p.role, systemAdmin: p.systemAdmin },
            filter,
          )
        : [][Symbol.iterator]();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(`${CSV_COLUMNS.join(",")}\r\n`));
      },
      pull(controller) {
        // 500 rows per pull: bounded memory for a large log.
        for (let i = 0; i < 500; i++) {
          const next = rows.next();
          if (next.done) {
            controller.close();
            return;
          }
          controller.enqueue(encoder.encode(`${csvRow(next.value)}\r\n`));
        }
      },
    });
    return new Response(body, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${csvFileName(s.clock.now())}"`,
        "cache-control": "no-store",
      },
    });
  });
}
