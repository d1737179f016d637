// Opens the control plane's SQLite database: WAL, foreign keys, busy timeout, durable commits, and the
// embedded migrations applied at start. The one place that knows the file's location and pragmas.
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type BunSQLiteDatabase, drizzle } from "drizzle-orm/bun-sqlite";
import { migrations } from "./migrations/index.ts";
import * as schema from "./schema/index.ts";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

export function openDatabase(path: string): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path, { create: true, strict: true });
  sqlite.exec("PRAGMA journal_mode = WAL");
  // FULL: an acknowledged write survives power loss too, not only a process crash. Heartbeats are
  // coalesced into batches, so this costs one fsync per user write, not one per executor request.
  sqlite.exec("PRAGMA synchronous = FULL");
  sqlite.exec("PRAGMA foreign_keys = ON");
  sqlite.exec("PRAGMA busy_timeout = 5000");
  applyMigrations(sqlite);
  return drizzle(sqlite, { schema }) as Db;
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
