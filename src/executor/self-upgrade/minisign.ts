// Verifying a release's minisign signature (https://jedisct1.github.io/minisign/, format of minisign 0.11):
// the signature names a key id; that key must be one compiled into this binary (trusted-keys.ts); the
// Ed25519 signature must verify over the file (algorithm "Ed") or over its BLAKE2b-512 hash ("ED",
// minisign's default since 0.10); and the global signature must verify over the signature and the trusted
// comment, so the comment cannot be swapped either. The crypto is the runtime's (node:crypto, BoringSSL in
// Bun): Ed25519 and BLAKE2b-512 are not reimplemented here, only minisign's small container format is parsed
// (docs/adr/0048-self-upgrade-signatures-minisign-node-crypto.md says why no npm package does it).
import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";

export type VerifyResult =
  | { ok: true; keyId: string }
  | { ok: false; reason: "signature_invalid" | "signature_unknown_key"; detail: string };

/** Checks a file's detached signature; the core depends on this interface only. */
export interface SignatureVerifier {
  verify(file: Uint8Array | string, signatureText: string): Promise<VerifyResult>;
}

const ED_ALG = "Ed";
const PREHASHED_ALG = "ED";
// An Ed25519 public key as SPKI DER: this fixed prefix, then the 32 key bytes.
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** minisign prints key ids as the 8 bytes read as a little-endian integer, in upper-case hex. */
export function keyIdHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).reverse().toString("hex").toUpperCase();
}

interface PublicKey {
  keyId: string;
  key: KeyObject;
}

/** Parse the base64 line of a minisign public key (a whole .pub file is accepted too). */
export function parsePublicKey(text: string): PublicKey {
  const line = text
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l !== "" && !l.startsWith("untrusted comment:"));
  const raw = Buffer.from(line ?? "", "base64");
  if (raw.length !== 42 || raw.subarray(0, 2).toString("latin1") !== ED_ALG) {
    throw new Error("not a minisign Ed25519 public key (expected base64 of 42 bytes starting with 'Ed')");
  }
  const key = createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, raw.subarray(10)]),
    format: "der",
    type: "spki",
  });
  return { keyId: keyIdHex(raw.subarray(2, 10)), key };
}

interface ParsedSignature {
  algorithm: string;
  keyId: string;
  signature: Buffer;
  trustedComment: string;
  globalSignature: Buffer;
}

function parseSignature(text: string): ParsedSignature | string {
  const lines = text.replace(/\r/g, "").split("\n");
  if (!lines[0]?.startsWith("untrusted comment:")) return "the first line is not an untrusted comment";
  const raw = Buffer.from(lines[1]?.trim() ?? "", "base64");
  if (raw.length !== 74) return "the signature line is not base64 of 74 bytes";
  const trusted = lines[2] ?? "";
  const prefix = "trusted comment: ";
  if (!trusted.startsWith(prefix)) return "the third line is not a trusted comment";
  const globalSignature = Buffer.from(lines[3]?.trim() ?? "", "base64");
  if (globalSignature.length !== 64) return "the global signature is not base64 of 64 bytes";
  return {
    algorithm: raw.subarray(0, 2).toString("latin1"),
    keyId: keyIdHex(raw.subarray(2, 10)),
    signature: raw.subarray(10),
    trustedComment: trusted.slice(prefix.length),
    globalSignature,
  };
}

/** BLAKE2b-512 of a buffer, or of a file streamed (a release binary is ~100 MiB: never held whole). */
async function blake2b512(file: Uint8Array | string): Promise<Buffer> {
  const hash = createHash("blake2b512");
  if (typeof file !== "string") return hash.update(file).digest();
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest();
}

export class MinisignVerifier implements SignatureVerifier {
  private readonly keys = new Map<string, KeyObject>();

  /** `trustedKeys`: minisign public keys (base64 lines); a malformed one is an error at start-up. */
  constructor(trustedKeys: readonly string[]) {
    for (const text of trustedKeys) {
      const { keyId, key } = parsePublicKey(text);
      this.keys.set(keyId, key);
    }
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  async verify(file: Uint8Array | string, signatureText: string): Promise<VerifyResult> {
    const parsed = parseSignature(signatureText);
    if (typeof parsed === "string") return { ok: false, reason: "signature_invalid", detail: parsed };
    const key = this.keys.get(parsed.keyId);
    if (!key) {
      const known = this.keyIds.join(", ") || "none";
      return {
        ok: false,
        reason: "signature_unknown_key",
        detail: `signed by key ${parsed.keyId}, which this binary does not trust (trusted: ${known})`,
      };
    }
    if (parsed.algorithm !== ED_ALG && parsed.algorithm !== PREHASHED_ALG) {
      return { ok: false, reason: "signature_invalid", detail: `unknown algorithm ${parsed.algorithm}` };
    }
    const message =
      parsed.algorithm === PREHASHED_ALG
        ? await blake2b512(file)
        : typeof file === "string"
          ? await readFile(file)
          : file;
    if (!verify(null, message, key, parsed.signature)) {
      return { ok: false, reason: "signature_invalid", detail: "the signature does not match the file" };
    }
    const global = Buffer.concat([parsed.signature, Buffer.from(parsed.trustedComment, "utf8")]);
    if (!verify(null, global, key, parsed.globalSignature)) {
      return { ok: false, reason: "signature_invalid", detail: "the trusted comment's signature is wrong" };
    }
    return { ok: true, keyId: parsed.keyId };
  }
}
