// eventually(): poll a condition until it holds or a deadline passes. Tests wait with this, never sleep.
export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
  message?: string;
}

export async function eventually<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 50, message }: EventuallyOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let lastValue: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value as NonNullable<T>;
      lastValue = value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? lastError.message : JSON.stringify(lastValue);
      throw new Error(
        `eventually: ${message ?? "condition"} not met within ${timeoutMs} ms (last: ${reason})`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
