/** Merchants and their invoice signer key, sealed at rest by the master key, on both backends. */
import { randomBytes } from "node:crypto";

import { expect } from "chai";
import { Wallet } from "ethers";

import { MasterKeyError, MerchantAlreadyLinkedError, MerchantNotFoundError } from "../../gateway/src/errors.js";
import {
  getMerchant,
  linkMerchant,
  rotateMasterKey,
  signerOf,
  type MasterKeyring,
} from "../../gateway/src/services/index.js";
import { onEachBackend } from "./helpers/backends.js";

const keyring: MasterKeyring = { current: { id: "k1", key: randomBytes(32) } };
const signer = Wallet.createRandom();

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
}

describe("gateway merchants", function () {
  onEachBackend((suite) => {
    let onChainId = 0n;
    const link = (key = signer.privateKey, ring = keyring) =>
      linkMerchant(suite.db, ring, { chainId: 31337n, onChainId: ++onChainId, name: "Shop", signerKey: key });

    describe("linkMerchant", function () {
      it("stores the signer address and never the signer key in clear", async function () {
        const merchant = await link();
        expect(merchant.signerAddress).to.equal(signer.address);
        const raw = await suite.db.selectFrom("merchants").selectAll().where("id", "=", merchant.id).executeTakeFirstOrThrow();
        const everything = JSON.stringify(raw).toLowerCase();
        const keyHex = signer.privateKey.slice(2).toLowerCase();
        expect(everything).to.not.include(keyHex);
        expect(everything).to.not.include(Buffer.from(keyHex, "hex").toString("base64").toLowerCase());
        expect(raw.signer_key_master_id).to.equal("k1");
        expect(Buffer.from(raw.signer_key_ciphertext, "base64")).to.have.length(32);
      });

      it("refuses the same on-chain merchant twice", async function () {
        const merchant = await link();
        const error = await rejection(
          linkMerchant(suite.db, keyring, {
            chainId: merchant.chainId,
            onChainId: merchant.onChainId,
            name: "Again",
            signerKey: signer.privateKey,
          }),
        );
        expect(error).to.be.instanceOf(MerchantAlreadyLinkedError);
      });
    });

    describe("getMerchant", function () {
      it("returns the public record without key material", async function () {
        const merchant = await link();
        const read = await getMerchant(suite.db, merchant.id);
        expect(read).to.deep.equal(merchant);
        expect(Object.keys(read).join(" ")).to.not.match(/key|cipher/i);
      });

      it("throws MERCHANT_NOT_FOUND for an unknown id", async function () {
        const error = await rejection(getMerchant(suite.db, "no-such-merchant"));
        expect(error).to.be.instanceOf(MerchantNotFoundError);
      });
    });

    describe("signerOf", function () {
      it("decrypts the signer key in memory with the right master key", async function () {
        const merchant = await link();
        const wallet = await signerOf(suite.db, keyring, merchant.id);
        expect(wallet.privateKey).to.equal(signer.privateKey);
      });

      it("fails with MASTER_KEY_MISMATCH under a wrong master key of the same id", async function () {
        const merchant = await link();
        const wrong: MasterKeyring = { current: { id: "k1", key: randomBytes(32) } };
        const error = await rejection(signerOf(suite.db, wrong, merchant.id));
        expect(error).to.be.instanceOf(MasterKeyError);
        expect((error as MasterKeyError).code).to.equal("MASTER_KEY_MISMATCH");
      });

      it("fails with MASTER_KEY_MISMATCH when the key id it was sealed with is not supplied", async function () {
        const merchant = await link();
        const error = await rejection(signerOf(suite.db, { current: { id: "k2", key: randomBytes(32) } }, merchant.id));
        expect(error).to.be.instanceOf(MasterKeyError);
      });

      it("refuses a ciphertext copied onto another merchant's row", async function () {
        const a = await link();
        const b = await link(Wallet.createRandom().privateKey);
        const rowA = await suite.db.selectFrom("merchants").selectAll().where("id", "=", a.id).executeTakeFirstOrThrow();
        await suite.db
          .updateTable("merchants")
          .set({
            signer_key_ciphertext: rowA.signer_key_ciphertext,
            signer_key_iv: rowA.signer_key_iv,
            signer_key_tag: rowA.signer_key_tag,
          })
          .where("id", "=", b.id)
          .execute();
        expect(await rejection(signerOf(suite.db, keyring, b.id))).to.be.instanceOf(MasterKeyError);
        await suite.db.deleteFrom("merchants").where("id", "=", b.id).execute(); // rotation below would refuse it
      });
    });

    describe("rotateMasterKey", function () {
      it("re-seals every key under the new master key so the old one can be dropped", async function () {
        const merchant = await link();
        const next: MasterKeyring = { current: { id: "k2", key: randomBytes(32) }, previous: [keyring.current] };
        expect(await rotateMasterKey(suite.db, next)).to.be.greaterThan(0);
        expect(await rotateMasterKey(suite.db, next)).to.equal(0);
        const onlyNew: MasterKeyring = { current: next.current };
        expect((await signerOf(suite.db, onlyNew, merchant.id)).privateKey).to.equal(signer.privateKey);
        expect(await rejection(signerOf(suite.db, keyring, merchant.id))).to.be.instanceOf(MasterKeyError);
        // put the suite's later tests back under k1
        await rotateMasterKey(suite.db, { current: keyring.current, previous: [next.current] });
      });
    });
  });
});
