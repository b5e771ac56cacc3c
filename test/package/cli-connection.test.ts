/**
 * How the packaged CLI connects without Hardhat: networks (src/cli/network.ts) and keys (src/cli/keys.ts), against
 * a minimal JSON-RPC server on 127.0.0.1 started and stopped here.
 */
import { createServer, type Server } from "node:http";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";

import { expect } from "chai";
import { encryptKeystoreJson, JsonRpcProvider, Network, Wallet } from "ethers";

import { CliError } from "../../src/cli/errors.js";
import { promptSecret, resolveSigner } from "../../src/cli/keys.js";
import { connectProvider, type NetworkConfig, resolveNetwork } from "../../src/cli/network.js";

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const NODE_ACCOUNTS = ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"];

async function rejection(promise: Promise<unknown>): Promise<CliError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(CliError);
    return error as CliError;
  }
  throw new Error("expected a rejection");
}

function thrown(fn: () => unknown): CliError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(CliError);
    return error as CliError;
  }
  throw new Error("expected an error");
}

describe("CLI connection (no Hardhat)", () => {
  let work = "";
  let server: Server;
  let url = "";
  /** What the fake node answers. */
  const node = { chainId: "0x7a69", accounts: NODE_ACCOUNTS as string[] };

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), "scanpay-connection-"));
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        const answer = (one: { id: number; method: string }) => ({
          jsonrpc: "2.0",
          id: one.id,
          result: one.method === "eth_chainId" ? node.chainId : one.method === "eth_accounts" ? node.accounts : null,
        });
        const parsed = JSON.parse(body) as { id: number; method: string } | { id: number; method: string }[];
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(Array.isArray(parsed) ? parsed.map(answer) : answer(parsed)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(work, { recursive: true, force: true });
  });

  describe("resolveNetwork", () => {
    it("defaults to localhost at http://127.0.0.1:8545, or at LOCALHOST_URL", () => {
      expect(resolveNetwork({}, {}, work)).to.deep.include({ name: "localhost", url: "http://127.0.0.1:8545", local: true });
      expect(resolveNetwork({}, { LOCALHOST_URL: "http://127.0.0.1:9999" }, work).url).to.equal("http://127.0.0.1:9999");
    });

    it("--rpc-url overrides the URL and keeps the network's name (and a testnet's chain id)", () => {
      const sepolia = resolveNetwork({ network: "sepolia", rpcUrl: "https://rpc.example" }, {}, work);
      expect(sepolia).to.deep.include({ name: "sepolia", url: "https://rpc.example", chainId: 11_155_111n });
      expect(resolveNetwork({ network: "mine", rpcUrl: "http://10.0.0.1:8545" }, {}, work).name).to.equal("mine");
    });

    it("reads networks from ./scanpay.config.json, with the keystore path relative to the file", async () => {
      const dir = path.join(work, "project");
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
      await writeFile(
        path.join(dir, "scanpay.config.json"),
        JSON.stringify({ networks: { shop: { url: "https://shop.example/rpc", chainId: 10, keystore: "keys/shop.json" } } }),
      );
      expect(resolveNetwork({ network: "shop" }, {}, dir)).to.deep.equal({
        name: "shop",
        url: "https://shop.example/rpc",
        chainId: 10n,
        keystore: path.join(dir, "keys/shop.json"),
        local: false,
      });
    });

    it("--config (or SCANPAY_CONFIG) names the file; a missing or malformed one is a CONFIG_INVALID error", async () => {
      const file = path.join(work, "other.json");
      await writeFile(file, JSON.stringify({ networks: { lab: { url: "http://127.0.0.1:7545" } } }));
      expect(resolveNetwork({ network: "lab", config: file }, {}, work).url).to.equal("http://127.0.0.1:7545");
      expect(resolveNetwork({ network: "lab" }, { SCANPAY_CONFIG: file }, work).url).to.equal("http://127.0.0.1:7545");
      expect(thrown(() => resolveNetwork({ config: path.join(work, "none.json") }, {}, work)).code).to.equal("CONFIG_INVALID");
      const bad = path.join(work, "bad.json");
      await writeFile(bad, JSON.stringify({ networks: { lab: { url: "ws://127.0.0.1:7545" } } }));
      expect(thrown(() => resolveNetwork({ network: "lab", config: bad }, {}, work)).code).to.equal("CONFIG_INVALID");
    });

    it("rejects an unknown network (naming the known ones) and a --rpc-url that is not http(s), as usage errors", () => {
      const unknown = thrown(() => resolveNetwork({ network: "mainnet" }, {}, work));
      expect(unknown.code).to.equal("USAGE");
      expect(unknown.message).to.contain("localhost, sepolia, baseSepolia, opSepolia");
      expect(thrown(() => resolveNetwork({ rpcUrl: "127.0.0.1:8545" }, {}, work)).code).to.equal("USAGE");
    });

    it("a testnet without a URL asks for --rpc-url or its variable (SEPOLIA_RPC_URL)", () => {
      const error = thrown(() => resolveNetwork({ network: "sepolia" }, {}, work));
      expect(error.code).to.equal("NETWORK_NO_URL");
      expect(error.message).to.contain("SEPOLIA_RPC_URL");
      expect(resolveNetwork({ network: "sepolia" }, { SEPOLIA_RPC_URL: "https://s.example" }, work).url).to.equal(
        "https://s.example",
      );
    });
  });

  describe("connectProvider", () => {
    it("returns a provider on the chain the node reports", async () => {
      const { provider, chainId } = await connectProvider({ name: "localhost", url, local: true });
      expect(chainId).to.equal(31337n);
      expect((await provider.getNetwork()).chainId).to.equal(31337n);
      provider.destroy();
    });

    it("fails with WRONG_CHAIN when the node is not on the network's chain", async () => {
      const error = await rejection(connectProvider({ name: "sepolia", url, chainId: 11_155_111n, local: false }));
      expect(error.code).to.equal("WRONG_CHAIN");
      expect(error.message).to.equal("network sepolia should be chain 11155111 but its node reports chain 31337");
    });

    it("fails at once with NETWORK_UNREACHABLE, naming the network, when nothing listens", async () => {
      const started = Date.now();
      const error = await rejection(connectProvider({ name: "localhost", url: "http://127.0.0.1:9", local: true }));
      expect(error.code).to.equal("NETWORK_UNREACHABLE");
      expect(error.message).to.match(/^cannot reach network localhost at http:\/\/127\.0\.0\.1:9: /);
      expect(Date.now() - started).to.be.below(5_000);
    });
  });

  describe("resolveSigner", () => {
    let provider: JsonRpcProvider;
    const local: NetworkConfig = { name: "localhost", url: "", local: true };
    before(() => {
      provider = new JsonRpcProvider(url, Network.from(31337), { staticNetwork: true });
    });
    after(() => provider.destroy());
    afterEach(() => {
      node.accounts = NODE_ACCOUNTS;
    });

    it("uses SCANPAY_PRIVATE_KEY rather than the node's accounts", async () => {
      const signer = await resolveSigner(provider, local, {}, { SCANPAY_PRIVATE_KEY: KEY }, undefined);
      expect(signer.address).to.equal(new Wallet(KEY).address);
    });

    it("uses a testnet's own variable (SEPOLIA_PRIVATE_KEY) when SCANPAY_PRIVATE_KEY is not set", async () => {
      const sepolia: NetworkConfig = { name: "sepolia", url, local: false, privateKeyEnv: "SEPOLIA_PRIVATE_KEY" };
      const signer = await resolveSigner(provider, sepolia, {}, { SEPOLIA_PRIVATE_KEY: KEY.slice(2) }, undefined);
      expect(signer.address).to.equal(new Wallet(KEY).address);
    });

    it("rejects a malformed key without echoing it, and an --account that is not the key's", async () => {
      const bad = await rejection(resolveSigner(provider, local, {}, { SCANPAY_PRIVATE_KEY: "0x1234secret" }, undefined));
      expect(bad.code).to.equal("BAD_PRIVATE_KEY");
      expect(bad.message).to.not.contain("1234secret");
      const other = await rejection(resolveSigner(provider, local, { account: "1" }, { SCANPAY_PRIVATE_KEY: KEY }, undefined));
      expect(other.code).to.equal("USAGE");
    });

    it("opens an encrypted keystore with SCANPAY_KEYSTORE_PASSWORD, and says so when the password is wrong or missing", async () => {
      const wallet = new Wallet(KEY);
      const file = path.join(work, "key.json");
      await writeFile(file, await encryptKeystoreJson(wallet, "pw", { scrypt: { N: 1 << 10 } }));
      const opened = await resolveSigner(provider, local, { keystore: file }, { SCANPAY_KEYSTORE_PASSWORD: "pw" }, undefined);
      expect(opened.address).to.equal(wallet.address);
      const wrong = await rejection(resolveSigner(provider, local, { keystore: file }, { SCANPAY_KEYSTORE_PASSWORD: "x" }, undefined));
      expect(wrong.code).to.equal("KEYSTORE_BAD_PASSWORD");
      const missing = await rejection(resolveSigner(provider, local, {}, { SCANPAY_KEYSTORE: file }, undefined));
      expect(missing.code).to.equal("KEYSTORE_NO_PASSWORD");
      const asked = await resolveSigner(provider, local, { keystore: file }, {}, async () => "pw");
      expect(asked.address).to.equal(wallet.address);
    });

    it("picks the node's accounts by --account index or address (default the first)", async () => {
      expect((await resolveSigner(provider, local, {}, {}, undefined)).address).to.equal(NODE_ACCOUNTS[0]);
      expect((await resolveSigner(provider, local, { account: "1" }, {}, undefined)).address).to.equal(NODE_ACCOUNTS[1]);
      const byAddress = await resolveSigner(provider, local, { account: NODE_ACCOUNTS[1]!.toLowerCase() }, {}, undefined);
      expect(byAddress.address).to.equal(NODE_ACCOUNTS[1]);
      expect((await rejection(resolveSigner(provider, local, { account: "5" }, {}, undefined))).code).to.equal("USAGE");
    });

    it("with no key and no node accounts: asks on a terminal, else fails with NO_ACCOUNT", async () => {
      node.accounts = [];
      const error = await rejection(resolveSigner(provider, local, {}, {}, undefined));
      expect(error.code).to.equal("NO_ACCOUNT");
      expect(error.message).to.contain("SCANPAY_PRIVATE_KEY");
      let question = "";
      const asked = await resolveSigner(provider, local, {}, {}, async (q) => {
        question = q;
        return `${KEY}\n`;
      });
      expect(asked.address).to.equal(new Wallet(KEY).address);
      expect(question).to.contain("private key for network localhost");
    });
  });

  describe("promptSecret", () => {
    function fakeTerminal(): { input: NodeJS.ReadStream; output: PassThrough; raw: boolean[] } {
      const raw: boolean[] = [];
      const input = Object.assign(new PassThrough(), {
        isTTY: true,
        isRaw: false,
        setRawMode(mode: boolean) {
          raw.push(mode);
          return input;
        },
      }) as unknown as NodeJS.ReadStream;
      return { input, output: new PassThrough(), raw };
    }

    it("reads a line without echoing it (backspace edits), in raw mode, restored afterwards", async () => {
      const { input, output, raw } = fakeTerminal();
      const answer = promptSecret("password: ", input, output);
      input.push("sekrx\u007ft\r");
      expect(await answer).to.equal("sekrt");
      expect(String(output.read())).to.equal("password: \n");
      expect(raw).to.deep.equal([true, false]);
    });

    it("Ctrl-C cancels with CANCELLED", async () => {
      const { input, output } = fakeTerminal();
      const answer = promptSecret("key: ", input, output);
      input.push("ab\u0003");
      expect((await rejection(answer)).code).to.equal("CANCELLED");
    });
  });
});
