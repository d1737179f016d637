// The control plane under benchmark: starts the compiled binary on a fresh data directory, keeps its log
// in a file (counting error lines), and speaks to it as a user does: sign-in, GraphQL keys and node
// writes, batched into aliased documents so setting up thousands of nodes stays quick.
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";

export const ADMIN_EMAIL = "bench@novacula.test";
const ADMIN_PASSWORD = "bench-password-0123";

export interface BenchControlPlane {
  url: string;
  pid: number;
  logPath: string;
  /** Log lines at level error (a batched write failing, a 500): each one is a finding. */
  errorLines: string[];
  stop(): Promise<number>;
}

/** `command` is the binary (or `bun --cpu-prof-md src/main.ts` when profiling), without `control-plane`. */
export async function startControlPlane(
  command: string[],
  dataDir: string,
  extraEnv: Record<string, string> = {},
): Promise<BenchControlPlane> {
  mkdirSync(dataDir, { recursive: true });
  const logPath = join(dataDir, "control-plane.log");
  const log = createWriteStream(logPath);
  const errorLines: string[] = [];
  const proc: Subprocess<"ignore", "pipe", "pipe"> = Bun.spawn([...command, "control-plane"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      PORT: "0",
      NOVACULA_DATA_DIR: dataDir,
      INITIAL_ADMIN_EMAIL: ADMIN_EMAIL,
      INITIAL_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: "info",
      NODE_ENV: "production",
      // Required in production; the benchmark reaches the server on loopback and sends no browser origin.
      BETTER_AUTH_URL: "http://127.0.0.1",
      ...extraEnv,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const ready = Promise.withResolvers<string>();
  for (const stream of [proc.stdout, proc.stderr]) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      const reader = stream.getReader();
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        log.write(chunk);
        buffer += decoder.decode(chunk);
        let nl = buffer.indexOf("\n");
        while (nl !== -1) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.includes('"level":"error"') && errorLines.length < 100) errorLines.push(line);
          const match = /"msg":"control plane listening","url":"http:\/\/[^:]+:(\d+)"/.exec(line);
          if (match) ready.resolve(match[1]!);
          nl = buffer.indexOf("\n");
        }
      }
    })();
  }
  const timeout = setTimeout(
    () => ready.reject(new Error("the control plane did not start in 30 s")),
    30_000,
  );
  void proc.exited.then((code) =>
    ready.reject(new Error(`the control plane exited with ${code}; see ${logPath}`)),
  );
  const port = await ready.promise;
  clearTimeout(timeout);
  return {
    url: `http://127.0.0.1:${port}`,
    pid: proc.pid,
    logPath,
    errorLines,
    async stop() {
      proc.kill("SIGTERM");
      const code = await Promise.race([proc.exited, Bun.sleep(15_000).then(() => null)]);
      if (code === null) proc.kill("SIGKILL");
      log.end();
      return code ?? (await proc.exited);
    },
  };
}

export async function signIn(url: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  if (!response.ok) throw new Error(`sign-in answered ${response.status}: ${await response.text()}`);
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

interface GqlResponse {
  data: Record<string, unknown> | null;
  errors?: { message: string }[];
}

export async function gql(url: string, cookie: string, query: string, variables = {}): Promise<GqlResponse> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GqlResponse;
  if (!response.ok || body.errors?.length) {
    throw new Error(`GraphQL answered ${response.status}: ${JSON.stringify(body.errors).slice(0, 400)}`);
  }
  return body;
}

export const DEVNET_SPEC = {
  chain: "devnet",
  network: "local",
  nodeType: "full",
  clients: { node: { name: "anvil", version: "1.7.1" } },
};

/**
 * Runs one aliased GraphQL mutation per item, `batch` per document and `concurrency` documents at a
 * time; calls onAck with each document's items and the moment its answer arrived.
 */
export async function batchedMutations<T>(
  url: string,
  cookie: string,
  items: T[],
  render: (item: T, alias: string) => string,
  options: {
    batch: number;
    concurrency: number;
    /** Variable declarations and values shared by every document, e.g. `$spec: JSON!`. */
    variables?: { declarations: string; values: Record<string, unknown> };
    onAck?: (items: T[], data: Record<string, unknown>) => void;
    /** Checked before each document: true stops sending (a time bound). */
    stop?: () => boolean;
    /**
     * Called instead of failing when a document passed the GraphQL time budget (a busy machine): some of
     * its writes may have landed, so only the caller knows how to finish the chunk safely.
     */
    overBudget?: (items: T[]) => Promise<void>;
  },
): Promise<void> {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += options.batch) chunks.push(items.slice(i, i + options.batch));
  let next = 0;
  const lanes = Array.from({ length: Math.min(options.concurrency, chunks.length) }, async () => {
    while (next < chunks.length && !options.stop?.()) {
      const chunk = chunks[next++]!;
      const declarations = options.variables ? `(${options.variables.declarations})` : "";
      const fields = chunk.map((item, i) => render(item, `m${i}`)).join("\n");
      const result = await gql(
        url,
        cookie,
        `mutation${declarations} { ${fields} }`,
        options.variables?.values,
      ).catch((error: Error) => {
        if (!options.overBudget || !error.message.includes("query_too_complex")) throw error;
        return null;
      });
      if (result) options.onAck?.(chunk, result.data!);
      else await options.overBudget!(chunk);
    }
  });
  await Promise.all(lanes);
}
