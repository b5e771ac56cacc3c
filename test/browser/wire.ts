/**
 * The JSON both sides of a page use for values JSON cannot carry: `{"$bigint":"12"}`, `{"$bytes":"0x00ff"}`,
 * `{"$undefined":true}`. PAGE_WIRE_JS is the same pair of functions as page source (`toWire`, `fromWire`).
 */

/** Serialises `value` keeping bigints, Uint8Arrays and undefined properties. */
export function toWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return { $bigint: v.toString() };
    if (v instanceof Uint8Array) return { $bytes: "0x" + Buffer.from(v).toString("hex") };
    if (v === undefined) return { $undefined: true };
    return v;
  });
}

/** Parses what `toWire` (or the page's `toWire`) wrote; `{"$undefined":true}` becomes a present, undefined property. */
export function fromWire(text: string): unknown {
  return revive(JSON.parse(text));
}

function revive(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(revive);
  if (typeof v !== "object" || v === null) return v;
  if ("$bigint" in v && typeof v.$bigint === "string") return BigInt(v.$bigint);
  if ("$bytes" in v && typeof v.$bytes === "string") return Uint8Array.from(Buffer.from(v.$bytes.slice(2), "hex"));
  if ("$undefined" in v) return undefined;
  return Object.fromEntries(Object.entries(v).map(([key, value]) => [key, revive(value)]));
}

/** Browser source of `toWire` and `fromWire` (no Buffer there), for a page's module script. */
export const PAGE_WIRE_JS = `
const hexOf = (bytes) => "0x" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const bytesOf = (hex) => Uint8Array.from(hex.slice(2).match(/../g) ?? [], (h) => parseInt(h, 16));
const toWire = (value) => JSON.stringify(value, (_key, v) =>
  typeof v === "bigint" ? { $bigint: v.toString() }
  : v instanceof Uint8Array ? { $bytes: hexOf(v) }
  : v === undefined ? { $undefined: true }
  : v);
const revive = (v) =>
  Array.isArray(v) ? v.map(revive)
  : typeof v !== "object" || v === null ? v
  : typeof v.$bigint === "string" ? BigInt(v.$bigint)
  : typeof v.$bytes === "string" ? bytesOf(v.$bytes)
  : "$undefined" in v ? undefined
  : Object.fromEntries(Object.entries(v).map(([key, value]) => [key, revive(value)]));
const fromWire = (text) => revive(JSON.parse(text));
`;
