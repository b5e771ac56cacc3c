/** The countdown to an invoice's expiry, as the cashier reads it ("14:59", "1:02:03"). Pure. */

/** `ms` left as m:ss (h:mm:ss from an hour), rounded up to the second; "0:00" once it is over. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${ss}` : `${minutes}:${ss}`;
}
