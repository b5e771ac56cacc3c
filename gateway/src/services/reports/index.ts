/** The merchant's reports: daily totals, the invoice CSV export, and one invoice's webhook deliveries. */
export { dailyTotals, REPORT_DEFAULT_DAYS, REPORT_MAX_DAYS, type DailyTotal, type DailyTotals, type DailyTotalsQuery } from "./dailyTotals.js";
export { exportInvoicesCsv, INVOICE_CSV_COLUMNS, CSV_PAGE_ROWS } from "./invoicesCsv.js";
export { csvCell, csvLine } from "./csv.js";
export { listInvoiceDeliveries, INVOICE_DELIVERIES_MAX, type InvoiceDeliveries } from "./invoiceDeliveries.js";
