// The write paths behind high-rate executor traffic, on a real SQLite file: batched writes coalesce per
// key and survive a failing neighbour, the WAL is checkpointed by the worker (SQLite's own checkpoint is
// off meanwhile and back on after stop), and group commits answer each caller after one shared commit.
import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { type Db, openDatabase } from "../../src/db/client.ts";
import { GroupCommitter } from "../../src/db/group-commit.ts";
import { WriteBatcher } from "../../src/db/write-batcher.ts";
import { eventually } from "../../src/lib/eventually.ts";
import { createLogger } from "../../src/lib/log.ts";
import { testDir } from "../harness/control-plane.ts";

const log = createLogger({ level: "error", write: () => {} });
let db: Db | null = null;
let batcher: WriteBatcher | null = null;

function open(): Db {
  db = openDatabase(join(testDir("batcher"), "cp.db"));
  db.sqlite.exec("CREATE TABLE scratch (id INTEGER PRIMARY KEY, value TEXT NOT NULL)");
  return db;
}

afterEach(() => {
  batcher?.stop();
  batcher = null;
  db?.close();
  db = null;
});

const autocheckpoint = (d: Db) =>
  d.sqlite.query<{ wal_autocheckpoint: number }, []>("PRAGMA wal_autocheckpoint").get()!.wal_autocheckpoint;

test("batched writes keep the newest per key, and one failing write doesn't drop the rest", () => {
  const d = open();
  batcher = new WriteBatcher(d, log);
  const put = d.sqlite.prepare("INSERT OR REPLACE INTO scratch (id, value) VALUES (?, ?)");
  for (let i = 0; i < 500; i++) batcher.put(`row:${i % 250}`, () => void put.run(i % 250, `v${i}`));
  batcher.put("bad", () => void d.sqlite.prepare("INSERT INTO scratch (id, value) VALUES (1, NULL)").run());
  expect(batcher.size).toBe(251);
  batcher.flush();
  expect(batcher.size).toBe(0);
  const rows = d.sqlite.query<{ id: number; value: string }, []>("SELECT id, value FROM scratch").all();
  expect(rows).toHaveLength(250);
  expect(rows.find((r) => r.id === 7)?.value).toBe("v257");
});

test("while the batcher runs, the WAL is checkpointed by its worker; stop() hands it back to SQLite", async () => {
  const d = open();
  batcher = new WriteBatcher(d, log);
  batcher.start();
  await eventually(() => autocheckpoint(d) === 0, { timeoutMs: 10_000, message: "worker checkpointing" });
  const put = d.sqlite.prepare("INSERT OR REPLACE INTO scratch (id, value) VALUES (?, ?)");
  for (let i = 0; i < 2_000; i++) batcher.put(`row:${i}`, () => void put.run(i, "x".repeat(200)));
  await eventually(() => batcher!.size === 0, { timeoutMs: 10_000, message: "batches written" });
  batcher.stop();
  batcher = null;
  expect(autocheckpoint(d)).toBe(1000);
  expect(d.sqlite.query<{ n: number }, []>("SELECT count(*) n FROM scratch").get()!.n).toBe(2_000);
});

test("group commit: each caller settles after the shared commit; a failing write rejects alone", async () => {
  const d = open();
  const commits = new GroupCommitter(d);
  const put = d.sqlite.prepare("INSERT INTO scratch (id, value) VALUES (?, ?)");
  const results = await Promise.allSettled([
    commits.run(() => put.run(1, "a").changes),
    commits.run(() => put.run(1, "duplicate").changes),
    commits.run(() => put.run(2, "b").changes),
  ]);
  expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  const rows = d.sqlite
    .query<{ id: number; value: string }, []>("SELECT id, value FROM scratch ORDER BY id")
    .all();
  expect(rows).toEqual([
    { id: 1, value: "a" },
    { id: 2, value: "b" },
  ]);
});
