/**
 * CSV export: the key is a bearer header, which a plain link cannot send, so the page fetches the file with the key
 * and hands the browser a Blob to save.
 */
import { ApiError } from "../api.js";

/** Fetches /v1/exports/invoices.csv with `query` and saves it under the server's file name. */
export async function downloadInvoicesCsv(key: string, query: URLSearchParams): Promise<void> {
  const search = query.toString();
  let response: Response;
  try {
    response = await fetch(`/v1/exports/invoices.csv${search === "" ? "" : `?${search}`}`, {
      headers: { authorization: `Bearer ${key}`, accept: "text/csv" },
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "NETWORK", "the gateway cannot be reached: check the connection");
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
    throw new ApiError(response.status, body?.error?.code ?? `HTTP_${response.status}`, body?.error?.message ?? `the gateway answered ${response.status}`);
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "invoices.csv";
  const url = URL.createObjectURL(await response.blob());
  try {
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // The click starts the download synchronously; revoke after the event loop turn that hands the URL over.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
