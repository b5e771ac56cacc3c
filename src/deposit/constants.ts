/**
 * Init code of a deposit sweeper, byte for byte the DepositRouter's `_SWEEPER_INIT_CODE` (78 bytes, no runtime
 * code; opcode by opcode in docs/deposits.md). An invoice's deposit address is the CREATE2 address of this code,
 * deployed by the escrow's DepositRouter with the invoice's EIP-712 digest as salt (see `depositAddress`).
 * test/sdk/deposit.test.ts checks that the chain computes the same addresses.
 */
export const SWEEPER_INIT_CODE =
  "0x63f1a314525f5260405f6004601c335afa505f5180156049576370a0823160405230606052602060a06024605c845afa5063a9059cbb6060526020516080525f5f6044607c5f855af15b602051ff";

/** keccak256(`SWEEPER_INIT_CODE`): the init-code hash of the CREATE2 address formula. */
export const SWEEPER_INIT_CODE_HASH = "0x3a9943316ce0c9463279cb51c189acffc721af5f4ab76443a49d1db232518232";

/** The escrow's account nonce with which its constructor created the DepositRouter (contracts start at nonce 1). */
export const DEPOSIT_ROUTER_NONCE = 1;
