// Abuse limits that slow an attacker without locking a legitimate user or executor out for good. Two
// in-memory primitives (one process serves the control plane, so memory is the right store):
// - FailureThrottle: after `freeFailures` consecutive failures for a key (an email+IP pair, an IP with
//   bad keys), each further attempt waits a delay that doubles up to `maxDelayMs`; a success resets it.
//   The wait always ends, so the owner of the account or key gets back in.
// - TokenBucket: a steady request rate per credential with a burst allowance far above what an
//   executor needs (it syncs every 5 s), so only a runaway script or flood sees 429.
import { SignInLimits } from "./sign-in.ts";

export interface FailureThrottleOptions {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Bound on tracked keys: oldest entries go first, so memory stays flat under a spray of keys. */
  maxKeys?: number;
}

interface FailureEntry {
  failures: number;
  blockedUntil: number;
  lastFailureAt: number;
}

export class FailureThrottle {
  private entries = new Map<string, FailureEntry>();

  constructor(
    private readonly options: FailureThrottleOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until the next attempt is allowed; 0 when it is allowed now. */
  retryAfterMs(key: string): number {
    const entry = this.entries.get(key);
    if (!entry) return 0;
    const now = this.now();
    // Forgotten after a quiet period twice the longest delay: old failures don't haunt a user.
    if (now - entry.lastFailureAt > this.options.maxDelayMs * 2) {
      this.entries.delete(key);
      return 0;
    }
    return Math.max(0, entry.blockedUntil - now);
  }

  fail(key: string): void {
    const now = this.now();
    const entry = this.entries.get(key) ?? { failures: 0, blockedUntil: 0, lastFailureAt: now };
    entry.failures++;
    entry.lastFailureAt = now;
    const over = entry.failures - this.options.freeFailures;
    if (over > 0) {
      const delay = Math.min(this.options.baseDelayMs * 2 ** Math.min(over - 1, 30), this.options.maxDelayMs);
      entry.blockedUntil = now + delay;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    const max = this.options.maxKeys ?? 100_000;
    while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value as string);
  }

  succeed(key: string): void {
    this.entries.delete(key);
  }

  /** Failures counted for the key (0 once forgotten). */
  failures(key: string): number {
    this.retryAfterMs(key);
    return this.entries.get(key)?.failures ?? 0;
  }
}

export interface TokenBucketOptions {
  capacity: number;
  refillPerSecond: number;
  maxKeys?: number;
}

export class TokenBucket {
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly options: TokenBucketOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token; returns 0 when allowed, else the milliseconds until a token is available. */
  take(key: string): number {
    const now = this.now();
    const { capacity, refillPerSecond } = this.options;
    const bucket = this.buckets.get(key) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * refillPerSecond);
    bucket.at = now;
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    const max = this.options.maxKeys ?? 100_000;
    while (this.buckets.size > max) this.buckets.delete(this.buckets.keys().next().value as string);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / refillPerSecond) * 1000);
  }
}

/** The limits in force (documented in docs/tenancy.md). */
export const LIMITS = {
  /** Failed sign-ins (sign-in.ts): each scope's free failures, then 1 s, 2 s, 4 s … up to its maximum. */
  signIn: {
    /** Per email+address. */
    accountAddress: { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 300_000 },
    /** Per email, from every address together. */
    account: { freeFailures: 20, baseDelayMs: 1_000, maxDelayMs: 300_000 },
    /** Per address, counting distinct emails that failed from it. */
    addressAccounts: { freeFailures: 50, baseDelayMs: 1_000, maxDelayMs: 60_000 },
  },
  /** Wrong current password on password change, per user. */
  password: { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 300_000 },
  /** Requests with an unknown/invalid Bearer key, per IP: 20 free, then 1 s doubling up to 1 min. */
  badKey: { freeFailures: 20, baseDelayMs: 1_000, maxDelayMs: 60_000 },
  /** Requests per valid key: bursts of 60, 10 per second sustained. */
  perKey: { capacity: 60, refillPerSecond: 10 },
} as const;

export class AbuseLimits {
  readonly signIn = new SignInLimits(
    new FailureThrottle(LIMITS.signIn.accountAddress),
    new FailureThrottle(LIMITS.signIn.account),
    new FailureThrottle(LIMITS.signIn.addressAccounts),
  );
  readonly password = new FailureThrottle(LIMITS.password);
  readonly badKey = new FailureThrottle(LIMITS.badKey);
  readonly perKey = new TokenBucket(LIMITS.perKey);
}

export function tooManyRequests(retryAfterMs: number): Response {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new Response(
    JSON.stringify({
      code: "rate_limited",
      message: `too many requests; retry in ${seconds} s`,
      details: [],
    }),
    {
      status: 429,
      headers: { "content-type": "application/json; charset=utf-8", "retry-after": String(seconds) },
    },
  );
}
