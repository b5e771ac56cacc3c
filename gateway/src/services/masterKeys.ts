/**
 * Master keys that encrypt secrets at rest (AES-256-GCM). The gateway gets them from its environment (never from
 * the database, never logged); every sealed value records the id of the key that sealed it, so the master key can
 * rotate: give the new key as `current` and the old ones as `previous` until `rotateMasterKey` has re-sealed
 * every row.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

import { InvalidInputError, MasterKeyError } from "../errors.js";

export interface MasterKey {
  /** Short stable name, stored next to each ciphertext (e.g. "2026-12"). */
  readonly id: string;
  /** 32 random bytes. */
  readonly key: Uint8Array;
}

export interface MasterKeyring {
  /** Seals everything new; opens what it sealed. */
  readonly current: MasterKey;
  /** Retired keys still able to open older rows. */
  readonly previous?: readonly MasterKey[];
}

export interface SealedSecret {
  ciphertext: string;
  iv: string;
  tag: string;
  masterKeyId: string;
}

function checkKey(key: MasterKey): void {
  if (key.key.length !== 32) throw new InvalidInputError("masterKey", `master key "${key.id}" must be 32 bytes`);
  if (key.id.length === 0) throw new InvalidInputError("masterKey", "master key id must not be empty");
}

/** Encrypts `plaintext` under the current master key; `context` is authenticated (binds it to its row). */
export function sealSecret(keyring: MasterKeyring, plaintext: Uint8Array, context: string): SealedSecret {
  checkKey(keyring.current);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyring.current.key, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    ciphertext: ciphertext.toString("base64"),
    iv: iv.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
    masterKeyId: keyring.current.id,
  };
}

/** Decrypts a sealed secret with the keyring's key of the same id; a typed error if absent or not matching. */
export function openSecret(keyring: MasterKeyring, sealed: SealedSecret, context: string): Buffer {
  const key = [keyring.current, ...(keyring.previous ?? [])].find((k) => k.id === sealed.masterKeyId);
  if (key === undefined) {
    throw new MasterKeyError(`no master key with id "${sealed.masterKeyId}" was given to the gateway`);
  }
  checkKey(key);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(sealed.iv, "base64"));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, "base64")), decipher.final()]);
  } catch (error) {
    throw new MasterKeyError(`master key "${key.id}" does not open this secret (wrong key or altered data)`, {
      cause: error,
    });
  }
}
