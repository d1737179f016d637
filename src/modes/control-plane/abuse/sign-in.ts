// The failed sign-in limits, in three scopes, so that guessing is slowed without one person's mistakes
// (or an attacker's guesses) refusing anybody else:
// - account + address: the first to bite (5 free failures), the everyday case of a mistyped password;
// - account, from any address: a distributed guess at one account (20 free failures); only that account
//   waits, and the wait always ends;
// - address, counting distinct accounts that failed from it: password spraying (50 free accounts).
//   Repeated failures on one account don't count here, so 200 wrong passwords for one user never refuse
//   the right password of another user behind the same address (a reverse proxy, an office NAT).
// The hooks pass "email|address" keys (the address is last: it never holds a "|").
import type { FailureThrottle } from "./limiter.ts";

function split(key: string): { account: string; address: string } {
  const at = key.lastIndexOf("|");
  return { account: key.slice(0, at), address: key.slice(at + 1) };
}

export class SignInLimits {
  constructor(
    private readonly accountAddress: FailureThrottle,
    private readonly account: FailureThrottle,
    private readonly addressAccounts: FailureThrottle,
  ) {}

  /** Milliseconds until this account may try again from this address; 0 when it may now. */
  retryAfterMs(key: string): number {
    const { account, address } = split(key);
    return Math.max(
      this.accountAddress.retryAfterMs(key),
      this.account.retryAfterMs(account),
      // Spraying blocks new accounts from the address; one already failing there has its own count.
      this.accountAddress.failures(key) === 0 ? this.addressAccounts.retryAfterMs(address) : 0,
    );
  }

  fail(key: string): void {
    const { account, address } = split(key);
    if (this.accountAddress.failures(key) === 0) this.addressAccounts.fail(address);
    this.accountAddress.fail(key);
    this.account.fail(account);
  }

  /** The right password: this account's counts start over (the address's count of accounts does not). */
  succeed(key: string): void {
    this.accountAddress.succeed(key);
    this.account.succeed(split(key).account);
  }
}
