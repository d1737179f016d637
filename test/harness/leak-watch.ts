// LeakWatch for every control plane a test starts: passwords, session tokens and plaintext keys may appear
// in no log line and in no GraphQL response except the one-time reveal. A key's first appearance in a
// response is its reveal; any later appearance is a leak. The harness checks on stop() and kill(), so the
// whole suite is covered without each test remembering to ask.
const KEY = /\b(?:exc|nvp)_[A-Za-z0-9_-]{40,}/g;

export class LeakWatch {
  private secrets = new Set<string>();
  private revealedKeys = new Set<string>();
  readonly leaks: string[] = [];

  secret(value: string): string {
    if (value.length >= 8) this.secrets.add(value);
    return value;
  }

  /** Records one GraphQL response body. */
  response(text: string): void {
    for (const key of new Set(text.match(KEY) ?? [])) {
      if (this.revealedKeys.has(key))
        this.leaks.push(`key ${key.slice(0, 8)}… shown again: ${text.slice(0, 160)}`);
      this.revealedKeys.add(key);
      this.secrets.add(key);
    }
    for (const secret of this.secrets) {
      if (!this.revealedKeys.has(secret) && text.includes(secret)) {
        this.leaks.push(`secret ${secret.slice(0, 4)}… in a response: ${text.slice(0, 160)}`);
      }
    }
  }

  /** Throws listing every leak found in the responses so far and in these log lines. */
  assertClean(logs: readonly string[]): void {
    const found = [...this.leaks];
    for (const secret of this.secrets) {
      const line = logs.find((l) => l.includes(secret));
      if (line) found.push(`secret ${secret.slice(0, 4)}… in the log: ${line.slice(0, 160)}`);
    }
    if (found.length > 0) throw new Error(`secrets leaked:\n${found.join("\n")}`);
  }
}
