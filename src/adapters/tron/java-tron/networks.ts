// The genesis blocks and seed nodes of the Tron networks Novacula runs, as java-tron needs them in its config
// (given a config file, it reads no built-in defaults). Data, copied from the documented network configs
// main_net_config.conf (mainnet) and test_net_config.conf (Nile) of tronprotocol/tron-deployment at
// 14699a3d5348efdd84a54da023b955f163b2483d (2024-03-21).

export interface GenesisAsset {
  accountName: string;
  accountType: string;
  address: string;
  balance: string;
}

export interface GenesisWitness {
  address: string;
  url: string;
  voteCount: number;
}

export interface TronGenesis {
  assets: readonly GenesisAsset[];
  witnesses: readonly GenesisWitness[];
  timestamp: string;
  parentHash: string;
}

/** GR1…GR27: the genesis witnesses, with vote counts descending from 100000026. */
const witnesses = (addresses: readonly string[]): GenesisWitness[] =>
  addresses.map((address, i) => ({ address, url: `http://GR${i + 1}.com`, voteCount: 100000026 - i }));

const asset = (accountName: string, address: string, balance: string): GenesisAsset => ({
  accountName,
  accountType: "AssetIssue",
  address,
  balance,
});

/** Both networks name the same parent hash and timestamp; their accounts and witnesses differ. */
const PARENT_HASH = "0xe58f33f9baf9305dc6f82b9f1934ea8f0ade2defb951258d50167028c780351f";

export const MAINNET_GENESIS: TronGenesis = {
  assets: [
    asset("Zion", "TLLM21wteSPs4hKjbxgmH1L6poyMjeTbHm", "99000000000000000"),
    asset("Sun", "TXmVpin5vq5gdZsciyyjdZgKRUju4st1wM", "0"),
    asset("Blackhole", "TLsV52sRDL79HXGGm9yzwKibb6BeruhUzy", "-9223372036854775808"),
  ],
  witnesses: witnesses([
    "THKJYuUmMKKARNf7s2VT51g5uPY6KEqnat",
    "TVDmPWGYxgi5DNeW8hXrzrhY8Y6zgxPNg4",
    "TWKZN1JJPFydd5rMgMCV5aZTSiwmoksSZv",
    "TDarXEG2rAD57oa7JTK785Yb2Et32UzY32",
    "TAmFfS4Tmm8yKeoqZN8x51ASwdQBdnVizt",
    "TK6V5Pw2UWQWpySnZyCDZaAvu1y48oRgXN",
    "TGqFJPFiEqdZx52ZR4QcKHz4Zr3QXA24VL",
    "TC1ZCj9Ne3j5v3TLx5ZCDLD55MU9g3XqQW",
    "TWm3id3mrQ42guf7c4oVpYExyTYnEGy3JL",
    "TCvwc3FV3ssq2rD82rMmjhT4PVXYTsFcKV",
    "TFuC2Qge4GxA2U9abKxk1pw3YZvGM5XRir",
    "TNGoca1VHC6Y5Jd2B1VFpFEhizVk92Rz85",
    "TLCjmH6SqGK8twZ9XrBDWpBbfyvEXihhNS",
    "TEEzguTtCihbRPfjf1CvW8Euxz1kKuvtR9",
    "TZHvwiw9cehbMxrtTbmAexm9oPo4eFFvLS",
    "TGK6iAKgBmHeQyp5hn3imB71EDnFPkXiPR",
    "TLaqfGrxZ3dykAFps7M2B4gETTX1yixPgN",
    "TX3ZceVew6yLC5hWTXnjrUFtiFfUDGKGty",
    "TYednHaV9zXpnPchSywVpnseQxY9Pxw4do",
    "TCf5cqLffPccEY7hcsabiFnMfdipfyryvr",
    "TAa14iLEKPAetX49mzaxZmH6saRxcX7dT5",
    "TBYsHxDmFaRmfCF3jZNmgeJE8sDnTNKHbz",
    "TEVAq8dmSQyTYK7uP1ZnZpa6MBVR83GsV6",
    "TRKJzrZxN34YyB8aBqqPDt7g4fv6sieemz",
    "TRMP6SKeFUt5NtMLzJv8kdpYuHRnEGjGfe",
    "TDbNE1VajxjpgM5p7FyGNDASt3UVoFbiD3",
    "TLTDZBcPoJ8tZ6TTEeEqEvwYFk2wgotSfD",
  ]),
  timestamp: "0",
  parentHash: PARENT_HASH,
};

