/**
 * One Idempotency-Key per charge attempt. Pressing "Charge" again for the same request after it failed (a network
 * error, a timeout: the first request may have created the invoice all the same) sends the same key, so the gateway
 * answers with the invoice it already made instead of creating a second one. A different request, or the first
 * charge after a successful one, gets a new key.
 */
import type { ChargeRequest } from "./types.js";

export interface ChargeAttempt {
  idempotencyKey: string;
  /** When the attempt was first sent (ms, the page's clock): the countdown to expiry starts there. */
  startedAt: number;
}

/** A key of 128 random bits. crypto.getRandomValues, unlike randomUUID, exists on plain-http intranet origins too. */
export function randomIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `pos-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export class ChargeAttempts {
  #pending: { fingerprint: string; attempt: ChargeAttempt } | undefined;

  constructor(
    private readonly newKey: () => string = randomIdempotencyKey,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The attempt to send `request` under: the unfinished one when it is the same request, else a new one. */
  attemptFor(request: ChargeRequest): ChargeAttempt {
    const fingerprint = JSON.stringify([request.amount, request.token, request.expiresIn, request.pointsRedeem ?? 0, request.payer ?? ""]);
    if (this.#pending === undefined || this.#pending.fingerprint !== fingerprint) {
      this.#pending = { fingerprint, attempt: { idempotencyKey: this.newKey(), startedAt: this.now() } };
    }
    return this.#pending.attempt;
  }

  /** The gateway answered for the attempt (an invoice, or a definite refusal): the next charge is a new attempt. */
  finished(): void {
    this.#pending = undefined;
  }
}
