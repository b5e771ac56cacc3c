/**
 * The webhook SSRF guard: which addresses are refused (each class), URL rules (scheme, credentials, https),
 * names resolving to private addresses (at creation and at send time, where the connection uses the checked
 * answer), and the development setting that lifts the address rules.
 */
import { expect } from "chai";

import {
  checkWebhookUrl,
  checkWebhookUrlSyntax,
  fetchTransport,
  nonPublicAddressReason,
  postWebhook,
  WebhookTimeoutError,
  WebhookUrlError,
  type ResolveHost,
} from "../../gateway/src/services/index.js";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhookReceiver.js";

const refusal = async (url: string, policy: Parameters<typeof checkWebhookUrl>[1] = {}): Promise<string> => {
  try {
    await checkWebhookUrl(url, policy);
    return "accepted";
  } catch (error) {
    expect(error).to.be.instanceOf(WebhookUrlError);
    expect((error as WebhookUrlError).code).to.equal("WEBHOOK_URL_REFUSED");
    return (error as WebhookUrlError).message;
  }
};

/** A resolver that answers from a table (no network in tests). */
const table =
  (answers: Record<string, string[]>): ResolveHost =>
  async (host) => {
    const found = answers[host];
    if (found === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return found;
  };

describe("gateway webhooks: SSRF guard", function () {
  describe("nonPublicAddressReason", function () {
    const refused: [string, RegExp][] = [
      ["127.0.0.1", /loopback/],
      ["127.255.255.254", /loopback/],
      ["10.1.2.3", /private \(10/],
      ["172.16.0.1", /private \(172\.16/],
      ["172.31.255.255", /private \(172\.16/],
      ["192.168.1.1", /private \(192\.168/],
      ["100.64.0.1", /shared/],
      ["100.127.255.255", /shared/],
      ["169.254.169.254", /link-local .*metadata/],
      ["0.0.0.0", /unspecified/],
      ["0.1.2.3", /unspecified/],
      ["224.0.0.1", /multicast/],
      ["255.255.255.255", /reserved/],
      ["192.0.2.10", /documentation/],
      ["198.18.0.1", /benchmarking/],
      ["::1", /loopback/],
      ["::", /unspecified/],
      ["fc00::1", /unique local/],
      ["fd12:3456::1", /unique local/],
      ["fe80::1", /link-local/],
      ["fe80::1%eth0", /link-local/],
      ["febf::1", /link-local/],
      ["ff02::1", /multicast/],
      ["::ffff:127.0.0.1", /IPv4-mapped loopback/],
      ["::ffff:7f00:1", /IPv4-mapped loopback/],
      ["::ffff:a9fe:a9fe", /IPv4-mapped link-local/],
      ["::ffff:10.0.0.1", /IPv4-mapped private/],
      ["64:ff9b::a00:1", /NAT64 private/],
      ["2002:7f00:1::", /6to4 loopback/],
      ["::127.0.0.1", /IPv4-compatible/],
      ["2001:db8::1", /documentation/],
      ["not-an-ip", /not an IP address/],
    ];
    for (const [address, reason] of refused) {
      it(`refuses ${address}`, function () {
        expect(nonPublicAddressReason(address)).to.match(reason);
      });
    }
    it("accepts public addresses (v4, v6, and v4 embedded in v6 when the v4 is public)", function () {
      for (const address of ["8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1", "11.0.0.1", "2606:4700:4700::1111", "2a00:1450::1", "::ffff:8.8.8.8", "64:ff9b::808:808"]) {
        expect(nonPublicAddressReason(address), address).to.equal(undefined);
      }
    });
  });

  describe("checkWebhookUrl", function () {
    const resolveHost = table({
      "hooks.shop.example": ["93.184.216.34", "2606:2800:220:1::1"],
      "internal.shop.example": ["10.0.0.7"],
      "rebind.shop.example": ["93.184.216.34", "127.0.0.1"],
      "metadata.shop.example": ["169.254.169.254"],
      "v6.shop.example": ["fd00::1"],
    });

    it("accepts https to a public name or address", async function () {
      expect(await refusal("https://hooks.shop.example/scanpay", { resolveHost })).to.equal("accepted");
      expect(await refusal("https://93.184.216.34:8443/hook")).to.equal("accepted");
      expect(await refusal("https://[2606:4700:4700::1111]/hook")).to.equal("accepted");
    });

    it("refuses schemes other than http(s)", async function () {
      for (const url of ["ftp://hooks.shop.example/", "file:///etc/passwd", "gopher://hooks.shop.example/", "javascript:alert(1)", "ws://hooks.shop.example/"]) {
        expect(await refusal(url, { resolveHost }), url).to.match(/must be https/);
      }
    });

    it("refuses credentials in the URL, even in development", async function () {
      expect(await refusal("https://user:pw@hooks.shop.example/", { resolveHost })).to.match(/credentials/);
      expect(await refusal("http://user@127.0.0.1/", { allowPrivateUrls: true })).to.match(/credentials/);
    });

    it("refuses plain http unless private URLs are allowed", async function () {
      expect(await refusal("http://hooks.shop.example/", { resolveHost })).to.match(/must be https/);
      expect(await refusal("http://hooks.shop.example/", { resolveHost, allowPrivateUrls: true })).to.equal("accepted");
    });

    it("refuses non-URLs and over-long URLs", async function () {
      expect(await refusal("hooks.shop.example/x")).to.match(/not an absolute URL/);
      expect(await refusal(`https://hooks.shop.example/${"a".repeat(2048)}`, { resolveHost })).to.match(/longer than/);
    });

    it("refuses each class of non-public IP literal, in every spelling the URL parser normalises", async function () {
      const cases: [string, RegExp][] = [
        ["https://127.0.0.1/", /loopback/],
        ["https://2130706433/", /127\.0\.0\.1.*loopback/],
        ["https://0x7f.1/", /127\.0\.0\.1.*loopback/],
        ["https://017700000001/", /127\.0\.0\.1.*loopback/],
        ["https://10.0.0.1/", /private/],
        ["https://172.20.1.1/", /private/],
        ["https://192.168.0.10:8080/", /private/],
        ["https://100.64.1.1/", /shared/],
        ["https://169.254.169.254/latest/meta-data/", /metadata/],
        ["https://0.0.0.0/", /unspecified/],
        ["https://[::1]/", /loopback/],
        ["https://[::]/", /unspecified/],
        ["https://[fc00::1]/", /unique local/],
        ["https://[fe80::1]/", /link-local/],
        ["https://[::ffff:127.0.0.1]/", /IPv4-mapped loopback/],
      ];
      for (const [url, reason] of cases) expect(await refusal(url), url).to.match(reason);
    });

    it("refuses local names without asking DNS (localhost, *.localhost, single-label intranet names)", async function () {
      const never: ResolveHost = async () => {
        throw new Error("DNS must not be asked");
      };
      expect(await refusal("https://localhost/", { resolveHost: never })).to.match(/loopback/);
      expect(await refusal("https://LOCALHOST./", { resolveHost: never })).to.match(/loopback/);
      expect(await refusal("https://api.localhost/", { resolveHost: never })).to.match(/loopback/);
      expect(await refusal("https://intranet/", { resolveHost: never })).to.match(/not a public domain name/);
    });

    it("refuses a name that resolves to a private address, or to any private address among public ones", async function () {
      expect(await refusal("https://internal.shop.example/", { resolveHost })).to.match(/resolves to 10\.0\.0\.7.*private/);
      expect(await refusal("https://rebind.shop.example/", { resolveHost })).to.match(/resolves to 127\.0\.0\.1.*loopback/);
      expect(await refusal("https://metadata.shop.example/", { resolveHost })).to.match(/metadata/);
      expect(await refusal("https://v6.shop.example/", { resolveHost })).to.match(/unique local/);
    });

    it("refuses a name that does not resolve", async function () {
      expect(await refusal("https://nowhere.shop.example/", { resolveHost })).to.match(/does not resolve/);
    });

    it("uses the system resolver by default (a name for loopback in /etc/hosts is refused after resolution)", async function () {
      // localhost.localdomain is not caught by the name rule (no .localhost suffix); the system resolver answers it.
      const message = await refusal("https://localhost.localdomain/");
      expect(message).to.match(/resolves to .*loopback|does not resolve/);
    });

    it("allows every address with the development setting (allowPrivateUrls), http included", async function () {
      for (const url of ["http://127.0.0.1:8080/hook", "http://localhost/hook", "https://10.0.0.1/", "http://[::1]:3000/", "http://intranet/"]) {
        expect(await refusal(url, { allowPrivateUrls: true }), url).to.equal("accepted");
      }
      expect(checkWebhookUrlSyntax("http://127.0.0.1:1/", { allowPrivateUrls: true }).port).to.equal("1");
    });
  });

  describe("postWebhook (send time)", function () {
    let receiver: WebhookReceiver;
    before(async function () {
      receiver = await startWebhookReceiver();
    });
    after(async function () {
      await receiver.close();
    });
    beforeEach(function () {
      receiver.received.length = 0;
    });

    const send = (url: string, allowPrivateUrls: boolean, resolveHost?: ResolveHost) =>
      postWebhook({
        url: new URL(url),
        headers: { "content-type": "application/json" },
        body: "{}",
        timeoutMs: 2000,
        allowPrivateUrls,
        ...(resolveHost === undefined ? {} : { resolveHost }),
      }).then(
        (r) => r.status,
        (e: Error) => e,
      );

    it("connects when private URLs are allowed (the control: this receiver is reachable)", async function () {
      expect(await send(`http://localhost:${receiver.port}/hook`, true)).to.equal(200);
      expect(receiver.received).to.have.length(1);
    });

    it("refuses to connect when the name resolves to a private address at send time (DNS changed after creation)", async function () {
      const rebound = table({ "hooks.shop.example": ["127.0.0.1"] });
      const result = await send(`http://hooks.shop.example:${receiver.port}/hook`, false, rebound);
      expect(result).to.be.instanceOf(WebhookUrlError);
      expect((result as Error).message).to.match(/resolves to 127\.0\.0\.1.*loopback/);
      expect(receiver.received).to.have.length(0);
    });

    it("refuses through the system resolver too (localhost resolved at connect time)", async function () {
      const result = await send(`http://localhost:${receiver.port}/hook`, false);
      expect(result).to.be.instanceOf(WebhookUrlError);
      expect(receiver.received).to.have.length(0);
    });
  });

  describe("fetchTransport (the sender's fetch option)", function () {
    let receiver: WebhookReceiver;
    before(async function () {
      receiver = await startWebhookReceiver();
    });
    after(async function () {
      await receiver.close();
    });
    beforeEach(function () {
      receiver.received.length = 0;
      receiver.respond = () => 200;
    });

    const send = (url: string, allowPrivateUrls: boolean, options: { resolveHost?: ResolveHost; timeoutMs?: number } = {}) =>
      fetchTransport(fetch)({
        url: new URL(url),
        headers: { "content-type": "application/json", "scanpay-event-id": "evt_1" },
        body: '{"a":1}',
        timeoutMs: options.timeoutMs ?? 2000,
        allowPrivateUrls,
        ...(options.resolveHost === undefined ? {} : { resolveHost: options.resolveHost }),
      }).then(
        (r) => r.status,
        (e: Error) => e,
      );

    it("posts the body and headers with the platform fetch", async function () {
      receiver.respond = () => 204;
      expect(await send(receiver.url, true)).to.equal(204);
      expect(receiver.received).to.have.length(1);
      expect(receiver.received[0]).to.include({ body: '{"a":1}' });
      expect(receiver.received[0]!.headers["scanpay-event-id"]).to.equal("evt_1");
    });

    it("checks the name before calling fetch: a name resolving to loopback is refused, nothing is sent", async function () {
      const result = await send(`https://hooks.shop.example:${receiver.port}/hook`, false, { resolveHost: table({ "hooks.shop.example": ["127.0.0.1"] }) });
      expect(result).to.be.instanceOf(WebhookUrlError);
      expect(receiver.received).to.have.length(0);
    });

    it("does not follow redirects: the 3xx is the answer", async function () {
      receiver.respond = (_r, i) => (i === 0 ? { status: 307, location: `${receiver.url}?next` } : 200);
      expect(await send(receiver.url, true)).to.equal(307);
      expect(receiver.received).to.have.length(1);
    });

    it("times out a receiver that does not answer", async function () {
      receiver.respond = () => new Promise((resolve) => setTimeout(() => resolve(200), 800));
      const result = await send(receiver.url, true, { timeoutMs: 150 });
      expect(result).to.be.instanceOf(WebhookTimeoutError);
      expect((result as Error).message).to.equal("timed out after 150 ms");
    });
  });
});
