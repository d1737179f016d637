// The origins the control plane trusts with a browser's credentials: its public URL (BETTER_AUTH_URL, or
// the local URL it derives from PORT) and, when that URL is on loopback, the same port under the other
// loopback name, so a browser at http://127.0.0.1:3000 and one at http://localhost:3000 both work. CORS
// (GraphQL), the cookie-request origin check and better-auth's trusted origins all ask this one function.
import type { ControlPlaneConfig } from "../config.ts";

const LOOPBACK_ALIASES: Record<string, string[]> = {
  localhost: ["127.0.0.1", "[::1]"],
  "127.0.0.1": ["localhost", "[::1]"],
  "[::1]": ["localhost", "127.0.0.1"],
};

export function trustedOrigins(config: Pick<ControlPlaneConfig, "publicUrl">): string[] {
  const url = new URL(config.publicUrl);
  const port = url.port ? `:${url.port}` : "";
  const aliases = LOOPBACK_ALIASES[url.hostname] ?? [];
  return [url.origin, ...aliases.map((host) => `${url.protocol}//${host}${port}`)];
}
