// Cross-site request forgery guard for cookie-authenticated requests. A browser attaches the session
// cookie to any request to us, even one a foreign page makes; what it can't do without a CORS preflight
// (which only trusted origins pass) is send a JSON body or name a foreign origin we'd accept. So a request
// that carries cookies and no bearer token must come from a trusted origin (when the browser says where
// from) and, unless it is a read-only GET/HEAD/OPTIONS, be application/json. Bearer tokens are not ambient
// credentials: those requests pass untouched, from any origin.
import { AppError, forbidden } from "../../../lib/errors.ts";
import { bearerToken } from "../auth/request-key.ts";

const JSON_TYPE = /^application\/(graphql-response\+)?json\s*(;|$)/i;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The reason to refuse this request, or null when it may proceed. */
export function csrfRefusal(request: Request, trusted: readonly string[]): AppError | null {
  // The same reading of the header as authentication's: a token it would not accept is no reason to skip.
  if (!request.headers.has("cookie") || bearerToken(request) !== null) return null;
  const origin = request.headers.get("origin");
  if (origin !== null && !trusted.includes(origin)) {
    return forbidden(
      `requests with a session cookie are accepted only from ${trusted[0]} (the origin ${origin} is not trusted; set BETTER_AUTH_URL to the address people use)`,
    );
  }
  if (SAFE_METHODS.has(request.method)) return null;
  if (JSON_TYPE.test(request.headers.get("content-type") ?? "")) return null;
  return new AppError("bad_request", "requests with a session cookie must send a JSON body", 415, [
    { path: "/content-type", message: "send content-type: application/json (or use an API token)" },
  ]);
}
