import { createHash } from "node:crypto";

/**
 * SHA-256 of the whole secret, hex. A plain fast hash is enough: the secret carries 256 random bits, so there is
 * nothing to brute-force; what matters is that the database never holds the secret itself.
 */
export function hashApiKey(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}
