/** API keys: shown once, stored hashed, scoped, revocable, bound to one merchant; on both backends. */
import { randomBytes } from "node:crypto";

import { expect } from "chai";
import { Wallet } from "ethers";

import { ForbiddenScopeError, InvalidInputError, UnauthenticatedError } from "../../gateway/src/errors.js";
import {
  ApiKeyNotFoundError,
  authenticate,
  createApiKey,
  linkMerchant,
  requireScope,
  revokeApiKey,
  type Merchant,
} from "../../gateway/src/services/index.js";
import { hashApiKey } from "../../gateway/src/services/apiKeys/hashApiKey.js";
import { onEachBackend } from "./helpers/backends.js";

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
}

describe("gateway API keys", function () {
  onEachBackend((suite) => {
    let a: Merchant;
    let b: Merchant;
    before(async function () {
      const keyring = { current: { id: "k1", key: randomBytes(32) } };
      const link = (onChainId: bigint) =>
        linkMerchant(suite.db, keyring, {
          chainId: 31337n,
          onChainId,
          name: `m${onChainId}`,
          signerKey: Wallet.createRandom().privateKey,
        });
      a = await link(1n);
      b = await link(2n);
    });

    describe("createApiKey", function () {
      it("returns a high-entropy sp_live_ secret once and stores only its SHA-256", async function () {
        const key = await createApiKey(suite.db, { merchantId: a.id, scopes: ["read"] });
        expect(key.secret).to.match(/^sp_live_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
        const rows = await suite.db.selectFrom("api_keys").selectAll().where("id", "=", key.keyId).execute();
        expect(rows).to.have.length(1);
        expect(JSON.stringify(rows)).to.not.include(key.secret.slice(-43));
        expect(rows[0]?.secret_hash).to.equal(hashApiKey(key.secret));
      });

      it("refuses an empty or unknown scope", async function () {
        expect(await rejection(createApiKey(suite.db, { merchantId: a.id, scopes: [] }))).to.be.instanceOf(
          InvalidInputError,
        );
        const bad = ["read", "admin"] as unknown as ["read"];
        expect(await rejection(createApiKey(suite.db, { merchantId: a.id, scopes: bad }))).to.be.instanceOf(
          InvalidInputError,
        );
      });
    });

    describe("authenticate", function () {
      it("returns the key's merchant and scopes", async function () {
        const key = await createApiKey(suite.db, { merchantId: a.id, scopes: ["create", "read"] });
        expect(await authenticate(suite.db, key.secret)).to.deep.equal({
          merchantId: a.id,
          keyId: key.keyId,
          scopes: ["create", "read"],
        });
      });

      it("never authenticates one merchant's key as another's, nor a secret spliced from two keys", async function () {
        const keyA = await createApiKey(suite.db, { merchantId: a.id, scopes: ["read"] });
        const keyB = await createApiKey(suite.db, { merchantId: b.id, scopes: ["read"] });
        expect((await authenticate(suite.db, keyA.secret)).merchantId).to.equal(a.id);
        expect((await authenticate(suite.db, keyB.secret)).merchantId).to.equal(b.id);
        const spliced = `sp_live_${keyB.keyId}_${keyA.secret.slice(-43)}`;
        expect(await rejection(authenticate(suite.db, spliced))).to.be.instanceOf(UnauthenticatedError);
      });

      it("refuses malformed, unknown and altered secrets with one UNAUTHENTICATED error", async function () {
        const key = await createApiKey(suite.db, { merchantId: a.id, scopes: ["read"] });
        const last = key.secret.at(-1) === "A" ? "B" : "A";
        for (const secret of ["", "sp_live_x", `sp_live_${"0".repeat(24)}_${"A".repeat(43)}`, key.secret.slice(0, -1) + last]) {
          const error = await rejection(authenticate(suite.db, secret));
          expect(error).to.be.instanceOf(UnauthenticatedError);
          expect((error as UnauthenticatedError).code).to.equal("UNAUTHENTICATED");
        }
      });
    });

    describe("revokeApiKey", function () {
      it("makes a key refuse from then on, leaving the merchant's other keys working", async function () {
        const revoked = await createApiKey(suite.db, { merchantId: a.id, scopes: ["read"] });
        const kept = await createApiKey(suite.db, { merchantId: a.id, scopes: ["read"] });
        await revokeApiKey(suite.db, a.id, revoked.keyId);
        expect(await rejection(authenticate(suite.db, revoked.secret))).to.be.instanceOf(UnauthenticatedError);
        expect((await authenticate(suite.db, kept.secret)).keyId).to.equal(kept.keyId);
      });

      it("cannot revoke another merchant's key", async function () {
        const keyA = await createApiKey(suite.db, { merchantId: a.id, scopes: ["read"] });
        expect(await rejection(revokeApiKey(suite.db, b.id, keyA.keyId))).to.be.instanceOf(ApiKeyNotFoundError);
        expect((await authenticate(suite.db, keyA.secret)).merchantId).to.equal(a.id);
      });
    });

    describe("requireScope", function () {
      it("lets a scope through and refuses a missing one with FORBIDDEN_SCOPE", async function () {
        const key = await createApiKey(suite.db, { merchantId: a.id, scopes: ["read", "create"] });
        const principal = await authenticate(suite.db, key.secret);
        requireScope(principal, "create");
        expect(() => requireScope(principal, "refund")).to.throw(ForbiddenScopeError);
      });
    });
  });
});
