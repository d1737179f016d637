// Session tokens are stored as hashes. better-auth (1.7) keeps the token it puts in the cookie verbatim in
// the session table and has no option to hash it, so a copy of the database was a set of live sessions.
// This wraps its database adapter: every session token written or looked up passes through
// hashSessionToken, and rows handed back to better-auth carry the token it asked about, so cookies and
// refreshes work unchanged. A token is a 32-character random id; an unsalted SHA-256 is enough for a
// secret of that entropy, and a lookup stays one indexed equality.
import { createHash } from "node:crypto";
import type { BetterAuthOptions, DBAdapter, DBTransactionAdapter, Where } from "better-auth";
import type { Db } from "../../../db/client.ts";
import { replaceSessionTokens, sessionTokensWithoutPrefix } from "../../../db/queries/sessions.ts";

const PREFIX = "sha256:";

export function hashSessionToken(token: string): string {
  return `${PREFIX}${createHash("sha256").update(token).digest("base64url")}`;
}

type Adapter = DBTransactionAdapter<BetterAuthOptions>;
type Row = Record<string, unknown> | null;

/** Hashes token values in a session `where`, remembering which plaintext each hash stands for. */
function hashWhere(where: Where[] | undefined, plain: Map<string, string>): Where[] | undefined {
  return where?.map((w) => {
    if (w.field !== "token") return w;
    const hash = (v: unknown) => {
      const hashed = hashSessionToken(String(v));
      plain.set(hashed, String(v));
      return hashed;
    };
    const value = Array.isArray(w.value) ? w.value.map(hash) : w.value === null ? null : hash(w.value);
    return { ...w, value } as Where;
  });
}

function restore<T>(row: T, plain: Map<string, string>): T {
  const r = row as Row;
  if (r && typeof r.token === "string" && plain.has(r.token)) return { ...r, token: plain.get(r.token) } as T;
  return row;
}

function hashingSessionTokens<A extends Adapter>(adapter: A): A {
  const isSession = (model: string) => model === "session";
  const wrapped: Adapter = {
    ...adapter,
    async create(args) {
      const token = (args.data as Row)?.token;
      if (!isSession(args.model) || typeof token !== "string") return adapter.create(args);
      const created = await adapter.create({
        ...args,
        data: { ...args.data, token: hashSessionToken(token) },
      });
      return restore(created, new Map([[hashSessionToken(token), token]]));
    },
    async findOne(args) {
      if (!isSession(args.model)) return adapter.findOne(args);
      const plain = new Map<string, string>();
      return restore(await adapter.findOne({ ...args, where: hashWhere(args.where, plain)! }), plain);
    },
    async findMany(args) {
      if (!isSession(args.model)) return adapter.findMany(args);
      const plain = new Map<string, string>();
      const rows = await adapter.findMany({ ...args, where: hashWhere(args.where, plain) });
      return rows.map((row) => restore(row, plain));
    },
    async update(args) {
      if (!isSession(args.model)) return adapter.update(args);
      const plain = new Map<string, string>();
      const update =
        typeof args.update.token === "string"
          ? { ...args.update, token: hashSessionToken(args.update.token) }
          : args.update;
      return restore(await adapter.update({ ...args, where: hashWhere(args.where, plain)!, update }), plain);
    },
    updateMany: (args) =>
      adapter.updateMany(
        isSession(args.model) ? { ...args, where: hashWhere(args.where, new Map())! } : args,
      ),
    delete: (args) =>
      adapter.delete(isSession(args.model) ? { ...args, where: hashWhere(args.where, new Map())! } : args),
    deleteMany: (args) =>
      adapter.deleteMany(
        isSession(args.model) ? { ...args, where: hashWhere(args.where, new Map())! } : args,
      ),
    count: (args) =>
      adapter.count(isSession(args.model) ? { ...args, where: hashWhere(args.where, new Map()) } : args),
    consumeOne: (args) =>
      adapter.consumeOne(
        isSession(args.model) ? { ...args, where: hashWhere(args.where, new Map())! } : args,
      ),
    incrementOne: (args) =>
      adapter.incrementOne(
        isSession(args.model) ? { ...args, where: hashWhere(args.where, new Map())! } : args,
      ),
  };
  const full = adapter as A & Partial<Pick<DBAdapter<BetterAuthOptions>, "transaction">>;
  if (typeof full.transaction === "function") {
    const transaction = full.transaction.bind(adapter);
    (wrapped as DBAdapter<BetterAuthOptions>).transaction = (callback) =>
      transaction((trx) => callback(hashingSessionTokens(trx)));
  }
  return wrapped as A;
}

/** Wraps a better-auth adapter factory (e.g. drizzleAdapter(...)) so that session tokens are hashed. */
export function withHashedSessionTokens(
  factory: (options: BetterAuthOptions) => DBAdapter<BetterAuthOptions>,
): (options: BetterAuthOptions) => DBAdapter<BetterAuthOptions> {
  return (options) => hashingSessionTokens(factory(options));
}

/** Hashes the tokens an older version stored as they were, so existing sessions keep working. */
export function hashPlaintextSessionTokens(db: Db): number {
  const rows = sessionTokensWithoutPrefix(db, PREFIX);
  replaceSessionTokens(
    db,
    rows.map((row) => ({ id: row.id, token: hashSessionToken(row.token) })),
  );
  return rows.length;
}
