// Node detail's tiles read each chain's extra figures in words and units: the keys adapters report (reference
// §12 extras) become labels, a chain id keeps its bare digits, wei reads as gwei, bytes and seconds in their
// units, timestamps as times; only figures that move get a chart.
import { describe, expect, test } from "bun:test";
import { describeExtra, formatBytes } from "../../src/modes/control-plane/ui/app/screens/metric-format.ts";

describe("a chain's extra readings on node detail", () => {
  test("a chain id is an identifier: bare digits, no chart", () => {
    expect(describeExtra("chainId", 31337)).toEqual({ label: "Chain ID", value: "31337", chart: false });
    expect(describeExtra("chain_id", 56)).toEqual({ label: "Chain ID", value: "56", chart: false });
    expect(describeExtra("protocolVersion", 104)).toEqual({
      label: "Protocol version",
      value: "104",
      chart: false,
    });
  });

  test("wei reads as gwei, bytes and seconds in their units", () => {
    expect(describeExtra("gasPriceWei", 1_000_002_713)).toEqual({
      label: "Gas price",
      value: "1.00 gwei",
      chart: true,
    });
    expect(describeExtra("mempool_usage_bytes", 2_500_000).value).toBe("2.5 MB");
    expect(describeExtra("mempool_usage_bytes", 2_500_000).label).toBe("Mempool usage");
    expect(describeExtra("heapUsedBytes", 512).label).toBe("Heap used");
    expect(describeExtra("uptime_seconds", 90).value).toBe("90 s");
    expect(describeExtra("uptime_seconds", 3 * 86_400).value).toBe("3.0 days");
    expect(describeExtra("head_age_seconds", 600)).toEqual({
      label: "Head age",
      value: "10 min",
      chart: true,
    });
  });

  test("a timestamp in milliseconds reads as a UTC time, and words as words", () => {
    expect(describeExtra("epochStartTimestampMs", Date.UTC(2026, 11, 6, 13, 5, 9))).toEqual({
      label: "Epoch start",
      value: "2026-12-06 13:05:09",
      chart: false,
    });
    expect(describeExtra("clientVersion", "anvil/v1.7.1")).toEqual({
      label: "Client version",
      value: "anvil/v1.7.1",
      chart: false,
    });
    expect(describeExtra("runningVersion.el", "1.17.10").label).toBe("EL version");
  });

  test("other counts get thousands separators and a chart", () => {
    expect(describeExtra("headSlot", 12_345_678)).toEqual({
      label: "Head slot",
      value: "12,345,678",
      chart: true,
    });
    expect(describeExtra("hash_rate", 5e20).label).toBe("Hash rate");
    expect(formatBytes(271_000_000_000)).toBe("271 GB");
  });
});
