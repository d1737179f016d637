// The bun:sqlite connection behind a drizzle database or transaction. The few writes that run thousands
// of times in a row (events, audit rows, spec revisions: a bulk action writes all four for every node) use
// raw statements through `connection.query(sql)`, which bun:sqlite compiles once and caches, instead of
// drizzle building and SQLite compiling the same INSERT each time (~10× the cost of the write itself).
// A transaction's statements run on the same connection, so raw statements issued inside a drizzle
// transaction callback are part of that transaction.
import { Database } from "bun:sqlite";

export function connectionOf(db: object): Database {
  const root = (db as { $client?: unknown }).$client;
  if (root instanceof Database) return root;
  // A drizzle transaction keeps the connection on its session (drizzle-orm/bun-sqlite's SQLiteBunSession).
  const session = (db as { session?: { client?: unknown } }).session?.client;
  if (session instanceof Database) return session;
  throw new Error("connectionOf: no bun:sqlite connection behind this drizzle object");
}

/** JSON column encoding, as drizzle's `mode: "json"` text columns store it (SQL NULL for null). */
export const jsonText = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);
