// The per-organization webhook signing secret: generated, sealed for storage, opened to sign. The control
// plane must hold the secret itself to compute each signature, so a hash (which only verifies) cannot do;
// it is stored AES-256-GCM encrypted with a key derived (HKDF-SHA256) from the auth secret, which lives
// outside the database (auth/secret.ts). A copy of the database alone therefore reveals no signing secret.
// Signature: HMAC-SHA256 over `<unix seconds>.<body>`, sent as `x-novacula-signature: t=<s>,v1=<hex>`.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";

const SEAL_VERSION = "v1";
const KEY_INFO = "novacula webhook signing secret v1";
export const SIGNATURE_HEADER = "x-novacula-signature";
export const DELIVERY_HEADER = "x-novacula-delivery";

export class WebhookSecretBox {
  private readonly key: Buffer;

  constructor(authSecret: string) {
    this.key = Buffer.from(hkdfSync("sha256", authSecret, "novacula", KEY_INFO, 32));
  }

  /** A new secret, `whsec_` + 32 random bytes (base64url): shown once, then only stored sealed. */
  static generate(): string {
    return `whsec_${randomBytes(32).toString("base64url")}`;
  }

  seal(secret: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const sealed = Buffer.concat([cipher.update(secret, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `${SEAL_VERSION}:${iv.toString("base64url")}:${sealed.toString("base64url")}`;
  }

  /** The secret, or null when it was sealed under another key (the auth secret changed). */
  open(sealed: string): string | null {
    const [version, iv, data] = sealed.split(":");
    if (version !== SEAL_VERSION || !iv || !data) return null;
    try {
      const bytes = Buffer.from(data, "base64url");
      const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([
        decipher.update(bytes.subarray(0, bytes.length - 16)),
        decipher.final(),
      ]).toString("utf8");
    } catch {
      return null;
    }
  }
}

/** The signature header value for `body` sent at `unixSeconds`. */
export function signatureHeader(secret: string, unixSeconds: number, body: string): string {
  const v1 = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${v1}`;
}
