import { builtinModules } from "node:module";
import path from "node:path";

import { build, type Plugin } from "esbuild";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

/** Every name Node resolves to a built-in: `fs`, `node:fs`, `fs/promises`, `node:test`, ... */
const BUILTINS = new Set(builtinModules.flatMap((name) => (name.startsWith("node:") ? [name] : [name, `node:${name}`])));

export interface NodeImport {
  /** The importing file, relative to the repository root. */
  importer: string;
  /** The import specifier as written (`node:buffer`, `zlib`, ...). */
  path: string;
}

export interface BrowserBundle {
  /** The bundle (ES module, minified), as text. */
  code: string;
  /** Its size in bytes (UTF-8). */
  bytes: number;
  /** Imports of Node built-ins met while bundling (each also left external in `code`); empty when browser-safe. */
  nodeImports: NodeImport[];
  /** Imports left in the bundle's output (metafile); empty when the bundle is self-contained. */
  outputImports: string[];
  /** The bundle's input files (metafile), relative to the repository root. */
  inputs: string[];
}

/**
 * Bundles `entry` (relative to the repository root) for a browser the way an app's bundler would: esbuild,
 * platform browser (package `browser` fields honoured), ES module, minified, nothing written to disk. A Node
 * built-in does not fail the build: it is recorded in `nodeImports` (with its importer) and left external, so
 * a test can name every offender at once.
 */
export async function bundleForBrowser(entry: string): Promise<BrowserBundle> {
  const nodeImports: NodeImport[] = [];
  const recordNodeImports: Plugin = {
    name: "record-node-builtins",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, (args) => {
        if (!BUILTINS.has(args.path)) return undefined;
        nodeImports.push({ importer: path.relative(REPO_ROOT, args.importer), path: args.path });
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent",
    plugins: [recordNodeImports],
  });
  const [output] = result.outputFiles;
  if (output === undefined || result.outputFiles.length !== 1) throw new Error("esbuild produced no single output");
  // Second witness, on the output itself: an import esbuild left in the bundle cannot load in a page (a built-in
  // the plugin recorded, or anything else marked external). Type-only imports it dropped are not listed here.
  const outputImports = Object.values(result.metafile.outputs).flatMap((out) => out.imports.map((i) => i.path));
  return {
    code: output.text,
    bytes: output.contents.length,
    nodeImports,
    outputImports,
    inputs: Object.keys(result.metafile.inputs).map((file) => path.relative(REPO_ROOT, path.resolve(REPO_ROOT, file))),
  };
}
