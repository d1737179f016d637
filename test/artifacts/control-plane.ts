// A real control plane run in this process, so a test can give it the client catalog's lookup (which
// upstream URL serves a sha256) as a plain map, plus an executor key to call the artifact route with.
import { createLogger } from "../../src/lib/log.ts";
import type { ArtifactSource } from "../../src/modes/control-plane/artifacts/fetcher.ts";
import { loadControlPlaneConfig } from "../../src/modes/control-plane/config.ts";
import { type RunningControlPlane, startControlPlane } from "../../src/modes/control-plane/server.ts";
import { testDir } from "../harness/control-plane.ts";

const EMAIL = "admin@novacula.test";
const PASSWORD = "test-password-0123";
export const METRICS_TOKEN = "artifact-metrics-token-0123456789";

export interface ArtifactControlPlane {
  cp: RunningControlPlane;
  dataDir: string;
  /** sha256 → upstream file: what the client catalog would answer. */
  catalog: Map<string, ArtifactSource>;
  key: string;
  /** GET /api/v1/executor/artifacts/<sha256> with the executor key. */
  get(sha256: string, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

export async function startArtifactControlPlane(name: string): Promise<ArtifactControlPlane> {
  const dataDir = testDir(name);
  const catalog = new Map<string, ArtifactSource>();
  const config = loadControlPlaneConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    NOVACULA_DATA_DIR: dataDir,
    INITIAL_ADMIN_EMAIL: EMAIL,
    INITIAL_ADMIN_PASSWORD: PASSWORD,
    METRICS_TOKEN,
  });
  const cp = await startControlPlane(config, {
    log: createLogger({ level: "error" }),
    artifactLookup: (sha256) => catalog.get(sha256) ?? null,
  });
  const signIn = await fetch(`${cp.url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  const cookie = signIn.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const created = await fetch(`${cp.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ query: `mutation { createApiKey(input: { name: "artifact-host" }) { key } }` }),
  });
  const key = ((await created.json()) as { data: { createApiKey: { key: string } } }).data.createApiKey.key;
  return {
    cp,
    dataDir,
    catalog,
    key,
    get: (sha256, headers = {}) =>
      fetch(`${cp.url}/api/v1/executor/artifacts/${sha256}`, {
        headers: { authorization: `Bearer ${key}`, ...headers },
      }),
    stop: () => cp.stop(),
  };
}
