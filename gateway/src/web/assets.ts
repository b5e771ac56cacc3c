/**
 * The pages' scripts and stylesheet, bundled in memory by esbuild the first time a page is asked for (about 100 ms;
 * nothing to build before `scanpay serve`, nothing written to disk) and served under content-hashed names with a
 * one-year immutable cache: a new gateway version changes the names, so a terminal never runs a stale script.
 * The client code is TypeScript in ./client (type-checked with the DOM library by its own tsconfig); it may import
 * the SDK's pure modules (units, QR codec), which esbuild bundles in.
 */
import { createHash } from "node:crypto";
import path from "node:path";

import { build } from "esbuild";

/** One script per page (client/<name>.ts) and the stylesheet. */
export const PAGE_SCRIPTS = ["pos", "checkout", "dashboard"] as const;
export type PageScript = (typeof PAGE_SCRIPTS)[number];

export interface Asset {
  /** `/assets/<name>.<hash>.<ext>`. */
  url: string;
  contentType: string;
  body: Uint8Array;
}

export interface WebAssets {
  scripts: Record<PageScript, Asset>;
  style: Asset;
  /** Every asset by its URL. */
  byUrl: Map<string, Asset>;
}

const WEB_DIR = import.meta.dirname;

function asset(name: string, ext: "js" | "css", body: Uint8Array): Asset {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 12);
  return {
    url: `/assets/${name}.${hash}.${ext}`,
    contentType: ext === "js" ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
    body,
  };
}

async function bundle(): Promise<WebAssets> {
  const scripts = await build({
    entryPoints: Object.fromEntries(PAGE_SCRIPTS.map((name) => [name, path.join(WEB_DIR, "client", `${name}.ts`)])),
    bundle: true,
    minify: true,
    format: "esm",
    target: ["es2020", "chrome90", "safari14", "firefox90"],
    platform: "browser",
    write: false,
    outdir: "/out",
    legalComments: "none",
    logLevel: "silent",
  });
  const style = await build({
    entryPoints: [path.join(WEB_DIR, "styles", "app.css")],
    bundle: true,
    minify: true,
    write: false,
    outdir: "/out",
    logLevel: "silent",
  });
  const byName = new Map(scripts.outputFiles.map((file) => [path.basename(file.path, ".js"), file.contents]));
  const scriptAssets = Object.fromEntries(
    PAGE_SCRIPTS.map((name) => {
      const body = byName.get(name);
      if (body === undefined) throw new Error(`esbuild produced no ${name}.js`);
      return [name, asset(name, "js", body)];
    }),
  ) as Record<PageScript, Asset>;
  const styleAsset = asset("app", "css", style.outputFiles[0]!.contents);
  const all = [...Object.values(scriptAssets), styleAsset];
  return { scripts: scriptAssets, style: styleAsset, byUrl: new Map(all.map((a) => [a.url, a])) };
}

let assets: Promise<WebAssets> | undefined;

/** The bundled assets, built once per process (a failed build is retried on the next call). */
export function webAssets(): Promise<WebAssets> {
  assets ??= bundle().catch((error: unknown) => {
    assets = undefined;
    throw error;
  });
  return assets;
}
