/**
 * Rate limiting (api/rateLimit.ts): a token bucket per API key and per client IP, 429 RATE_LIMITED with
 * Retry-After and RateLimit-* headers, refills with time (an injected clock), made-up keys cannot buy fresh
 * buckets, probes are exempt, and `rateLimit: false` turns it off. Also over real HTTP, where the IP is the socket's.
 */
import { expect } from "chai";

import { createApp } from "../../gateway/src/api/index.js";
import type { RateLimitOptions } from "../../gateway/src/api/rateLimit.js";
import { startGateway, type RunningGateway } from "../../gateway/src/server.js";
import { onEachBackend } from "./helpers/backends.js";
import { call, expectError, useApiSuite } from "./helpers/apiFixture.js";

describe("gateway API: rate limiting", function () {
  this.timeout(60_000);
  onEachBackend((suite) => {
    const s = useApiSuite(suite);
    let clock = 1_000_000;
    const limits = (extra: RateLimitOptions = {}): RateLimitOptions => ({
      key: { ratePerSecond: 1, burst: 3 },
      anonymous: { ratePerSecond: 1, burst: 2 },
      failedAuth: { ratePerSecond: 1, burst: 2 },
      ipHeader: "x-forwarded-for",
      now: () => clock,
      ...extra,
    });
    const appWith = (rateLimit: RateLimitOptions | false) => createApp({ ...s().ctx, rateLimit });
    const from = (ip: string) => ({ "x-forwarded-for": `${ip}, 10.0.0.1` });

    it("lets a key's burst through, then answers 429 RATE_LIMITED with Retry-After and RateLimit headers until it refills", async function () {
      const app = appWith(limits());
      const key = s().a.keys.read;
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await call(app, "GET", "/v1/invoices", { key, headers: from("192.0.2.1") });
        expect(res.status, res.text).to.equal(200);
        expect(res.headers.get("ratelimit-limit")).to.equal("3");
        remaining.push(res.headers.get("ratelimit-remaining") ?? "");
      }
      expect(remaining).to.deep.equal(["2", "1", "0"]);
      const limited = await call(app, "GET", "/v1/invoices", { key, headers: from("192.0.2.1") });
      expectError(limited, 429, "RATE_LIMITED");
      expect(limited.json.error.message).to.include("API key");
      expect(limited.headers.get("retry-after")).to.equal("1");
      expect(limited.headers.get("ratelimit-remaining")).to.equal("0");
      expect(limited.headers.get("ratelimit-reset")).to.equal("3");
      expect(limited.headers.get("ratelimit-policy")).to.equal("3;w=3");
      // The same key from another address shares its bucket; another key of the same merchant does not.
      expectError(await call(app, "GET", "/v1/invoices", { key, headers: from("198.51.100.7") }), 429, "RATE_LIMITED");
      expect((await call(app, "GET", "/v1/invoices", { key: s().a.keys.all, headers: from("192.0.2.1") })).status).to.equal(200);
      clock += 1_000;
      const refilled = await call(app, "GET", "/v1/invoices", { key, headers: from("192.0.2.1") });
      expect(refilled.status).to.equal(200);
      expect(refilled.headers.get("ratelimit-remaining")).to.equal("0");
      expectError(await call(app, "GET", "/v1/invoices", { key, headers: from("192.0.2.1") }), 429, "RATE_LIMITED");
    });

    it("limits requests without a key per client address, and never the health probes", async function () {
      const app = appWith(limits());
      for (let i = 0; i < 2; i++) expect((await call(app, "GET", "/openapi.json", { headers: from("203.0.113.5") })).status).to.equal(200);
      const limited = await call(app, "GET", "/openapi.json", { headers: from("203.0.113.5") });
      expectError(limited, 429, "RATE_LIMITED");
      expect(limited.json.error.message).to.include("address");
      expect((await call(app, "GET", "/openapi.json", { headers: from("203.0.113.6") })).status).to.equal(200);
      for (let i = 0; i < 5; i++) expect((await call(app, "GET", "/healthz", { headers: from("203.0.113.5") })).status).to.equal(200);
    });

    it("counts failed authentications per address, so made-up key ids cannot buy fresh buckets", async function () {
      const app = appWith(limits({ key: { ratePerSecond: 1, burst: 100 } }));
      const fake = (i: number) => `sp_live_${i.toString(16).padStart(24, "0")}_${"A".repeat(43)}`;
      expectError(await call(app, "GET", "/v1/invoices", { key: fake(1), headers: from("192.0.2.99") }), 401, "UNAUTHENTICATED");
      expectError(await call(app, "GET", "/v1/invoices", { key: fake(2), headers: from("192.0.2.99") }), 401, "UNAUTHENTICATED");
      const blocked = await call(app, "GET", "/v1/invoices", { key: fake(3), headers: from("192.0.2.99") });
      expectError(blocked, 429, "RATE_LIMITED");
      expect(blocked.json.error.message).to.include("failed authentications");
      // Even a real key from that address waits; from elsewhere it works.
      expectError(await call(app, "GET", "/v1/invoices", { key: s().b.keys.read, headers: from("192.0.2.99") }), 429, "RATE_LIMITED");
      expect((await call(app, "GET", "/v1/invoices", { key: s().b.keys.read, headers: from("192.0.2.100") })).status).to.equal(200);
      clock += 1_000;
      expect((await call(app, "GET", "/v1/invoices", { key: s().b.keys.read, headers: from("192.0.2.99") })).status).to.equal(200);
    });

    it("does not limit in-process calls that come from no socket and carry no proxy header", async function () {
      const app = appWith(limits());
      for (let i = 0; i < 10; i++) {
        const res = await call(app, "GET", "/v1/invoices", { key: s().b.keys.all });
        expect(res.status).to.equal(200);
        expect(res.headers.get("ratelimit-limit")).to.equal(null);
      }
    });

    it("is off with rateLimit: false (no headers, no 429)", async function () {
      const app = appWith(false);
      for (let i = 0; i < 30; i++) {
        const res = await call(app, "GET", "/openapi.json", { headers: from("192.0.2.200") });
        expect(res.status).to.equal(200);
        expect(res.headers.get("ratelimit-limit")).to.equal(null);
      }
    });

    it("limits by the socket's address over real HTTP when no proxy header is configured", async function () {
      let gateway: RunningGateway | undefined;
      try {
        gateway = await startGateway({ ...s().ctx, host: "127.0.0.1", port: 0, rateLimit: { anonymous: { ratePerSecond: 0.5, burst: 2 } } });
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) {
          const res = await fetch(`${gateway.url}/openapi.json`, { headers: { "x-forwarded-for": `198.51.100.${i}` } });
          await res.arrayBuffer();
          statuses.push(res.status);
          if (res.status === 429) expect(res.headers.get("retry-after")).to.equal("2");
        }
        expect(statuses).to.deep.equal([200, 200, 429]);
      } finally {
        await gateway?.close();
      }
    });
  });
});