export const MAINNET_SEED_NODES: readonly string[] = [
  "3.225.171.164:18888",
  "52.53.189.99:18888",
  "18.196.99.16:18888",
  "34.253.187.192:18888",
  "18.133.82.227:18888",
  "35.180.51.163:18888",
  "54.252.224.209:18888",
  "18.231.27.82:18888",
  "52.15.93.92:18888",
  "34.220.77.106:18888",
  "15.207.144.3:18888",
  "13.124.62.58:18888",
  "54.151.226.240:18888",
  "35.174.93.198:18888",
  "18.210.241.149:18888",
  "54.177.115.127:18888",
  "54.254.131.82:18888",
  "18.167.171.167:18888",
  "54.167.11.177:18888",
  "35.74.7.196:18888",
  "52.196.244.176:18888",
  "54.248.129.19:18888",
  "43.198.142.160:18888",
  "3.0.214.7:18888",
  "54.153.59.116:18888",
  "54.153.94.160:18888",
  "54.82.161.39:18888",
  "54.179.207.68:18888",
  "18.142.82.44:18888",
  "18.163.230.203:18888",
];

export const MAINNET_FAST_FORWARD: readonly string[] = ["100.26.245.209:18888", "15.188.6.125:18888"];

export const NILE_GENESIS: TronGenesis = {
  assets: [
    asset("Zion", "TMWXhuxiT1KczhBxCseCDDsrhmpYGUcoA9", "99000000000000000"),
    asset("Sun", "TN21Wx2yoNYiZ7znuQonmZMJnH5Vdfxu78", "99000000000000000"),
    asset("Blackhole", "TDPJULRzVtzVjnBmZvfaTcTNQ2tsVi6XxQ", "-9223372036854775808"),
  ],
  witnesses: witnesses([
    "TD23EqH3ixYMYh8CMXKdHyQWjePi3KQvxV",
    "TCm4Lz1uP3tQm3jzpwFTG6o5UvSTA2XEHc",
    "TTgDUgREiPBeY3iudD5e2eEibE4v4CE8C9",
    "TFVDe7kMEmb8EuUxxp42kocQY1fFY727WS",
    "TY4NSjctzTchHkhaCskVc5zQtnX9s1uxAX",
    "TWSMPrm6aizvsJmPnjMB7x3UExJfRhyQhd",
    "TKwLkSaCvqqpAB44qaHGTohCTCFoYw7ecy",
    "TDsYmm1St9r4UZebDGWBcTMtfYTw9YX5h4",
    "TFEQbWAPxhbUr1P14y9UJBUZo3LgtdqTS7",
    "TCynAi8tb7UWP7uhLv6fe971KLm2KT8tcs",
    "TC2YsLp4rzrt3AbeN3EryoSywrBjEUVCq3",
    "THxMKH1uaL5FpURujkQR7u2sNZ2n5PSsiH",
    "TWbzgoHimDcXWy19ts1An8bxA4JKjcYHeG",
    "TW2LmXnVCEaxuVtQN8gZR1ixT5PNm4QLft",
    "TVuqk4rYYVHVA6j6sSEnaLexhhoQhN8nyZ",
    "TVMZu5ptZPhhkZ3Kaagkq35FmyuKNvUKJV",
    "TFDHT8PqUrL2Bd8DeysSiHHBAEMidZgkhx",
    "TVqz5Bj3M1uEenaSsw2NnXvTWChPj6K3hb",
    "TSt8YNpARJkhdMdEV4C7ajH1tFHpZWzF1T",
    "TTxWDjEb3Be1Ax8BCvK48cnaorZofLq2C9",
    "TU5T838YtyZtEQKpnXEdRz3d8hJn6WHhjw",
    "TRuSs1MpL3o2hzhU8r6HLC7WtDyVE9hsF6",
    "TYMCoCZyAjWkWdUfEHg1oZQYbLKev282ou",
    "TQvAyGATpLZymHbpeaRozJCKqSeRWVNhCJ",
    "TYDd9nskbhJmLLNoe4yV2Z1SYtGjNa8wyg",
    "TS5991Geh2qeHtw46rskpJyn6hFNbuZGGc",
    "TKnn5MBnmXXeKdu9dxKVfKk4n1YdCeSRGr",
  ]),
  timestamp: "0",
  parentHash: PARENT_HASH,
};

export const NILE_SEED_NODES: readonly string[] = [
  "47.90.214.183:18888",
  "47.252.17.40:18888",
  "47.253.34.98:18888",
  "47.252.3.238:18888",
  "47.90.243.177:18888",
  "44.236.192.97:18888",
  "44.236.125.107:18888",
  "44.232.119.174:18888",
  "35.167.210.93:18888",
  "34.208.18.175:18888",
];

export const NILE_FAST_FORWARD: readonly string[] = [];
