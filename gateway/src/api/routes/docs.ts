/**
 * GET /docs: a small self-contained page listing the endpoints of /openapi.json. No CDN and no external script:
 * the script and style are inline and allowed by their SHA-256 in a strict Content-Security-Policy; everything
 * taken from the document is inserted as text (textContent), never as HTML.
 */
import { createHash } from "node:crypto";

import type { OpenAPIHono } from "@hono/zod-openapi";

import type { ApiEnv } from "../auth.js";

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h1{font-size:1.4rem}.op{border:1px solid #ddd;border-radius:6px;margin:.6rem 0;padding:.5rem .8rem}
.m{display:inline-block;min-width:4.5rem;font:bold 13px monospace;text-transform:uppercase}.get{color:#0a6}.post{color:#06c}
code{font-size:13px}.s{color:#555}table{border-collapse:collapse;margin:.3rem 0}td{padding:.1rem .6rem .1rem 0;vertical-align:top;font-size:13px}`;

const SCRIPT = `(async()=>{const root=document.getElementById("ops");
const el=(t,c,x)=>{const e=document.createElement(t);if(c)e.className=c;if(x!==undefined)e.textContent=String(x);return e;};
try{const r=await fetch("/openapi.json");const doc=await r.json();
document.getElementById("title").textContent=doc.info.title+" "+doc.info.version;
for(const [path,item] of Object.entries(doc.paths||{})){for(const [method,op] of Object.entries(item)){
const d=el("div","op");const h=el("div");h.append(el("span","m "+method,method),el("code","",path));d.append(h);
if(op.summary)d.append(el("div","s",op.summary));
const params=(op.parameters||[]).map(p=>[p.in+" "+p.name,(p.schema&&p.schema.type)||"",p.description||""]);
const body=op.requestBody&&op.requestBody.content&&op.requestBody.content["application/json"];
const props=body&&body.schema&&(body.schema.properties||(body.schema.$ref&&((doc.components.schemas[body.schema.$ref.split("/").pop()]||{}).properties)))||{};
for(const [n,s] of Object.entries(props))params.push(["body "+n,s.type||"",s.description||""]);
if(params.length){const t=el("table");for(const row of params){const tr=el("tr");for(const c of row)tr.append(el("td","",c));t.append(tr);}d.append(t);}
d.append(el("div","s","responses: "+Object.keys(op.responses||{}).join(", ")));root.append(d);}}}
catch(e){root.append(el("p","","could not load /openapi.json: "+e));}})();`;

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

export const DOCS_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>ScanPay gateway API</title><style>${STYLE}</style></head><body>
<h1 id="title">ScanPay gateway API</h1><p>Authenticate with <code>Authorization: Bearer sp_live_...</code>. Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<div id="ops"></div><script>${SCRIPT}</script></body></html>`;

export function registerDocsRoute(app: OpenAPIHono<ApiEnv>): void {
  // Browsers ask for it on every page; an empty answer keeps their consoles free of 404s.
  app.get("/favicon.ico", (c) => c.body(null, 204));
  app.get("/docs", (c) => {
    c.header("Content-Security-Policy", DOCS_CSP);
    c.header("Cache-Control", "no-cache");
    return c.html(PAGE);
  });
}
