// What the webhook address tests need from the machine: an address of one of its own interfaces that is
// not public and not loopback (a real "internal network" receiver can listen on it), and a TLS certificate
// for a receiver there, made with the openssl command into the test's own directory.

import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import ipaddr from "ipaddr.js";

/** An IPv4 address of this machine outside the public internet and outside loopback (e.g. 10.x, 192.168.x). */
export function internalAddress(): string {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.family !== "IPv4" || entry.internal) continue;
      const range = ipaddr.parse(entry.address).range();
      if (range !== "unicast" && range !== "loopback") return entry.address;
    }
  }
  throw new Error(
    "this machine has no non-loopback interface on a private or reserved IPv4 address: the webhook address tests need one to run a receiver on",
  );
}

/** A self-signed certificate naming `names` (DNS) and `ips`; cert.pem is also the trust anchor. */
export function selfSignedCertificate(
  dir: string,
  names: string[],
  ips: string[],
): { cert: string; key: string; certPath: string } {
  const certPath = join(dir, "receiver-cert.pem");
  const keyPath = join(dir, "receiver-key.pem");
  const altNames = [...names.map((n) => `DNS:${n}`), ...ips.map((ip) => `IP:${ip}`)].join(",");
  const made = Bun.spawnSync([
    "openssl",
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=novacula test receiver",
    "-addext",
    `subjectAltName=${altNames}`,
    "-keyout",
    keyPath,
    "-out",
    certPath,
  ]);
  if (made.exitCode !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`);
  return {
    cert: readFileSync(certPath, "utf8"),
    key: readFileSync(keyPath, "utf8"),
    certPath,
  };
}
