// Release signing for scripts/release.ts and the tests: minisign key pairs and signatures, in the format the
// minisign tool reads and writes (src/lib/minisign.ts says the layout). Never compiled into the binary: a
// running novacula only verifies. Secret keys are minisign's unencrypted kind (`minisign -G -W`); an
// encrypted one is refused with the way out. BLAKE2b-256 (the key checksum) is Bun's, the rest node:crypto.
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, verify } from "node:crypto";
import { ed25519PublicKey, keyIdHex, MinisignError } from "../src/lib/minisign.ts";

export interface SecretKey {
  keyId: string;
  keyIdBytes: Buffer;
  seed: Buffer;
  publicKey: Buffer;
}

const ALG = Buffer.from("Ed", "latin1");

function checksum(keyIdBytes: Buffer, seed: Buffer, publicKey: Buffer): Buffer {
  const hasher = new Bun.CryptoHasher("blake2b256");
  hasher.update(Buffer.concat([ALG, keyIdBytes, seed, publicKey]));
  return Buffer.from(hasher.digest());
}

/** A fresh key pair: the public key line (for the compiled-in list) and the secret key file's text. */
export function generateKeyPair(): { publicKey: string; secretKey: string; keyId: string } {
  const pair = generateKeyPairSync("ed25519");
  const jwk = pair.privateKey.export({ format: "jwk" }) as { d: string; x: string };
  const seed = Buffer.from(jwk.d, "base64url");
  const publicKey = Buffer.from(jwk.x, "base64url");
  const keyIdBytes = randomBytes(8);
  const keyId = keyIdHex(keyIdBytes);
  const pub = Buffer.concat([ALG, keyIdBytes, publicKey]).toString("base64");
  const zero8 = Buffer.alloc(8);
  const secret = Buffer.concat([
    ALG,
    Buffer.from([0, 0]), // no KDF: the file itself is the secret (keep it in a secret store)
    Buffer.from("B2", "latin1"),
    Buffer.alloc(32), // KDF salt, unused
    zero8, // KDF opslimit, unused
    zero8, // KDF memlimit, unused
    keyIdBytes,
    seed,
    publicKey,
    checksum(keyIdBytes, seed, publicKey),
  ]).toString("base64");
  return {
    keyId,
    publicKey: `untrusted comment: minisign public key ${keyId}\n${pub}\n`,
    secretKey: `untrusted comment: minisign secret key ${keyId}\n${secret}\n`,
  };
}

/** Reads an unencrypted minisign secret key file. */
export function parseSecretKey(text: string): SecretKey {
  const line = text
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l !== "" && !l.startsWith("untrusted comment:"));
  const bytes = Buffer.from(line ?? "", "base64");
  if (bytes.length !== 158 || bytes.subarray(0, 2).toString("latin1") !== "Ed")
    throw new MinisignError("malformed", "not a minisign secret key file");
  const kdf = bytes.subarray(2, 4);
  if (kdf[0] !== 0 || kdf[1] !== 0) {
    throw new MinisignError(
      "malformed",
      "the secret key is password-protected: sign with the minisign tool (`minisign -S -H -s KEY -m FILE`) and pass the signature with --signature, or use an unencrypted key (`minisign -G -W`) kept in a secret store",
    );
  }
  const keyIdBytes = Buffer.from(bytes.subarray(54, 62));
  const seed = Buffer.from(bytes.subarray(62, 94));
  const publicKey = Buffer.from(bytes.subarray(94, 126));
  // minisign -W (0.11) leaves the checksum of an unencrypted key zero; a non-zero one must match.
  const stored = bytes.subarray(126, 158);
  if (!stored.equals(Buffer.alloc(32)) && !checksum(keyIdBytes, seed, publicKey).equals(stored))
    throw new MinisignError("malformed", "the secret key's checksum does not match (corrupt file?)");
  const key = { keyId: keyIdHex(keyIdBytes), keyIdBytes, seed, publicKey };
  // The seed and the public key must belong together, or every signature made with them would fail.
  const probe = Buffer.from("novacula key check");
  if (!verify(null, probe, ed25519PublicKey(publicKey), sign(null, probe, privateKeyOf(key))))
    throw new MinisignError("malformed", "the secret key's halves do not belong together (corrupt file?)");
  return key;
}

function privateKeyOf(key: Pick<SecretKey, "seed" | "publicKey">) {
  return createPrivateKey({
    key: {
      kty: "OKP",
      crv: "Ed25519",
      d: key.seed.toString("base64url"),
      x: key.publicKey.toString("base64url"),
    },
    format: "jwk",
  });
}

/** A minisign signature (prehashed, algorithm "ED") of `message`, with `trustedComment` signed too. */
export function signMinisign(message: Uint8Array, key: SecretKey, trustedComment: string): string {
  if (/[\r\n]/.test(trustedComment)) throw new Error("a trusted comment is one line");
  const privateKey = privateKeyOf(key);
  const digest = createHash("blake2b512").update(message).digest();
  const signature = sign(null, digest, privateKey);
  const global = sign(null, Buffer.concat([signature, Buffer.from(trustedComment, "utf8")]), privateKey);
  const line = Buffer.concat([Buffer.from("ED", "latin1"), key.keyIdBytes, signature]).toString("base64");
  return [
    "untrusted comment: signature from minisign secret key",
    line,
    `trusted comment: ${trustedComment}`,
    global.toString("base64"),
    "",
  ].join("\n");
}
