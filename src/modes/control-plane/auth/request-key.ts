// The API key a request presents (`Authorization: Bearer exc_…|nvp_…`), verified at most once per request:
// the abuse guard verifies it before routing and the executor routes need the same row again, so the
// result is remembered for that Request object (a WeakMap: it goes with the request).
import type { ApiKeyService, KeyPurpose, KeyRow } from "./api-keys.ts";

const verified = new WeakMap<Request, KeyRow | null>();

/** The bearer token of the Authorization header, if any. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (!header?.startsWith("Bearer ")) return null;
  const token = header.slice(7);
  return token.length > 0 && !/\s/.test(token) ? token : null;
}

/** The active key of `purpose` the request presents, or null (missing, unknown, inactive, other purpose). */
export function presentedKey(
  request: Request,
  keys: ApiKeyService,
  purpose: KeyPurpose,
  now: Date,
): KeyRow | null {
  if (verified.has(request)) {
    const row = verified.get(request) ?? null;
    return row?.purpose === purpose ? row : null;
  }
  const token = bearerToken(request);
  const row = token ? keys.verify(token, purpose, now) : null;
  verified.set(request, row);
  return row;
}
