// POST /api/v1/invitations/preview {token}: what the /invite/<token> page shows a person who may not have
// an account yet — the organization, who invited them, the invited email and role, and whether the link
// still works. Public on purpose (the link is the credential, 256 random bits, and the answer repeats only
// what the invitation email says); the token travels in the body, not in a URL that proxies log. Always
// 200: an unknown link is an answer ("invalid"), not a failed request.
import { Elysia } from "elysia";
import type { ControlPlaneServices } from "../services.ts";

export function invitationRoutes(s: Pick<ControlPlaneServices, "invitations">) {
  return new Elysia().post("/api/v1/invitations/preview", ({ body }) => {
    const token = (body as { token?: unknown } | null)?.token;
    return Response.json(s.invitations.preview(token), { headers: { "cache-control": "no-store" } });
  });
}
