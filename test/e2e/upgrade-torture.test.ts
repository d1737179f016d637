// The reduced run of scripts/upgrade-torture.ts (the full one is 500 upgrades, figures in docs/benchmarks.md):
// one round of every fault (truncated download, release server unreachable, wrong sha256, signature of another
// file, unknown key, crash at start, hang, exit 0 at once, SIGKILL mid-download) between real upgrades of a real
// agent under systemd. At the end no round left the agent without a working binary of the expected version,
// the devnet node never restarted, and every failure was reported with its classified code.
import { expect, test } from "bun:test";
import { FAULTS, runTorture } from "../../scripts/upgrade-torture.ts";
import { minisignAvailable } from "../harness/upgrade.ts";

test.skipIf(!minisignAvailable())(
  "upgrade torture (one round per fault): 0 agents without a working binary, 0 node restarts, every failure reported",
  async () => {
    const result = await runTorture({ upgrades: FAULTS.length + 1 });
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({
      upgrades: FAULTS.length + 1,
      withoutWorkingBinary: 0,
      nodeRestarts: 0,
      unreported: 0,
      // none, truncated, unreachable, kill, and the final none complete an upgrade.
      completed: 5,
      // checksum, signature, unknown key; truncated and unreachable each report download_failed first.
      refusedReported: 5,
      rolledBackReported: 3,
    });
  },
  900_000,
);
