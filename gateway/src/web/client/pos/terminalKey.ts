/**
 * The terminal's key: checked with GET /v1/merchant (any valid key answers, with its scopes), and kept only when it
 * may create invoices. A refusal says what to do in words; a network failure keeps the key (the gateway may be back
 * in a moment).
 */
import { api, ApiError } from "../api.js";
import type { MerchantProfile } from "./types.js";

/** The key cannot be used at this terminal: sign in with another one. */
export class TerminalKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TerminalKeyError";
  }
}

export async function loadTerminalProfile(key: string): Promise<MerchantProfile> {
  let profile: MerchantProfile;
  try {
    profile = await api<MerchantProfile>("/v1/merchant", { key });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      throw new TerminalKeyError("The gateway does not accept this key: it was mistyped, or it has been revoked. Sign in with a current terminal key.");
    }
    throw error;
  }
  if (!profile.scopes.includes("create")) {
    const scopes = profile.scopes.length === 0 ? "none" : profile.scopes.join(", ");
    throw new TerminalKeyError(
      `This key cannot take payments (its scopes: ${scopes}). A point of sale needs a key with the create scope: a terminal key.`,
    );
  }
  return profile;
}
