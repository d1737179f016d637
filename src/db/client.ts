// Opens the control plane's SQLite database (busy timeout, WAL, durable commits, foreign keys, the
// embedded migrations) and defines the one handle every query function takes: `DbOrTx`, which the
// database and each of its transactions satisfy alike. The handle carries drizzle's query builder and the
// bun:sqlite connection it was built on; the connection is kept here from the start, never read out of
// drizzle. bun:sqlite transactions belong to the connection, so a raw statement run on `sqlite` inside a
// transaction callback is part of that transaction. Only src/db reads `orm` and `sqlite`.
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { drizzle } from "drizzle-orm/bun-sqlite";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import { migrations } from "./migrations/index.ts";
import * as schema from "./schema/index.ts";

/** drizzle's query builder over the schema: the database and its transactions both are one. */
export type Orm = BaseSQLiteDatabase<"sync", void, typeof schema>;

/** A database or a transaction on it: what every query function in src/db/queries takes. */
export interface DbOrTx {
  readonly orm: Orm;
  readonly sqlite: Database;
  /** Runs `work` in a transaction (a savepoint when this already is one); its result is returned. */
  transaction<T>(work: (tx: DbOrTx) => T): T;
}

/** The open database: a DbOrTx that can also be closed. */
export interface Db extends DbOrTx {
  close(): void;
}

class Handle implements Db {
  constructor(
    readonly orm: Orm,
    readonly sqlite: Database,
  ) {}

  transaction<T>(work: (tx: DbOrTx) => T): T {
    return this.orm.transaction((tx) => work(new Handle(tx, this.sqlite)));
  }

  close(): void {
    this.sqlite.close();
  }
}

export function openDatabase(path: string): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path, { create: true, strict: true });
  // First: switching to WAL takes a lock that another connection (the checkpoint worker of a previous
  // run, a backup tool) may hold for a moment, and without a busy timeout that fails at once.
  sqlite.exec("PRAGMA busy_timeout = 5000");
  sqlite.exec("PRAGMA journal_mode = WAL");
  // FULL: an acknowledged write survives power loss too, not only a process crash. Heartbeats are
  // coalesced into batches, so this costs one fsync per user write, not one per executor request.
  sqlite.exec("PRAGMA synchronous = FULL");
  sqlite.exec("PRAGMA foreign_keys = ON");
  applyMigrations(sqlite);
  return new Handle(drizzle(sqlite, { schema }), sqlite);
}

/** Applies each embedded migration once, in order, each in its own transaction. */
export function applyMigrations(sqlite: Database): string[] {
  sqlite.exec(
    "CREATE TABLE IF NOT EXISTS __novacula_migrations (tag TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)",
  );
  const applied = new Set(
    sqlite
      .query<{ tag: string }, []>("SELECT tag FROM __novacula_migrations")
      .all()
      .map((r) => r.tag),
  );
  const ran: string[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.tag)) continue;
    sqlite.transaction(() => {
      for (const statement of migration.sql.split("--> statement-breakpoint")) {
        if (statement.trim()) sqlite.exec(statement);
      }
      sqlite
        .query("INSERT INTO __novacula_migrations (tag, applied_at) VALUES (?, ?)")
        .run(migration.tag, Date.now());
    })();
    ran.push(migration.tag);
  }
  return ran;
}

export { schema };
