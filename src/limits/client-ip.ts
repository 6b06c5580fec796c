// The client an IP-keyed limit counts. Two threats shape it:
// - a missing address must never skip a limit (Lucia's example app did):
//   every request without one shares the constant key "unknown";
// - an IPv6 client owns a whole /64 (RFC 6177 assigns at least that much to
//   one site), so keying on the full address would give one attacker 2^64
//   fresh counters. IPv6 addresses count per /64; IPv4-mapped IPv6 addresses
//   (::ffff:1.2.3.4, what a dual-stack socket reports) count as their IPv4.

import { isIPv4, isIPv6 } from 'node:net';

export const UNKNOWN_CLIENT = 'unknown';

/** The key of the client behind `ip`: IPv4 as is, IPv6 as its /64, "unknown" when there is none. */
export function clientKey(ip: string | null | undefined): string {
  const text = (ip ?? '').trim().toLowerCase();
  if (text === '') return UNKNOWN_CLIENT;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  const withoutZone = text.replace(/%.*$/, '');
  if (isIPv6(withoutZone)) return `${ipv6Groups(withoutZone).slice(0, 4).join(':')}::/64`;
  return text;
}

/** The 8 groups of an IPv6 address, each as lower-case hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  let text = address;
  // A trailing dotted quad (::1.2.3.4) is the last two groups.
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -dotted[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array.from({ length: 8 - headGroups.length - tailGroups.length }, () => '0');
  return [...headGroups, ...zeros, ...tailGroups].map((group) => parseInt(group, 16).toString(16));
}
