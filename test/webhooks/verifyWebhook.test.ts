/**
 * The SDK's webhook verifier: accepts what the gateway signs, refuses tampered bodies, wrong secrets, old or future
 * timestamps, missing and malformed headers and non-event payloads, each with its stable code; several v1 values
 * and several secrets (rotation); a fixed test vector that docs/webhooks.md repeats for other languages.
 */
import { createHmac } from "node:crypto";

import { expect } from "chai";

import { verifyWebhook, WebhookVerificationError, type VerifyWebhookOptions } from "../../src/index.js";
import { signWebhook } from "../../gateway/src/services/webhooks/signWebhook.js";

const SECRET = "whsec_dGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQ";
const OTHER = "whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC1vdGhlci1zZWNy";
const NOW = 1_790_000_000;
const EVENT = {
  id: "evt_0123456789abcdef0123456789abcdef",
  seq: "42",
  type: "invoice.paid",
  createdAt: "2026-09-21T12:00:00.000Z",
  merchantId: "6f1c2b9e-6a43-4f0e-9d7e-1c2b3a4d5e6f",
  invoiceId: "0b1c2b9e-6a43-4f0e-9d7e-1c2b3a4d5e6f",
  data: { status: "paid", amount: "12500000" },
};
const BODY = JSON.stringify(EVENT);

function codeOf(options: Partial<VerifyWebhookOptions>): string {
  try {
    verifyWebhook({ payload: BODY, header: signWebhook(SECRET, NOW, BODY), secret: SECRET, now: NOW, ...options });
  } catch (error) {
    expect(error).to.be.instanceOf(WebhookVerificationError);
    return (error as WebhookVerificationError).code;
  }
  return "accepted";
}

