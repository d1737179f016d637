// A clock seam so that heartbeat timeouts, expiry and grace windows can be tested without sleeping.
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
