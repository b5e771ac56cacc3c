/**
 * In-process HTTP request counters and a latency histogram, per (method, route pattern, status). Route patterns
 * (`/v1/invoices/:id`), never raw paths, so the number of series stays bounded whatever clients request.
 */

/** Histogram bucket upper bounds, seconds. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

export interface HttpSeries {
  method: string;
  route: string;
  status: number;
  count: number;
  /** Cumulative counts per bucket of HTTP_DURATION_BUCKETS (then +Inf = count). */
  buckets: number[];
  sumSeconds: number;
}

export interface HttpMetrics {
  observe(method: string, route: string, status: number, seconds: number): void;
  /** Every series, in a stable order. */
  series(): HttpSeries[];
}

/** Most series kept; requests beyond go to one `route="other"` series per method and status. */
const MAX_SERIES = 500;

export function createHttpMetrics(): HttpMetrics {
  const all = new Map<string, HttpSeries>();
  return {
    observe(method, route, status, seconds) {
      let key = `${method} ${route} ${status}`;
      if (!all.has(key) && all.size >= MAX_SERIES) {
        route = "other";
        key = `${method} ${route} ${status}`;
      }
      let s = all.get(key);
      if (s === undefined) {
        s = { method, route, status, count: 0, buckets: HTTP_DURATION_BUCKETS.map(() => 0), sumSeconds: 0 };
        all.set(key, s);
      }
      s.count++;
      s.sumSeconds += seconds;
      HTTP_DURATION_BUCKETS.forEach((le, i) => {
        if (seconds <= le) s.buckets[i]!++;
      });
    },
    series() {
      return [...all.values()].sort((a, b) =>
        a.route === b.route ? (a.method === b.method ? a.status - b.status : a.method < b.method ? -1 : 1) : a.route < b.route ? -1 : 1,
      );
    },
  };
}
