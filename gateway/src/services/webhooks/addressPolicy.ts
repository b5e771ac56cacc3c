/**
 * Which IP addresses a webhook may never reach (unless the development setting allows private URLs): loopback,
 * private, shared (CGNAT), link-local (cloud metadata at 169.254.169.254), unspecified, multicast, reserved and
 * documentation ranges, and IPv6 forms that embed such an IPv4 address (mapped, NAT64, 6to4).
 */
import { isIP } from "node:net";

interface Range {
  bytes: number[];
  prefix: number;
  reason: string;
  /** The range carries an IPv4 address at this byte offset: judge that address instead. */
  embedsIpv4At?: number;
}

function ipv4Bytes(address: string): number[] {
  return address.split(".").map(Number);
}

/** 16 bytes of an IPv6 address (with `::` and an optional trailing dotted quad). */
function ipv6Bytes(address: string): number[] {
  let text = address.toLowerCase();
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    tail = ipv4Bytes(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = text.includes("::") ? (text.split("::") as [string, string]) : [text, undefined];
  const headGroups = head === "" ? [] : head.split(":");
  const restGroups = rest === undefined || rest === "" ? [] : rest.split(":");
  const missing = 8 - headGroups.length - restGroups.length;
  const groups = [...headGroups, ...(rest === undefined ? [] : new Array<string>(missing).fill("0")), ...restGroups];
  const bytes = groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function matches(bytes: number[], range: Range): boolean {
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((range.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

const v4 = (cidr: string, reason: string): Range => {
  const [address, prefix] = cidr.split("/") as [string, string];
  return { bytes: ipv4Bytes(address), prefix: Number(prefix), reason };
};
const v6 = (cidr: string, reason: string, embedsIpv4At?: number): Range => {
  const [address, prefix] = cidr.split("/") as [string, string];
  return { bytes: ipv6Bytes(address), prefix: Number(prefix), reason, ...(embedsIpv4At === undefined ? {} : { embedsIpv4At }) };
};

const IPV4_RANGES: readonly Range[] = [
  v4("0.0.0.0/8", "unspecified (0.0.0.0/8)"),
  v4("10.0.0.0/8", "private (10.0.0.0/8)"),
  v4("100.64.0.0/10", "shared address space (100.64.0.0/10)"),
  v4("127.0.0.0/8", "loopback (127.0.0.0/8)"),
  v4("169.254.0.0/16", "link-local (169.254.0.0/16, cloud metadata)"),
  v4("172.16.0.0/12", "private (172.16.0.0/12)"),
  v4("192.0.0.0/24", "IETF protocol assignments (192.0.0.0/24)"),
  v4("192.0.2.0/24", "documentation (192.0.2.0/24)"),
  v4("192.168.0.0/16", "private (192.168.0.0/16)"),
  v4("198.18.0.0/15", "benchmarking (198.18.0.0/15)"),
  v4("198.51.100.0/24", "documentation (198.51.100.0/24)"),
  v4("203.0.113.0/24", "documentation (203.0.113.0/24)"),
  v4("224.0.0.0/4", "multicast (224.0.0.0/4)"),
  v4("240.0.0.0/4", "reserved (240.0.0.0/4)"),
];

const IPV6_RANGES: readonly Range[] = [
  v6("::/128", "unspecified (::)"),
  v6("::1/128", "loopback (::1)"),
  v6("::ffff:0:0/96", "IPv4-mapped", 12),
  v6("::/96", "IPv4-compatible (deprecated, ::/96)"),
  v6("64:ff9b::/96", "NAT64", 12),
  v6("64:ff9b:1::/48", "local-use NAT64 (64:ff9b:1::/48)"),
  v6("100::/64", "discard (100::/64)"),
  v6("2001:db8::/32", "documentation (2001:db8::/32)"),
  v6("2002::/16", "6to4", 2),
  v6("fc00::/7", "unique local (fc00::/7)"),
  v6("fe80::/10", "link-local (fe80::/10)"),
  v6("fec0::/10", "site-local (fec0::/10)"),
  v6("ff00::/8", "multicast (ff00::/8)"),
];

/**
 * Why `address` (an IPv4 or IPv6 literal) is not a public address a webhook may be sent to, or undefined if it is
 * public. Not an IP address at all counts as refused.
 */
export function nonPublicAddressReason(address: string): string | undefined {
  const family = isIP(address.includes("%") ? address.slice(0, address.indexOf("%")) : address);
  if (family === 4) {
    const bytes = ipv4Bytes(address);
    return IPV4_RANGES.find((r) => matches(bytes, r))?.reason;
  }
  if (family === 6) {
    const bytes = ipv6Bytes(address);
    for (const range of IPV6_RANGES) {
      if (!matches(bytes, range)) continue;
      if (range.embedsIpv4At === undefined) return range.reason;
      const embedded = bytes.slice(range.embedsIpv4At, range.embedsIpv4At + 4).join(".");
      const inner = nonPublicAddressReason(embedded);
      return inner === undefined ? undefined : `${range.reason} ${inner}`;
    }
    return undefined;
  }
  return "not an IP address";
}
