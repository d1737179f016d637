// The UI's live layer: one GraphQL subscription (`Subscription.changes`, server-sent events over a POST to
// /graphql, so the cookie goes as JSON like every query's) for the whole signed-in app. Each change is
// written into the TanStack Query cache where it is shown (api/live-cache.ts), so screens keep their plain
// queries and poll nothing. When the stream drops, the status turns "disconnected", it reconnects with
// backoff, and on every (re)connection the active queries are refetched, which catches up whatever happened
// meanwhile. Other features can react to changes too (onLiveChange).
import type { QueryClient } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";
import { ApiError, graphql } from "./graphql.ts";
import { type CacheChange, LiveCache } from "./live-cache.ts";
import type { LiveNode } from "./node-detail.ts";
import { NODE_FIELDS } from "./node-detail.ts";

export interface LiveExecutor {
  id: string;
  name: string;
  kind: string;
  status: "online" | "offline";
  currentVersion: string;
  compat: string;
  lastSyncAt: string;
}
export interface LiveEvent {
  id: string;
  type: string;
  level: "info" | "warn" | "error";
  message: string;
  executorId: string | null;
  nodeId: string | null;
  createdAt: string;
}
export interface LiveChange {
  resync: boolean;
  executor: LiveExecutor | null;
  node: LiveNode | null;
  event: LiveEvent | null;
}

export const CHANGES = graphql<{ changes: LiveChange }>(
  `subscription Changes {
    changes {
      resync
      executor { id name kind status currentVersion compat lastSyncAt }
      node { ${NODE_FIELDS} }
      event { id type level message executorId nodeId createdAt }
    }
  }`,
);

export type LiveStatus = "connecting" | "live" | "disconnected";

/** Bytes arrive at least every 12 s (the server's keep-alive); silence past this means a dead connection. */
const SILENCE_MS = 30_000;
const RETRY_MS = [500, 1_000, 2_000, 4_000, 5_000];

let status: LiveStatus = "connecting";
const statusListeners = new Set<() => void>();
const changeListeners = new Set<(change: LiveChange) => void>();

function setStatus(next: LiveStatus): void {
  if (status === next) return;
  status = next;
  for (const listener of statusListeners) listener();
}

export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    (listener) => {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    () => status,
  );
}

/** For features that react to changes beyond the cache (a bell, a toast): returns the unsubscribe. */
export function onLiveChange(listener: (change: LiveChange) => void): () => void {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}

// ---- The stream ----

/** Reads server-sent events off the response: calls `onResult` per `next`, returns at `complete` or EOF. */
async function readEvents(response: Response, onResult: (data: string) => void, watchdog: () => void) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    watchdog();
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf("\n\n");
      if (/^event: complete$/m.test(frame)) return;
      const data = frame
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart())
        .join("\n");
      if (/^event: next$/m.test(frame) && data) onResult(data);
    }
  }
}

interface Result {
  data?: { changes: LiveChange } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function connectOnce(
  client: QueryClient,
  cache: LiveCache,
  abort: AbortController,
  connected: () => void,
): Promise<void> {
  let silence: ReturnType<typeof setTimeout> | undefined;
  const watchdog = () => {
    clearTimeout(silence);
    silence = setTimeout(() => abort.abort(), SILENCE_MS);
  };
  try {
    watchdog();
    const response = await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query: CHANGES, variables: {} }),
      signal: abort.signal,
    });
    if (!response.ok || !response.headers.get("content-type")?.startsWith("text/event-stream")) {
      throw new ApiError(`the live stream answered HTTP ${response.status}`, "http_error");
    }
    setStatus("live");
    connected();
    // Catch up: whatever changed before this stream (or while it was down) is refetched.
    void client.invalidateQueries();
    await readEvents(
      response,
      (data) => {
        const result = JSON.parse(data) as Result;
        const error = result.errors?.[0];
        if (error) throw new ApiError(error.message, error.extensions?.code ?? "error");
        const change = result.data?.changes;
        if (!change) return;
        cache.add(change as unknown as CacheChange);
        for (const listener of changeListeners) listener(change);
      },
      watchdog,
    );
  } finally {
    clearTimeout(silence);
  }
}

/** Runs the stream until `stop` aborts it; reconnects after any drop. */
async function run(client: QueryClient, stop: AbortSignal): Promise<void> {
  const cache = new LiveCache(client);
  let attempt = 0;
  while (!stop.aborted) {
    const abort = new AbortController();
    const forward = () => abort.abort();
    stop.addEventListener("abort", forward, { once: true });
    try {
      await connectOnce(client, cache, abort, () => {
        attempt = 0;
      });
    } catch (error) {
      if (error instanceof ApiError && error.code === "unauthenticated") {
        window.location.assign(`/sign-in?next=${encodeURIComponent(window.location.pathname)}`);
        return;
      }
    } finally {
      stop.removeEventListener("abort", forward);
      abort.abort();
      cache.clear();
    }
    if (stop.aborted) return;
    setStatus("disconnected");
    const wait = RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)];
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Keeps the live stream open while the calling component (the signed-in shell) is mounted. */
export function useLiveUpdates(client: QueryClient): LiveStatus {
  useEffect(() => {
    const stop = new AbortController();
    setStatus("connecting");
    void run(client, stop.signal);
    return () => stop.abort();
  }, [client]);
  return useLiveStatus();
}
