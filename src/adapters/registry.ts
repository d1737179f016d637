// The compiled-in chain adapters, one line each. Capabilities, validation and planning all start here, so
// adding a chain is one folder plus one line below.
import type { ChainCapability } from "../protocol/capabilities.ts";
import { bitcoinAdapter } from "./bitcoin/bitcoind/adapter.ts";
import { bscAdapter } from "./bsc/geth/adapter.ts";
import { devnetAdapter } from "./devnet/adapter.ts";
import { ethereumAdapter } from "./ethereum/adapter.ts";
import { suiAdapter } from "./sui/sui-node/adapter.ts";
import { tronAdapter } from "./tron/java-tron/adapter.ts";
import type { ChainAdapter } from "./types.ts";

export const ADAPTERS: readonly ChainAdapter[] = [
  devnetAdapter, // devnet: anvil, geth (dev mode)
  ethereumAdapter, // ethereum: el geth, reth, nethermind, erigon × cl lighthouse, prysm, lodestar
  bitcoinAdapter, // bitcoin: bitcoind
  bscAdapter, // bsc: geth (BNB Chain fork)
  suiAdapter, // sui: sui-node
  tronAdapter, // tron: java-tron
];

const byChain = new Map(ADAPTERS.map((adapter) => [adapter.chain, adapter]));

export function getAdapter(chain: string): ChainAdapter | undefined {
  return byChain.get(chain);
}

/** One supportedChains entry per compiled-in adapter, as sent on every sync. */
export function supportedChains(): ChainCapability[] {
  return ADAPTERS.map((adapter) => adapter.capability());
}
