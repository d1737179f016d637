// Who performs a tenancy write: the organization it is scoped to, the acting user's roles (for the
// authorization policy) and the audit identity. Built from the request's principal by the API layer;
// services never see a request.

import type { Actor, RequestMeta } from "../audit/service.ts";
import type { OrgRole } from "../auth/principal.ts";

export interface TenantCaller {
  organizationId: string;
  userId: string;
  role: OrgRole | null;
  systemAdmin: boolean;
  /** The session making the call; null for a personal access token. */
  sessionId: string | null;
  actor: Actor;
  meta: RequestMeta;
}

/** The actor of writes nobody asked for (grace-window revocations, expiry sweeps). */
export const SYSTEM_ACTOR: Actor = { id: "system", name: "Novacula", email: "" };
export const SYSTEM_META: RequestMeta = { ipAddress: null, userAgent: null, source: "system" };
