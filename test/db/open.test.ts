// Opening the database waits for a lock another connection holds for a moment (a backup tool, the
// checkpoint worker of a previous run) instead of failing: the busy timeout is set before the switch to
// WAL, which itself needs the lock.
import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { type Db, openDatabase } from "../../src/db/client.ts";
import { testDir } from "../harness/control-plane.ts";

let db: Db | null = null;
afterEach(() => {
  db?.close();
  db = null;
});

/** Another process that takes the database's exclusive lock, says so, and releases it 500 ms later. */
async function holdLock(path: string) {
  const holder = Bun.spawn(
    [
      process.execPath,
      "-e",
      `const { Database } = require("bun:sqlite");
       const db = new Database(${JSON.stringify(path)});
       db.exec("BEGIN EXCLUSIVE");
       db.exec("CREATE TABLE IF NOT EXISTS held (x INTEGER)");
       console.log("locked");
       Bun.sleepSync(500);
       db.exec("COMMIT");
       db.close();`,
    ],
    { stdout: "pipe", stderr: "inherit" },
  );
  const reader = holder.stdout.getReader();
  let seen = "";
  while (!seen.includes("locked")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the lock holder exited before taking the lock");
    seen += new TextDecoder().decode(value);
  }
  return holder;
}

test("a database locked for a moment by another connection opens once the lock is released", async () => {
  const path = join(testDir("open"), "cp.db");
  new Database(path, { create: true }).close();
  const holder = await holdLock(path);
  db = openDatabase(path);
  expect(db.sqlite.query<{ journal_mode: string }, []>("PRAGMA journal_mode").get()!.journal_mode).toBe(
    "wal",
  );
  expect(await holder.exited).toBe(0);
});
