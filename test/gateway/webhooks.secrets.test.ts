/**
 * Webhook signing secrets across a master-key rotation: resealWebhookSecrets moves every endpoint secret under the
 * new master key (same secret, the old key can then be dropped and deliveries still verify), is idempotent, and
 * stops on a secret no key opens.
 */
import { randomBytes, randomUUID } from "node:crypto";

import { expect } from "chai";

import { verifyWebhook } from "../../src/index.js";
import {
  createWebhookEndpoint,
  resealWebhookSecrets,
  startWebhookSender,
  type MasterKeyring,
} from "../../gateway/src/services/index.js";
import { recordEvent } from "../../gateway/src/store/index.js";
import { onEachBackend } from "./helpers/backends.js";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhookReceiver.js";

describe("gateway webhooks: secrets and master-key rotation", function () {
  this.timeout(60_000);
  onEachBackend((suite) => {
    const merchantId = randomUUID();
    const oldKey = { id: "old", key: randomBytes(32) };
    const newKey = { id: "new", key: randomBytes(32) };
    let receiver: WebhookReceiver;

    before(async function () {
      receiver = await startWebhookReceiver();
      await suite.db
        .insertInto("merchants")
        .values({
          id: merchantId,
          chain_id: "31337",
          on_chain_id: "1",
          name: "m",
          signer_address: "0x0000000000000000000000000000000000000001",
          signer_key_ciphertext: "x",
          signer_key_iv: "x",
          signer_key_tag: "x",
          signer_key_master_id: "old",
        })
        .execute();
    });
    after(async function () {
      await receiver.close();
    });

    describe("resealWebhookSecrets", function () {
      it("re-seals every endpoint secret under the new master key; after dropping the old key deliveries still verify", async function () {
        const before: MasterKeyring = { current: oldKey };
        const ctx = { db: suite.db, keyring: before, webhooks: { allowPrivateUrls: true } };
        const one = await createWebhookEndpoint(ctx, merchantId, { url: `${receiver.url}?1` });
        const two = await createWebhookEndpoint(ctx, merchantId, { url: `${receiver.url}?2`, eventTypes: ["invoice.none"] });
        const rotating: MasterKeyring = { current: newKey, previous: [oldKey] };
        expect(await resealWebhookSecrets(suite.db, rotating)).to.equal(2);
        expect(await resealWebhookSecrets(suite.db, rotating)).to.equal(0);
        const rows = await suite.db.selectFrom("webhook_endpoints").select(["id", "secret_master_id"]).execute();
        expect(rows.map((r) => r.id).sort()).to.deep.equal([one.endpoint.id, two.endpoint.id].sort());
        expect(rows.map((r) => r.secret_master_id)).to.deep.equal(["new", "new"]);

        const after: MasterKeyring = { current: newKey };
        const stored = await suite.db.transaction().execute((trx) => recordEvent(trx, { merchantId, invoiceId: null, type: "invoice.paid", data: {} }));
        const sender = startWebhookSender({ db: suite.db, keyring: after, allowPrivateUrls: true, start: false });
        try {
          expect(await sender.runOnce()).to.include({ succeeded: 1 });
        } finally {
          await sender.stop();
        }
        const got = receiver.received[0]!;
        expect(verifyWebhook({ payload: got.body, header: got.headers["scanpay-signature"], secret: one.secret }).id).to.equal(stored.id);
      });

      it("stops with MASTER_KEY_MISMATCH on a secret the keyring cannot open (never skips it)", async function () {
        const stranger: MasterKeyring = { current: { id: "other", key: randomBytes(32) } };
        const error = await resealWebhookSecrets(suite.db, stranger).then(
          () => undefined,
          (e: { code?: string }) => e,
        );
        expect(error?.code).to.equal("MASTER_KEY_MISMATCH");
      });
    });
  });
});
