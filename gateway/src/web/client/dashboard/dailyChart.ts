/**
 * The daily totals chart: paid amount per UTC day for one token over the last 30 days, as an SVG of bars built with
 * DOM calls (no chart library, no markup strings), with the same figures in a table for screen readers and for
 * exact reading, and the period's points issued and redeemed.
 */
import { api, errorMessage } from "../api.js";
import { h, replace } from "../dom.js";
import { barHeight, chartScale, daysBetween, formatAmount } from "./format.js";
import type { DailyReport, Session, TokenInfo } from "./types.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const WIDTH = 720;
const HEIGHT = 200;
const AXIS = 20;

/** An SVG element with attributes (the SVG namespace; h() makes HTML elements). */
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

type Day = DailyReport["days"][number];

function chart(days: readonly string[], byDay: Map<string, Day>, token: TokenInfo): SVGSVGElement {
  const paid = days.map((d) => BigInt(byDay.get(d)?.paidAmount ?? "0"));
  const refunded = days.map((d) => BigInt(byDay.get(d)?.refundedAmount ?? "0"));
  const scale = chartScale([...paid, ...refunded]);
  const slot = WIDTH / days.length;
  const bar = Math.max(2, slot * 0.4);
  const plot = HEIGHT - AXIS;
  const total = paid.reduce((a, b) => a + b, 0n);
  const figure = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: "dash-chart",
    role: "img",
    "aria-label": `Paid per day, ${days[0] ?? ""} to ${days[days.length - 1] ?? ""}: ${formatAmount(total, token)} in all. The table below has every day.`,
    "data-bars": days.length,
  });
  figure.append(svg("line", { x1: 0, y1: plot, x2: WIDTH, y2: plot, class: "axis" }));
  days.forEach((day, i) => {
    const x = i * slot + (slot - 2 * bar) / 2;
    const paidPx = barHeight(paid[i] ?? 0n, scale, plot - 4);
    const refundPx = barHeight(refunded[i] ?? 0n, scale, plot - 4);
    figure.append(
      svg("rect", { x, y: plot - paidPx, width: bar, height: paidPx, class: "bar paid", "data-day": day }, svg("title", {}, `${day}: paid ${formatAmount(paid[i] ?? 0n, token)}`)),
      svg("rect", { x: x + bar, y: plot - refundPx, width: bar, height: refundPx, class: "bar refunded" }, svg("title", {}, `${day}: refunded ${formatAmount(refunded[i] ?? 0n, token)}`)),
    );
    // A date every 7 days counted back from the last (today), kept inside the drawing at both ends.
    if ((days.length - 1 - i) % 7 === 0) {
      const anchor = i === days.length - 1 ? "end" : i === 0 ? "start" : "middle";
      const labelX = anchor === "end" ? WIDTH : anchor === "start" ? 0 : i * slot + slot / 2;
      figure.append(svg("text", { x: labelX, y: HEIGHT - 4, class: "label", "text-anchor": anchor }, day.slice(5)));
    }
  });
  return figure;
}

function table(days: readonly string[], byDay: Map<string, Day>, token: TokenInfo): HTMLElement {
  const active = days.filter((d) => byDay.has(d)).reverse();
  return h(
    "details",
    { class: "dash-report" },
    h("summary", {}, "Every day with activity"),
    active.length === 0
      ? h("p", { class: "muted" }, "No activity in this period.")
      : h(
          "div",
          { class: "dash-table" },
          h(
            "table",
            {},
            h("caption", { class: "visually-hidden" }, `Daily totals in ${token.symbol}`),
            h("thead", {}, h("tr", {}, ...["Day (UTC)", "Created", "Paid", "Paid amount", "Refunded", "Points issued", "Points redeemed"].map((t) => h("th", { scope: "col" }, t)))),
            h(
              "tbody",
              {},
              ...active.map((d) => {
                const r = byDay.get(d)!;
                return h(
                  "tr",
                  {},
                  h("th", { scope: "row" }, d),
                  h("td", {}, r.invoicesCreated),
                  h("td", {}, r.paidCount),
                  h("td", {}, formatAmount(r.paidAmount, token)),
                  h("td", {}, formatAmount(r.refundedAmount, token)),
                  h("td", {}, r.pointsIssued),
                  h("td", {}, r.pointsRedeemed),
                );
              }),
            ),
          ),
        ),
  );
}

export interface DailyChart {
  element: HTMLElement;
  /** Reads the report again (after a refund). */
  reload(): Promise<void>;
}

export function dailyChart(session: Session): DailyChart {
  const tokens = session.merchant.tokens;
  const select = h("select", { id: "chart-token" }, ...tokens.map((t) => h("option", { value: t.address }, t.symbol)));
  const body = h("div", {}, h("p", { class: "loading" }, "Loading the daily totals…"));
  const section = h(
    "section",
    { id: "totals", "aria-labelledby": "totals-title" },
    h("h2", { id: "totals-title" }, "Daily totals (last 30 days, UTC)"),
    tokens.length > 1 ? h("div", { class: "dash-inline" }, h("label", { for: "chart-token" }, "Token"), select) : false,
    body,
  );
  let report: DailyReport | undefined;
  const draw = () => {
    if (report === undefined) return;
    const token = tokens.find((t) => t.address.toLowerCase() === select.value.toLowerCase()) ?? tokens[0];
    if (token === undefined) {
      replace(body, h("p", { class: "muted" }, "The escrow accepts no tokens yet."));
      return;
    }
    const rows = report.days.filter((d) => d.token.address.toLowerCase() === token.address.toLowerCase());
    const byDay = new Map(rows.map((r) => [r.date, r]));
    const sum = (pick: (r: Day) => string) => rows.reduce((n, r) => n + BigInt(pick(r)), 0n);
    replace(
      body,
      h(
        "ul",
        { class: "dash-kpis" },
        h("li", {}, h("span", {}, "Paid"), h("strong", { "data-kpi": "paid" }, formatAmount(sum((r) => r.paidAmount), token))),
        h("li", {}, h("span", {}, "Refunded"), h("strong", { "data-kpi": "refunded" }, formatAmount(sum((r) => r.refundedAmount), token))),
        h("li", {}, h("span", {}, "Points issued"), h("strong", { "data-kpi": "points-issued" }, sum((r) => r.pointsIssued).toString())),
        h("li", {}, h("span", {}, "Points redeemed"), h("strong", { "data-kpi": "points-redeemed" }, sum((r) => r.pointsRedeemed).toString())),
      ),
      chart(daysBetween(report.from, report.to), byDay, token),
      h("p", { class: "dash-legend muted" }, h("span", { class: "key paid" }), " paid ", h("span", { class: "key refunded" }), " refunded"),
      table(daysBetween(report.from, report.to), byDay, token),
    );
  };
  const reload = async () => {
    try {
      report = await api<DailyReport>("/v1/reports/daily", { key: session.key });
      // Start on the first token that had activity.
      const active = report.days[0]?.token.address;
      if (active !== undefined && select.dataset.touched === undefined) select.value = tokens.find((t) => t.address.toLowerCase() === active)?.address ?? select.value;
      draw();
    } catch (error) {
      replace(body, h("p", { class: "notice error" }, errorMessage(error)));
    }
  };
  select.addEventListener("change", () => {
    select.dataset.touched = "";
    draw();
  });
  void reload();
  return { element: section, reload };
}
