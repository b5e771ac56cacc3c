/**
 * The TypeScript in docs/sdk.md compiles as an integrator's project would compile it: every ```ts block, with
 * strict, exactOptionalPropertyTypes and noUncheckedIndexedAccess, the package names mapped to the sources
 * (`scanpay` → src/index.ts, `scanpay/qr` → src/qr/index.ts, `scanpay/qr/image` → src/qr/image/index.ts,
 * `scanpay/typechain` → typechain-types/index.ts). A block that imports is a module on its own; a block without
 * imports is a snippet continuing the round trip, compiled inside a scope that declares the round trip's names
 * (SNIPPET_SCOPE below).
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import ts from "typescript";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
const DOC = path.join(REPO_ROOT, "docs/sdk.md");

/** What a snippet may use without importing it: the round trip's variables and the SDK's functions. */
const SNIPPET_SCOPE = `
import type { Wallet } from "ethers";
import {
  createInvoice, parseUnitsExact, payInvoice, ScanPayContractError, signInvoice, verifyInvoice, watchPayments,
  type Deployment, type Invoice, type SignedInvoice,
} from "scanpay";
import type { PaymentEscrow } from "scanpay/typechain";
declare const escrow: PaymentEscrow;
declare const invoiceKey: Wallet;
declare const invoice: Invoice;
declare const signed: SignedInvoice;
declare const deployment: Deployment;
declare const chainId: bigint;
declare const merchantId: bigint;
declare const token: string;
`;

interface Block {
  line: number;
  code: string;
}

/** The ```ts blocks of a Markdown text, with the line each starts on. */
export function typeScriptBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return blocks;
}

/** Type-checks `blocks` as files of one program; returns "docs/sdk.md:LINE: message" per error in the blocks. */
function typeCheck(blocks: Block[]): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2023.d.ts"],
    types: ["node"],
    skipLibCheck: true,
    noEmit: true,
    baseUrl: REPO_ROOT,
    paths: {
      scanpay: ["src/index.ts"],
      "scanpay/qr": ["src/qr/index.ts"],
      "scanpay/qr/image": ["src/qr/image/index.ts"],
      "scanpay/typechain": ["typechain-types/index.ts"],
    },
  };
  // Virtual files next to the doc (so node_modules resolves from the repository); .mts: ES modules, top-level await.
  const files = new Map<string, { text: string; block: Block; offset: number }>();
  blocks.forEach((block, i) => {
    const isModule = /^\s*import\s/m.test(block.code);
    const text = isModule ? block.code : `${SNIPPET_SCOPE}\n{\n${block.code}\n}\n`;
    const offset = isModule ? 0 : SNIPPET_SCOPE.split("\n").length + 1;
    files.set(path.join(REPO_ROOT, "docs", `sdk-md-block-${i + 1}.mts`), { text, block, offset });
  });
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  host.readFile = (name) => files.get(name)?.text ?? readFile.call(host, name);
  host.getSourceFile = (name, language, onError, create) => {
    const file = files.get(name);
    return file !== undefined ? ts.createSourceFile(name, file.text, language) : getSourceFile.call(host, name, language, onError, create);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  const errors: string[] = [];
  for (const [name, file] of files) {
    const source = program.getSourceFile(name)!;
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    for (const d of diagnostics) {
      const at = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line;
      const docLine = file.block.line + at - file.offset;
      errors.push(`docs/sdk.md:${docLine}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    }
  }
  return errors;
}

describe("docs/sdk.md", function () {
  this.timeout(120_000);

  describe("typeScriptBlocks", () => {
    it("extracts each ```ts block with its first line, and nothing else", () => {
      const text = ["# t", "```ts", "const a = 1;", "```", "```sh", "npm test", "```", "```typescript", "let b;", "```"].join("\n");
      expect(typeScriptBlocks(text)).to.deep.equal([
        { line: 3, code: "const a = 1;" },
        { line: 9, code: "let b;" },
      ]);
    });
  });

  describe("code blocks", () => {
    it("a broken snippet is reported with its line in the doc (the check can fail)", () => {
      const errors = typeCheck([
        { line: 10, code: 'const created = await createInvoice(escrow, invoiceKey, { merchantId, token: deployment.testToken, amount: 1n });' },
      ]);
      expect(errors).to.have.length(1);
      expect(errors[0]).to.match(/^docs\/sdk\.md:10: .*undefined/s);
    });

    it("every ```ts block type-checks with strict + exactOptionalPropertyTypes against the package names", () => {
      const blocks = typeScriptBlocks(readFileSync(DOC, "utf8"));
      expect(blocks.length).to.be.at.least(4);
      expect(typeCheck(blocks)).to.deep.equal([]);
    });

    it("imports only from the package's names, never from its source folders or Hardhat", () => {
      const imports = typeScriptBlocks(readFileSync(DOC, "utf8")).flatMap((b) =>
        [...b.code.matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1]!),
      );
      expect(imports).to.include("scanpay");
      for (const name of imports) expect(name, name).to.match(/^(scanpay(\/qr(\/image)?|\/typechain)?|ethers|node:[a-z]+)$/);
    });
  });
});
