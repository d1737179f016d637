// Checkpoints the SQLite WAL from a worker thread with its own connection, so that copying the WAL into
// the database file and its fsyncs never stall the event loop (with thousands of executors, SQLite's
// automatic checkpoint would run inside a request-serving commit every second or so and block for tens of
// milliseconds). A PASSIVE checkpoint takes no lock that readers or the writer wait for.
// While the worker runs, the main connection's automatic checkpoint is off; stop() turns it back on, and
// if the worker cannot start the automatic checkpoint simply stays on.
import type { Database } from "bun:sqlite";
import type { Logger } from "../lib/log.ts";

// Inline source so the worker travels inside the single `bun build --compile` binary without a second
// entry point. It only checkpoints: it never writes rows.
const WORKER_SOURCE = `
import { Database } from "bun:sqlite";
let db = null;
let closed = null;
self.onmessage = (event) => {
  const message = event.data;
  try {
    if (message.type === "open") {
      closed = message.closed;
      db = new Database(message.path, { readwrite: true, create: false });
      postMessage({ type: "ready" });
    } else if (message.type === "checkpoint" && db) {
      const result = db.query("PRAGMA wal_checkpoint(PASSIVE)").get();
      postMessage({ type: "checkpointed", result });
    } else if (message.type === "close") {
      db?.close();
      db = null;
      Atomics.store(closed, 0, 1);
      Atomics.notify(closed, 0);
    }
  } catch (error) {
    postMessage({ type: "error", message: String(error?.message ?? error) });
  }
};
`;

const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** SQLite's default wal_autocheckpoint, restored when the worker stops. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

export class WalCheckpointer {
  private worker: Worker | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** When the checkpoint in flight started (0: none). */
  private busySince = 0;
  private failed = false;
  /** Set to 1 by the worker once its connection is closed (stop() waits for it, briefly). */
  private closed = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    private readonly sqlite: Database,
    private readonly log: Logger,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    const path = this.sqlite.filename;
    if (this.worker || !path || path === ":memory:") return;
    let worker: Worker;
    try {
      const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" }));
      worker = new Worker(url);
    } catch (error) {
      this.log.warn("WAL checkpoint worker unavailable; SQLite checkpoints on the main thread", { error });
      return;
    }
    this.worker = worker;
    worker.onmessage = (event: MessageEvent<{ type: string; message?: string }>) => {
      const message = event.data;
      if (message.type === "ready" && this.worker === worker) {
        this.sqlite.exec("PRAGMA wal_autocheckpoint = 0");
        // A burst of user writes can grow the WAL while checkpoints can't catch up; once it starts over,
        // the file is cut back to this size instead of keeping its high-water mark on disk.
        this.sqlite.exec(`PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
        this.timer = setInterval(() => this.tick(), this.intervalMs);
        this.timer.unref?.();
      } else if (message.type === "checkpointed") {
        this.busySince = 0;
      } else if (message.type === "error") {
        this.busySince = 0;
        this.log.warn("WAL checkpoint failed; retrying at the next interval", { error: message.message });
      }
    };
    worker.onerror = (event) => {
      this.log.error("WAL checkpoint worker failed; SQLite checkpoints on the main thread again", {
        error: event.message,
      });
      this.failed = true;
      this.stop();
    };
    // A forgotten stop() must not keep the process alive (Bun workers can be unref-ed).
    (worker as Worker & { unref?: () => void }).unref?.();
    worker.postMessage({ type: "open", path, closed: this.closed });
  }

  /**
   * True while a checkpoint runs (for at most 5 s, in case the worker hangs). The WAL can only start over
   * from its beginning when a checkpoint has copied every frame before the next write, so the batched
   * writes pause meanwhile; without that pause a steady stream of heartbeats would grow the WAL forever.
   */
  get checkpointing(): boolean {
    return this.busySince > 0 && Date.now() - this.busySince < 5_000;
  }

  private tick(): void {
    if (this.checkpointing || !this.worker) return;
    this.busySince = Date.now();
    this.worker.postMessage({ type: "checkpoint" });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    // Back to SQLite's own checkpointing: the last connection to close checkpoints what is left, so the
    // worker closes its connection first (a checkpoint in progress finishes; waiting is bounded).
    this.sqlite.exec(`PRAGMA wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    if (!this.failed) {
      worker.postMessage({ type: "close" });
      Atomics.wait(this.closed, 0, 0, 2_000);
    }
    worker.terminate();
  }
}
