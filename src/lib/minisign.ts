// Minisign (Ed25519) public keys and signatures: parsing the text format and verifying a file against a
// set of trusted keys. The primitives are the runtime's own (node:crypto's Ed25519 and BLAKE2b-512, BoringSSL
// in Bun, OpenSSL in Node): nothing cryptographic is implemented here, only the fixed-length fields of the
// format are read. The project's one verifier: the control plane checks uploads with it and the executors check
// downloaded releases (docs/adr/0055-one-release-trust-path.md).
//
// Format (as the minisign tool writes it):
//   public key:  base64("Ed" | key id (8) | Ed25519 public key (32))
//   signature:   "untrusted comment: …" \n base64(alg (2) | key id (8) | signature (64)) \n
//                "trusted comment: …" \n base64(global signature (64))
// alg "ED" signs BLAKE2b-512(file) (minisign's default since 0.8), alg "Ed" the file itself (legacy). The
// global signature covers signature | trusted comment, so the trusted comment cannot be altered.
import { createHash, createPublicKey, verify as edVerify, type KeyObject } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";

export interface MinisignPublicKey {
  /** The key id as minisign prints it: 16 upper-case hex digits (the 8 id bytes read little-endian). */
  keyId: string;
  key: KeyObject;
  /** The public key line, as given. */
  text: string;
}

export interface ParsedSignature {
  algorithm: "Ed" | "ED";
  keyId: string;
  signature: Buffer;
  trustedComment: string;
  globalSignature: Buffer;
}

export class MinisignError extends Error {
  constructor(
    /** `malformed`: not a minisign key/signature; `unknown_key`: signed by no trusted key; `invalid`: wrong signature. */
    readonly reason: "malformed" | "unknown_key" | "invalid",
    message: string,
  ) {
    super(message);
    this.name = "MinisignError";
  }
}

const UNTRUSTED = "untrusted comment:";
const TRUSTED = "trusted comment: ";

/** The 8 key-id bytes as minisign prints them (a little-endian u64 in hex). */
export function keyIdHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).reverse().toString("hex").toUpperCase();
}

function base64Exact(text: string, length: number, what: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw new MinisignError("malformed", `${what} is not base64`);
  const bytes = Buffer.from(trimmed, "base64");
  if (bytes.length !== length)
    throw new MinisignError("malformed", `${what} has ${bytes.length} bytes, expected ${length}`);
  return bytes;
}

/** An Ed25519 public key object from its 32 raw bytes (JWK import: no DER assembled by hand). */
export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") },
    format: "jwk",
  });
}

/** Reads a public key: the base64 line alone, or a minisign.pub file (comment line, then the key). */
export function parsePublicKey(text: string): MinisignPublicKey {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith(UNTRUSTED));
  if (lines.length !== 1) throw new MinisignError("malformed", "a minisign public key is one base64 line");
  const line = lines[0]!;
  const bytes = base64Exact(line, 42, "the public key");
  if (bytes.subarray(0, 2).toString("latin1") !== "Ed")
    throw new MinisignError("malformed", "the public key is not an Ed25519 minisign key");
  return { keyId: keyIdHex(bytes.subarray(2, 10)), key: ed25519PublicKey(bytes.subarray(10)), text: line };
}

/** Reads a .minisig signature (4 lines; the untrusted comment is ignored, as minisign does). */
export function parseSignature(text: string): ParsedSignature {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length !== 4 || !lines[0]!.startsWith(UNTRUSTED) || !lines[2]!.startsWith(TRUSTED)) {
    throw new MinisignError(
      "malformed",
      "a minisign signature has 4 lines: untrusted comment, signature, trusted comment, global signature",
    );
  }
  const sig = base64Exact(lines[1]!, 74, "the signature line");
  const algorithm = sig.subarray(0, 2).toString("latin1");
  if (algorithm !== "Ed" && algorithm !== "ED")
    throw new MinisignError("malformed", `unknown signature algorithm ${JSON.stringify(algorithm)}`);
  return {
    algorithm,
    keyId: keyIdHex(sig.subarray(2, 10)),
    signature: sig.subarray(10),
    trustedComment: lines[2]!.slice(TRUSTED.length),
    globalSignature: base64Exact(lines[3]!, 64, "the global signature"),
  };
}

function trustedKeyFor(sig: ParsedSignature, trusted: readonly MinisignPublicKey[]): MinisignPublicKey {
  const key = trusted.find((k) => k.keyId === sig.keyId);
  if (key) return key;
  throw new MinisignError(
    "unknown_key",
    `signed by key ${sig.keyId}, which is not one of the trusted keys (${trusted.map((k) => k.keyId).join(", ") || "none"})`,
  );
}

/** Checks the signature over `signed` (the file, or its BLAKE2b-512 for "ED"), then the global signature. */
function verifyParsed(
  sig: ParsedSignature,
  key: MinisignPublicKey,
  signed: Uint8Array,
): { keyId: string; trustedComment: string } {
  if (!edVerify(null, signed, key.key, sig.signature))
    throw new MinisignError("invalid", `the signature does not match the file (key ${sig.keyId})`);
  const global = Buffer.concat([sig.signature, Buffer.from(sig.trustedComment, "utf8")]);
  if (!edVerify(null, global, key.key, sig.globalSignature))
    throw new MinisignError("invalid", "the trusted comment's signature does not verify");
  return { keyId: sig.keyId, trustedComment: sig.trustedComment };
}

/**
 * Verifies `message` against `signatureText` with whichever trusted key the signature names; returns the key
 * id and the (verified) trusted comment. Throws MinisignError: malformed, unknown_key or invalid.
 */
export function verifyMinisign(
  message: Uint8Array,
  signatureText: string,
  trusted: readonly MinisignPublicKey[],
): { keyId: string; trustedComment: string } {
  const sig = parseSignature(signatureText);
  const key = trustedKeyFor(sig, trusted);
  const signed = sig.algorithm === "ED" ? createHash("blake2b512").update(message).digest() : message;
  return verifyParsed(sig, key, signed);
}

/**
 * verifyMinisign over a file on disk (an executor checking a downloaded release): the BLAKE2b-512 prehash is
 * streamed, so a ~100 MiB binary is never held in memory whole; only the legacy "Ed" algorithm reads the file.
 */
export async function verifyMinisignFile(
  path: string,
  signatureText: string,
  trusted: readonly MinisignPublicKey[],
): Promise<{ keyId: string; trustedComment: string }> {
  const sig = parseSignature(signatureText);
  const key = trustedKeyFor(sig, trusted);
  if (sig.algorithm === "Ed") return verifyParsed(sig, key, await readFile(path));
  const hash = createHash("blake2b512");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return verifyParsed(sig, key, hash.digest());
}
