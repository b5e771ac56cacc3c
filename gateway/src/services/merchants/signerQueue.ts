/**
 * One transaction at a time per signer key in this process. A merchant's invoice signer sends the deposit keeper's
 * settlements, the checkout's relayed one-signature payments and the gateway's refunds and releases; two of them
 * sending at the same moment would both take the same pending nonce, and one would be refused by the node. Each
 * send holds its signer's turn until its transaction is broadcast (or the send failed), then the next one reads
 * the new pending nonce. Across instances the keeper runs on one leader only (its lock); a clash with another
 * instance's relay or refund is refused by the node before anything is spent, and the caller may retry.
 */

const queues = new Map<string, Promise<void>>();

/**
 * Runs `send` when `address` has no other send in progress here. `send` gets `release` to call once its transaction
 * is broadcast (so the next send does not wait for a receipt); the turn ends at the latest when `send` settles.
 */
export async function withSignerTurn<T>(address: string, send: (release: () => void) => Promise<T>): Promise<T> {
  const key = address.toLowerCase();
  const before = queues.get(key) ?? Promise.resolve();
  let release!: () => void;
  const turn = new Promise<void>((resolve) => (release = resolve));
  const tail = before.then(() => turn);
  queues.set(key, tail);
  await before;
  try {
    return await send(release);
  } finally {
    release();
    // The last in line removes the entry (the map holds only signers with sends in progress).
    if (queues.get(key) === tail) queues.delete(key);
  }
}
