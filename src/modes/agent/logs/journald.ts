// THE one module that spawns `journalctl`: a systemd unit's log for a live log session or `agent logs`.
// `journalctl -u <unit> -n <tail> -o json [-f]`; each entry's MESSAGE (a string, or bytes when it is not
// UTF-8), PRIORITY and __REALTIME_TIMESTAMP become a raw line. close() ends journalctl and waits for it, so
// no reader is left behind; under systemd, the agent's unit cgroup also takes any journalctl down with an
// agent that dies.
import type { LogTail, RawLogLine } from "../../../executor/logs.ts";

export interface JournalOptions {
  unitName: string;
  tail: number;
  follow: boolean;
}

const STOP_GRACE_MS = 2000;
const STDERR_KEPT_CHARS = 2000;

function message(value: unknown): string | null {
  if (typeof value === "string") return value;
  // journald gives a MESSAGE that is not valid UTF-8 as an array of byte values.
  if (Array.isArray(value) && value.every((b) => typeof b === "number"))
    return Buffer.from(value as number[]).toString("utf8");
  return null;
}

/** One `-o json` line → a raw line; null for anything else. */
export function journalEntry(json: string): RawLogLine | null {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return null;
  }
  const text = message(entry.MESSAGE);
  if (text === null) return null;
  const micros = Number(entry.__REALTIME_TIMESTAMP);
  const priority = Number(entry.PRIORITY);
  return {
    text,
    ...(Number.isFinite(micros) && micros > 0 ? { ts: new Date(micros / 1000).toISOString() } : {}),
    ...(Number.isInteger(priority) ? { priority } : {}),
  };
}

/** Calls onText with each decoded piece of the stream until it ends. */
async function readText(stream: ReadableStream<Uint8Array>, onText: (text: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    onText(decoder.decode(value, { stream: true }));
  }
}

export function tailJournal(options: JournalOptions, onLines: (lines: RawLogLine[]) => void): LogTail {
  const argv = [
    "journalctl",
    "--unit",
    `${options.unitName}.service`,
    "--lines",
    String(options.tail),
    "--output",
    "json",
    "--no-pager",
    ...(options.follow ? ["--follow"] : []),
  ];
  const child = Bun.spawn(argv, {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, SYSTEMD_COLORS: "0", SYSTEMD_PAGER: "", LC_ALL: "C" },
  });
  let closing = false;
  let stderr = "";
  readText(child.stderr, (text) => {
    if (stderr.length < STDERR_KEPT_CHARS) stderr += text;
  }).catch(() => undefined);
  let rest = "";
  const reading = readText(child.stdout, (text) => {
    const parts = (rest + text).split("\n");
    rest = parts.pop() ?? "";
    const lines = parts.flatMap((part) => journalEntry(part) ?? []);
    if (lines.length > 0 && !closing) onLines(lines);
  })
    .then(() => {
      const last = journalEntry(rest);
      if (last && !closing) onLines([last]);
    })
    .catch(() => undefined);
  const ended = (async () => {
    const code = await child.exited;
    await reading;
    if (options.follow) {
      return `journalctl stopped (exit ${code})${stderr.trim() ? `: ${stderr.trim().slice(0, 500)}` : ""}`;
    }
    return code === 0 ? "end of the log" : `journalctl failed (exit ${code}): ${stderr.trim().slice(0, 500)}`;
  })();
  let closed: Promise<void> | null = null;
  return {
    // Never resolves after close(): an ending we caused is no news.
    ended: ended.then((reason) => (closing ? new Promise<string>(() => {}) : reason)),
    close() {
      closed ??= (async () => {
        closing = true;
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
          await child.exited;
          clearTimeout(timer);
        }
        await reading;
      })();
      return closed;
    },
  };
}