describe("verifyWebhook", function () {
  it("returns the event of a request the gateway signed (string or Buffer payload)", function () {
    const header = signWebhook(SECRET, NOW, BODY);
    expect(verifyWebhook({ payload: BODY, header, secret: SECRET, now: NOW })).to.deep.equal(EVENT);
    expect(verifyWebhook({ payload: Buffer.from(BODY), header, secret: SECRET, now: NOW })).to.deep.equal(EVENT);
  });

  it("matches the documented test vector (HMAC-SHA256 of \"<t>.<body>\" with the whole whsec_ string as key)", function () {
    const body = '{"id":"evt_test","type":"invoice.paid","data":{}}';
    const expected = createHmac("sha256", SECRET).update(`${NOW}.${body}`).digest("hex");
    expect(signWebhook(SECRET, NOW, body)).to.equal(`t=${NOW},v1=${expected}`);
    expect(expected).to.equal("cc222259e5d4b6a0a75712107b79b3f6843bb6fda143039f244c9880bd85471b");
    expect(verifyWebhook({ payload: body, header: `t=${NOW},v1=${expected}`, secret: SECRET, now: NOW }).id).to.equal("evt_test");
  });

  it("refuses a tampered body with WEBHOOK_SIGNATURE_MISMATCH", function () {
    expect(codeOf({ payload: BODY.replace("12500000", "92500000") })).to.equal("WEBHOOK_SIGNATURE_MISMATCH");
    expect(codeOf({ payload: `${BODY} ` })).to.equal("WEBHOOK_SIGNATURE_MISMATCH");
  });

  it("refuses a wrong secret with WEBHOOK_SIGNATURE_MISMATCH", function () {
    expect(codeOf({ secret: OTHER })).to.equal("WEBHOOK_SIGNATURE_MISMATCH");
  });

  it("refuses a signature whose timestamp was changed (the timestamp is signed)", function () {
    const header = signWebhook(SECRET, NOW - 1000, BODY).replace(`t=${NOW - 1000}`, `t=${NOW}`);
    expect(codeOf({ header })).to.equal("WEBHOOK_SIGNATURE_MISMATCH");
  });

  it("refuses a genuine signature older or newer than the tolerance with WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE", function () {
    expect(codeOf({ header: signWebhook(SECRET, NOW - 301, BODY) })).to.equal("WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE");
    expect(codeOf({ header: signWebhook(SECRET, NOW + 301, BODY) })).to.equal("WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE");
    expect(codeOf({ header: signWebhook(SECRET, NOW - 300, BODY) })).to.equal("accepted");
    expect(codeOf({ header: signWebhook(SECRET, NOW - 3600, BODY), toleranceSeconds: 7200 })).to.equal("accepted");
  });

  it("uses the system clock when now is not given", function () {
    const t = Math.floor(Date.now() / 1000);
    expect(verifyWebhook({ payload: BODY, header: signWebhook(SECRET, t, BODY), secret: SECRET }).id).to.equal(EVENT.id);
    expect(() => verifyWebhook({ payload: BODY, header: signWebhook(SECRET, t - 1000, BODY), secret: SECRET })).to.throw(
      WebhookVerificationError,
      /tolerance/,
    );
  });

  it("accepts a header with several v1 values when any one matches (rotation), whatever its position", function () {
    const header = signWebhook([OTHER, SECRET], NOW, BODY);
    expect(header.split(",")).to.have.length(3);
    expect(codeOf({ header })).to.equal("accepted");
    expect(codeOf({ header: signWebhook([SECRET, OTHER], NOW, BODY) })).to.equal("accepted");
    expect(codeOf({ header: signWebhook([OTHER], NOW, BODY) })).to.equal("WEBHOOK_SIGNATURE_MISMATCH");
  });

  it("accepts several secrets (old and new during a rotation)", function () {
    expect(codeOf({ secret: [OTHER, SECRET] })).to.equal("accepted");
    expect(codeOf({ header: signWebhook(OTHER, NOW, BODY), secret: [SECRET, OTHER] })).to.equal("accepted");
    expect(codeOf({ secret: [OTHER] })).to.equal("WEBHOOK_SIGNATURE_MISMATCH");
  });

  it("takes Node's header value as is (an array is joined) and ignores unknown schemes and spaces", function () {
    const [t, v1] = signWebhook(SECRET, NOW, BODY).split(",") as [string, string];
    expect(codeOf({ header: [t, v1] })).to.equal("accepted");
    expect(codeOf({ header: ` ${t} , v0=deadbeef, ${v1} ` })).to.equal("accepted");
  });

  it("refuses a missing or malformed header with WEBHOOK_SIGNATURE_MISSING", function () {
    const v1 = signWebhook(SECRET, NOW, BODY).split(",")[1] as string;
    for (const header of [undefined, null, "", "   ", [], v1, `t=${NOW}`, `t=abc,${v1}`, `t=${NOW},v1=xyz`, `t=${NOW},v1=${"a".repeat(63)}`, "garbage"]) {
      expect(codeOf({ header }), JSON.stringify(header)).to.equal("WEBHOOK_SIGNATURE_MISSING");
    }
  });

  it("refuses a signed payload that is not a JSON event with WEBHOOK_PAYLOAD_INVALID", function () {
    for (const payload of ["not json", "[1,2]", '{"id":"evt_1"}', '{"id":1,"type":"x","data":{}}', "null"]) {
      expect(codeOf({ payload, header: signWebhook(SECRET, NOW, payload) }), payload).to.equal("WEBHOOK_PAYLOAD_INVALID");
    }
  });

  it("checks the signature before the payload (an unsigned non-JSON body is a mismatch, not a parse error)", function () {
    expect(codeOf({ payload: "not json" })).to.equal("WEBHOOK_SIGNATURE_MISMATCH");
  });

  it("throws a TypeError for an empty secret (a configuration mistake, not a bad request)", function () {
    expect(() => verifyWebhook({ payload: BODY, header: signWebhook(SECRET, NOW, BODY), secret: "" })).to.throw(TypeError);
    expect(() => verifyWebhook({ payload: BODY, header: signWebhook(SECRET, NOW, BODY), secret: [] })).to.throw(TypeError);
  });
});
