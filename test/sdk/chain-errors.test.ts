import { expect } from "chai";
import { AbiCoder, Interface, makeError } from "ethers";

import {
  DepositRouter__factory,
  LoyaltyPoints__factory,
  MerchantRegistry__factory,
  PaymentEscrow__factory,
  TestToken__factory,
} from "../../typechain-types/index.js";
import { describeContractError } from "../../src/chain/contractErrorMessages.js";
import { decodeRevertData, decodeScanPayError } from "../../src/chain/decodeScanPayError.js";
import {
  InsufficientFundsError,
  RpcError,
  ScanPayContractError,
  UnexpectedError,
  UserRejectedError,
} from "../../src/chain/errors.js";
import { ScanPayError } from "../../src/errors.js";
import { InvoiceExpiredError } from "../../src/invoice/errors.js";
import { ethers, networkHelpers } from "../helpers/fixture.js";
import { type SdkFixture, sdkFixture } from "./sdk-fixture.js";

/** What a contract call threw. */
async function thrown(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

function contractError(error: unknown): ScanPayContractError {
  const decoded = decodeScanPayError(error);
  expect(decoded).to.be.instanceOf(ScanPayContractError);
  return decoded as ScanPayContractError;
}

describe("chain: decodeScanPayError", () => {
  let f: SdkFixture;
  beforeEach(async () => {
    f = await networkHelpers.loadFixture(sdkFixture);
  });

  describe("reverts of the contracts", () => {
    it("decodes an escrow error with its named arguments and selector", async () => {
      const error = contractError(await thrown(() => f.escrow.connect(f.stranger).cancelInvoice(f.instantId, 3n)));
      expect(error.code).to.equal("CONTRACT_REVERT");
      expect(error.errorName).to.equal("PaymentEscrowNotMerchant");
      expect(error.args).to.deep.equal({ merchantId: f.instantId, caller: f.stranger.address });
      expect(error.selector).to.equal(f.escrow.interface.getError("PaymentEscrowNotMerchant")!.selector);
      expect(error.message).to.equal(`${f.stranger.address} is neither the owner nor the signer of merchant ${f.instantId}`);
      expect(error.cause).to.not.equal(undefined);
    });

    it("decodes a registry error from a gas estimate", async () => {
      const error = contractError(await thrown(() => f.registry.connect(f.stranger).setHoldPeriod.estimateGas(f.heldId, 1n)));
      expect(error.errorName).to.equal("MerchantRegistryNotOwner");
      expect(error.args).to.deep.equal({ merchantId: f.heldId, caller: f.stranger.address });
    });

    it("decodes a points error and OpenZeppelin access-control and ERC-20 errors", async () => {
      const points = contractError(await thrown(() => f.points.connect(f.stranger).setTransferable(f.heldId, true)));
      expect(points.errorName).to.equal("LoyaltyPointsNotMerchantOwner");
      expect(points.message).to.equal(`${f.stranger.address} is not the owner of merchant ${f.heldId}`);
      const access = contractError(await thrown(() => f.escrow.connect(f.stranger).setFee(5)));
      expect(access.errorName).to.equal("AccessControlUnauthorizedAccount");
      expect(access.message).to.equal(`${f.stranger.address} lacks the platform admin role`);
      const pause = contractError(await thrown(() => f.escrow.connect(f.stranger).pause()));
      expect(pause.message).to.equal(`${f.stranger.address} lacks the pauser role`);
      const erc20 = contractError(await thrown(() => f.token.connect(f.stranger).transfer(f.customer.address, 5n)));
      expect(erc20.errorName).to.equal("ERC20InsufficientBalance");
      expect(erc20.args).to.deep.equal({ sender: f.stranger.address, balance: 0n, needed: 5n });
    });

    it("turns enum arguments into words", () => {
      const data = f.escrow.interface.encodeErrorResult("PaymentEscrowNotSettled", [7n, 42n, 7n]);
      expect(decodeRevertData(data).message).to.equal("invoice 42 of merchant 7 has not settled: it was cancelled");
      const state = f.escrow.interface.encodeErrorResult("PaymentEscrowInvalidState", [7n, 42n, 3n]);
      expect(decodeRevertData(state).message).to.equal("invoice 42 of merchant 7 cannot do that now: it was refunded");
    });

    it("names the new DisputedWhileSuspended state and explains voided epochs, gas and recipients", () => {
      const state = f.escrow.interface.encodeErrorResult("PaymentEscrowInvalidState", [7n, 42n, 4n]);
      expect(decodeRevertData(state).message).to.equal(
        "invoice 42 of merchant 7 cannot do that now: it is disputed (opened while the merchant was suspended)",
      );
      const voided = decodeRevertData(f.escrow.interface.encodeErrorResult("PaymentEscrowInvoiceVoided", [0n, 2n]));
      expect(voided.args).to.deep.equal({ invoiceEpoch: 0n, merchantEpoch: 2n });
      expect(voided.message).to.equal(
        "the invoice was voided: it was signed for epoch 0, and the merchant has since moved to epoch 2 (it voided its invoices or rotated its signer)",
      );
      const future = decodeRevertData(f.escrow.interface.encodeErrorResult("PaymentEscrowInvoiceVoided", [3n, 2n]));
      expect(future.message).to.contain("can never be paid");
      const gas = decodeRevertData(f.escrow.interface.encodeErrorResult("PaymentEscrowInsufficientGas", [90_000n]));
      expect(gas.message).to.contain("90000 left; about 138,000 are needed");
      const recipient = decodeRevertData(f.escrow.interface.encodeErrorResult("PaymentEscrowInvalidRecipient", [f.location.escrow]));
      expect(recipient.message).to.equal(`${f.location.escrow} (the escrow itself) cannot receive a payout or withdrawal`);
      expect(describeContractError("MerchantRegistryInvoiceFloorNotRaised", {})).to.match(/^the contract reverted with/);
    });

    it("has a plain message for every custom error of the escrow, deposit router, registry, points and ERC-20", () => {
      const abis = [
        PaymentEscrow__factory.abi,
        DepositRouter__factory.abi,
        MerchantRegistry__factory.abi,
        LoyaltyPoints__factory.abi,
        TestToken__factory.abi,
      ];
      const names = new Set<string>();
      for (const abi of abis) {
        Interface.from(abi).forEachError((fragment) => names.add(fragment.name));
      }
      // Internal errors of OpenZeppelin helpers that a call to ScanPay cannot surface with meaning.
      for (const internal of ["InvalidShortString", "StringTooLong", "SafeCastOverflowedUintDowncast"]) names.delete(internal);
      const fallbacks = [...names].filter((name) => describeContractError(name, {}).startsWith("the contract reverted with"));
      expect(fallbacks).to.deep.equal([]);
      expect(names.size).to.be.greaterThan(60);
    });
  });

  describe("revert data", () => {
    it("decodes Error(string) and Panic(uint256)", () => {
      const coder = AbiCoder.defaultAbiCoder();
      const reason = decodeRevertData("0x08c379a0" + coder.encode(["string"], ["nope"]).slice(2));
      expect([reason.errorName, reason.args.reason, reason.message]).to.deep.equal(["Error", "nope", "the transaction reverted: nope"]);
      const panic = decodeRevertData("0x4e487b71" + coder.encode(["uint256"], [0x11n]).slice(2));
      expect([panic.errorName, panic.args.code, panic.message]).to.deep.equal(["Panic", 0x11n, "the contract panicked (code 17)"]);
    });

    it("reports an unknown selector and an empty revert without a name", () => {
      const unknown = decodeRevertData("0xdeadbeef");
      expect([unknown.errorName, unknown.selector, unknown.message]).to.deep.equal(["", "0xdeadbeef", "the contract reverted with unknown error 0xdeadbeef"]);
      const empty = decodeRevertData("0x");
      expect([empty.errorName, empty.selector, empty.message]).to.deep.equal(["", undefined, "the transaction reverted without a reason"]);
    });

    it("finds revert data nested the way JSON-RPC providers nest it", () => {
      const data = f.escrow.interface.encodeErrorResult("PaymentEscrowInvoiceExpired", [1_700_000_000n]);
      const shapes: unknown[] = [
        { error: { data } },
        { info: { error: { code: 3, data } } },
        { error: { data: { data } } },
        { error: { body: JSON.stringify({ error: { code: 3, message: "execution reverted", data } }) } },
        { cause: { cause: { data } } },
      ];
      for (const shape of shapes) {
        const error = contractError(Object.assign(new Error("call failed"), shape));
        expect(error.errorName).to.equal("PaymentEscrowInvoiceExpired");
        expect(error.message).to.equal("the invoice expired at 2023-11-14T22:13:20Z");
      }
    });

    it("never takes the transaction's calldata for revert data", () => {
      const calldata = f.escrow.interface.encodeFunctionData("cancelInvoice", [1n, 2n]);
      const callException = Object.assign(new Error("missing revert data"), {
        code: "CALL_EXCEPTION",
        transaction: { to: f.location.escrow, data: calldata },
        data: null,
      });
      const error = decodeScanPayError(callException);
      expect(error).to.be.instanceOf(ScanPayContractError);
      expect((error as ScanPayContractError).errorName).to.equal("");
    });
  });

  describe("other failures", () => {
    it("maps wallet rejection, insufficient funds and network failures to their classes", async () => {
      expect(decodeScanPayError(makeError("user rejected", "ACTION_REJECTED", { action: "sendTransaction", reason: "rejected" }))).to.be.instanceOf(UserRejectedError);
      const poor = ethers.Wallet.createRandom().connect(ethers.provider);
      const funds = decodeScanPayError(await thrown(() => poor.sendTransaction({ to: f.customer.address, value: 1n })));
      expect(funds).to.be.instanceOf(InsufficientFundsError);
      expect(funds.code).to.equal("INSUFFICIENT_FUNDS");
      const rpc = decodeScanPayError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: "ECONNREFUSED" }));
      expect(rpc).to.be.instanceOf(RpcError);
      expect(rpc.message).to.equal("the RPC endpoint failed: connect ECONNREFUSED 127.0.0.1:8545");
      expect(decodeScanPayError(Object.assign(new Error("request timed out"), { code: "TIMEOUT" }))).to.be.instanceOf(RpcError);
    });

    it("passes ScanPay errors through and wraps anything else as UNEXPECTED with one line", () => {
      const own = new InvoiceExpiredError(1n, 2n);
      expect(decodeScanPayError(own)).to.equal(own);
      const other = decodeScanPayError(new Error("first line\nsecond line"));
      expect(other).to.be.instanceOf(UnexpectedError);
      expect([other.code, other.message]).to.deep.equal(["UNEXPECTED", "first line"]);
      expect(decodeScanPayError("a string")).to.be.instanceOf(ScanPayError);
    });
  });
});
