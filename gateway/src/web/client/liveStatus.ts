/**
 * One invoice's live status from the public stream (`/v1/public/invoices/{id}/stream`, no key): EventSource
 * reconnects by itself (the server sends `retry: 2000`), and every `status` message carries the whole state.
 */

export interface LiveStatus {
  invoiceId: string;
  status: string;
}

/** Calls `onStatus` with each status (the current one first); `onConnection(false)` while disconnected. Returns close. */
export function watchInvoiceStatus(
  invoiceId: string,
  onStatus: (status: LiveStatus) => void,
  onConnection: (connected: boolean) => void = () => undefined,
): () => void {
  const source = new EventSource(`/v1/public/invoices/${encodeURIComponent(invoiceId)}/stream`);
  source.addEventListener("status", (event) => {
    try {
      onStatus(JSON.parse((event as MessageEvent<string>).data) as LiveStatus);
    } catch {
      // a malformed message is skipped; the next one carries the whole state again
    }
  });
  source.addEventListener("open", () => onConnection(true));
  source.addEventListener("error", () => onConnection(false));
  return () => source.close();
}
