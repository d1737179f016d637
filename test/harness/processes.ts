// Small pieces the test harnesses share: collecting a child's output as lines, and writing an agent
// config file (rendered with smol-toml, so values are escaped properly).
import { stringify } from "smol-toml";

/** Reads a child's stdout/stderr as lines, calling onLine for each complete line. */
export function collectLines(
  stream: ReadableStream<Uint8Array> | number | undefined,
  onLine: (line: string) => void,
): void {
  if (!stream || typeof stream === "number") return;
  void (async () => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let nl = buffer.indexOf("\n");
      while (nl !== -1) {
        onLine(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf("\n");
      }
    }
    if (buffer) onLine(buffer);
  })();
}

export interface TestAgentConfig {
  name: string;
  dataDir: string;
  controlPlaneUrl: string;
  accessToken: string;
  /** More [agent] keys, verbatim (e.g. a retired one, to see the agent start anyway). */
  extraAgentKeys?: Record<string, string>;
  supervisor: { kind: "process" } | { kind: "systemd"; unitDir: string };
  /** `[reporter] interval_secs` (default 1 here). */
  reporterIntervalSecs?: number;
  /** `[metrics] listen`, when the agent's /metrics endpoint is wanted. */
  metricsListen?: string;
}

/** An agent.toml with short loop intervals: the long-poll makes spec pickup immediate anyway. */
export function agentConfigToml(c: TestAgentConfig): string {
  return stringify({
    agent: {
      name: c.name,
      data_dir: c.dataDir,
      ...c.extraAgentKeys,
    },
    control_plane: { url: c.controlPlaneUrl, access_token: c.accessToken },
    logging: { level: "debug" },
    reconciler: { interval_secs: 1 },
    reporter: { interval_secs: c.reporterIntervalSecs ?? 1, scrape_timeout_ms: 2000 },
    ...(c.metricsListen ? { metrics: { listen: c.metricsListen } } : {}),
    supervisor:
      c.supervisor.kind === "systemd"
        ? { kind: "systemd", unit_dir: c.supervisor.unitDir }
        : { kind: "process" },
  });
}
