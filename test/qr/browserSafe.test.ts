/**
 * Guards the promise of src/qr/index.ts (`scanpay/qr`) and src/qr/svg/index.ts (`scanpay/qr/svg`): no file they
 * reach, dependencies included, needs Node. A later import of `node:*`, pngjs or Buffer fails here, naming the
 * file, before it breaks a web app. (test/browser/ runs the bundles in Chromium.)
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { bundleForBrowser } from "../browser/bundleForBrowser.js";
import { findNodeGlobals } from "../browser/findNodeGlobals.js";

const ownSources = (inputs: readonly string[]): string[] => inputs.filter((f) => f.startsWith("src/") && f.endsWith(".ts"));

for (const entry of ["src/qr/index.ts", "src/qr/svg/index.ts"]) {
  describe(`${entry} (browser-safe entry point)`, () => {
    it("reaches no Node built-in through any import, its dependencies' included", async () => {
      const bundle = await bundleForBrowser(entry);
      expect(bundle.nodeImports).to.deep.equal([]);
      expect(bundle.outputImports).to.deep.equal([]);
    });

    it("names no Node global (Buffer, process, require, ...) in any of its own source files it reaches", async () => {
      const sources = ownSources((await bundleForBrowser(entry)).inputs);
      expect(sources).to.include(entry);
      expect(findNodeGlobals(sources)).to.deep.equal([]);
    });
  });
}

describe("src/qr/image/index.ts (Node-only entry point)", () => {
  // The same checks on the entry that needs Node: they must find what the issue reported, or they prove nothing.
  it("is reported with its Node built-ins: node:buffer in its own code, zlib and stream from pngjs", async () => {
    const { nodeImports, outputImports } = await bundleForBrowser("src/qr/image/index.ts");
    expect(nodeImports).to.deep.include({ importer: "src/qr/image/decodeQrImage.ts", path: "node:buffer" });
    const fromPngjs = new Set(nodeImports.filter((n) => n.importer.includes("node_modules/pngjs/")).map((n) => n.path));
    expect([...fromPngjs]).to.include.members(["zlib", "stream"]);
    expect(outputImports).to.include.members(["node:buffer", "zlib"]);
  });

  it("is reported for the Buffer global in its own code", async () => {
    const sources = ownSources((await bundleForBrowser("src/qr/image/index.ts")).inputs);
    expect(findNodeGlobals(sources)).to.deep.include({ file: "src/qr/image/renderPng.ts", name: "Buffer" });
  });
});

describe("findNodeGlobals", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "scanpay-globals-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reports globals used as code and ignores them in comments, strings and as property names", () => {
    const file = path.join(dir, "sample.ts");
    writeFileSync(
      file,
      [
        'const url = "http://example.com/process"; // Buffer in a comment',
        "/* require(x) in a block comment */ const env = config.process;",
        "const s = 'require' + `__dirname ${url}`;",
        "export const bytes = Buffer.from(s + env);",
        "setImmediate(() => undefined);",
      ].join("\n"),
    );
    expect(findNodeGlobals([file])).to.deep.equal([
      { file, name: "Buffer" },
      { file, name: "setImmediate" },
    ]);
  });
});
