// Test support: a real server-sent events reader of /nodes/:id/logs/stream over fetch, recording every event
// with the time it arrived, and closing the connection the way a browser tab does (abort).
import { performance } from "node:perf_hooks";

export interface SeenLine {
  ts?: string;
  level: string;
  text: string;
  marker?: boolean;
  /** performance.now() when the line arrived. */
  at: number;
}

export interface LogStream {
  status: number;
  /** The answer's body when it was not a stream (errors). */
  body: string;
  contentType: string | null;
  events: { event: string; data: unknown }[];
  lines: SeenLine[];
  /** True once the server closed the stream. */
  done: boolean;
  close(): void;
}

export async function openLogStream(url: string, headers: Record<string, string> = {}): Promise<LogStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { accept: "text/event-stream", ...headers },
    signal: abort.signal,
  });
  const stream: LogStream = {
    status: response.status,
    body: "",
    contentType: response.headers.get("content-type"),
    events: [],
    lines: [],
    done: false,
    close: () => abort.abort(),
  };
  if (response.status !== 200 || !response.body) {
    stream.body = await response.text();
    stream.done = true;
    return stream;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    let buffer = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
          let event = "message";
          let data = "";
          for (const line of frame.split("\n")) {
            if (line.startsWith("event: ")) event = line.slice(7);
            else if (line.startsWith("data: ")) data += line.slice(6);
          }
          if (!data) continue; // a keep-alive comment
          const parsed = JSON.parse(data) as unknown;
          stream.events.push({ event, data: parsed });
          if (event === "lines") {
            const at = performance.now();
            for (const line of parsed as Omit<SeenLine, "at">[]) stream.lines.push({ ...line, at });
          }
        }
      }
    } catch {
      // Aborted by close().
    }
    stream.done = true;
  })();
  return stream;
}
