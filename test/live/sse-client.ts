// Test client for GraphQL subscriptions over server-sent events, as any HTTP client would open one: POST
// /graphql with `accept: text/event-stream`, then read `event: next` frames off the response body. It keeps
// every result it read, and `close()` drops the connection the way a closed tab does.
import type { ControlPlaneHandle } from "../harness/control-plane.ts";

export interface Credentials {
  cookie?: string;
  token?: string;
  origin?: string;
}

export interface SubscriptionResult {
  data?: any;
  errors?: {
    message: string;
    extensions?: { code?: string; details?: { path: string; message: string }[] };
  }[];
}

export interface OpenSubscription {
  status: number;
  /** Every `next` result read so far, in order. */
  results: SubscriptionResult[];
  /** Resolves when the server completes the stream or the connection ends. */
  ended: Promise<void>;
  close(): void;
}

export async function subscribe(
  cp: ControlPlaneHandle,
  query: string,
  credentials: Credentials = {},
  variables: Record<string, unknown> = {},
): Promise<OpenSubscription> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "text/event-stream",
  };
  if (credentials.cookie) headers.cookie = credentials.cookie;
  if (credentials.token) headers.authorization = `Bearer ${credentials.token}`;
  if (credentials.origin) headers.origin = credentials.origin;
  const abort = new AbortController();
  const response = await fetch(`${cp.url}/graphql`, {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const results: SubscriptionResult[] = [];
  const ended = (async () => {
    if (!response.headers.get("content-type")?.startsWith("text/event-stream")) {
      const text = await response.text();
      const body = JSON.parse(text || "{}");
      cp.leakWatch.response(text);
      results.push(body);
      return;
    }
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame
            .split("\n")
            .filter((l) => l.startsWith("data:"))
            .map((l) => l.slice(5).trimStart())
            .join("\n");
          if (/^event: next$/m.test(frame) && data) {
            cp.leakWatch.response(data);
            results.push(JSON.parse(data));
          }
          end = buffer.indexOf("\n\n");
        }
      }
    } catch {
      // Closed by us (abort) or by the server going away.
    }
  })();
  return { status: response.status, results, ended, close: () => abort.abort() };
}

/** The changes a `changes` subscription delivered, as plain objects. */
export function changesOf(s: OpenSubscription): any[] {
  return s.results.map((r) => r.data?.changes).filter((c) => c);
}
