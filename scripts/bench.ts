import { network } from "hardhat";
import { Interface } from "ethers";
const op = await network.connect({ network: "hardhatOp" });
const L1B = "0x4200000000000000000000000000000000000015";
const GPO = "0x420000000000000000000000000000000000000F";
const gpo = new Interface(["function baseFeeScalar() view returns (uint32)","function blobBaseFeeScalar() view returns (uint32)","function getL1Fee(bytes) view returns (uint256)","function isFjord() view returns (bool)","function isEcotone() view returns (bool)","function isIsthmus() view returns (bool)","function l1BaseFee() view returns (uint256)","function blobBaseFee() view returns (uint256)"]);
async function q(fn: string, args: unknown[] = []) {
  try {
  const r = await op.provider.request({ method: "eth_call", params: [{ to: GPO, data: gpo.encodeFunctionData(fn, args) }, "latest"] });
  return gpo.decodeFunctionResult(fn, r as string)[0];
  } catch (e) { return "ERR " + (e as Error).message.slice(0, 80); }
}
for (const f of ["baseFeeScalar","blobBaseFeeScalar","isFjord","isEcotone","isIsthmus","l1BaseFee","blobBaseFee"]) console.log(f, await q(f));
// set scalars at correct offsets
const word = "0x" + "00".repeat(16) + (5227).toString(16).padStart(8, "0") + (1014213).toString(16).padStart(8, "0") + "00".repeat(8);
await op.provider.request({ method: "hardhat_setStorageAt", params: [L1B, "0x3", word] });
for (const f of ["baseFeeScalar","blobBaseFeeScalar"]) console.log(f, await q(f));
const [a, b] = await op.ethers.getSigners();
const tx = await a!.sendTransaction({ to: b!.address, value: 1n, data: "0x" + "ab".repeat(100) });
await tx.wait();
const raw: any = await op.provider.request({ method: "eth_getTransactionReceipt", params: [tx.hash] });
console.log(raw.l1Fee, BigInt(raw.l1Fee), raw.l1GasUsed, raw.l1BaseFeeScalar, raw.l1BlobBaseFeeScalar);
const txr: any = await op.provider.request({ method: "eth_getRawTransactionByHash", params: [tx.hash] }).catch(e=>String(e));
console.log(typeof txr === "string" ? txr.slice(0,100) : txr);
console.log("oracle on signed raw", await q("getL1Fee", [txr]));
