import ipaddr from 'ipaddr.js';

/**
 * Which IP addresses an outbound request may reach. Only globally routable unicast addresses pass;
 * everything else (loopback, RFC 1918 private, link-local incl. 169.254.169.254 cloud metadata,
 * unique-local fc00::/7 incl. fd00:ec2::254, CGNAT 100.64/10 incl. Alibaba's 100.100.100.200,
 * multicast, unspecified, broadcast, documentation/benchmark/reserved ranges) is refused.
 * An IPv6 address that carries an IPv4 address (any form below) is judged by that IPv4 address too.
 */
export interface AddressVerdict {
  allowed: boolean;
  /** ipaddr.js range name: 'unicast', 'private', 'loopback', 'linkLocal', ...; `form:range` when embedded. */
  range: string;
  /** The address in canonical form (IPv4-mapped IPv6 unwrapped). */
  address: string;
}

export function isIpLiteral(host: string): boolean {
  return ipaddr.isValid(stripBrackets(host));
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Canonical parse: every IPv6 form that only wraps an IPv4 address (mapped, compatible, translated)
 * becomes that IPv4 address, so one rule (and one allow-list entry) covers every spelling.
 */
export function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const parsed = ipaddr.process(stripBrackets(address));
  if (parsed.kind() === 'ipv4') return parsed;
  const wrapped = wrappedIpv4(parsed as ipaddr.IPv6);
  return wrapped ?? parsed;
}

const bytesAt = (bytes: number[], from: number) => new ipaddr.IPv4(bytes.slice(from, from + 4));
const zeros = (bytes: number[], from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);

/** ::a.b.c.d (IPv4-compatible, RFC 4291 §2.5.5.1) and ::ffff:0:a.b.c.d (IPv4-translated, RFC 6145). */
function wrappedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const bytes = address.toByteArray();
  // :: and ::1 are the IPv6 unspecified and loopback addresses, not IPv4 0.0.0.0 / 0.0.0.1.
  const compatible = zeros(bytes, 0, 12) && !zeros(bytes, 12, 15);
  const translated = zeros(bytes, 0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zeros(bytes, 10, 12);
  return compatible || translated ? bytesAt(bytes, 12) : undefined;
}

interface Embedded {
  form: string;
  inner: ipaddr.IPv4[];
}

/**
 * IPv6 forms that route to an IPv4 address they carry: NAT64 (64:ff9b::/96, RFC 6052), 6to4
 * (2002::/16, RFC 3056), Teredo (2001::/32, RFC 4380: server, and client with its bits inverted) and
 * ISATAP (interface id 0:5efe or 200:5efe, RFC 5214, under any prefix).
 */
function embeddedIpv4(address: ipaddr.IPv6): Embedded | undefined {
  const bytes = address.toByteArray();
  if (address.match(ipaddr.IPv6.parse('64:ff9b::'), 96))
    return { form: 'rfc6052', inner: [bytesAt(bytes, 12)] };
  if (address.match(ipaddr.IPv6.parse('2002::'), 16)) return { form: '6to4', inner: [bytesAt(bytes, 2)] };
  if (address.match(ipaddr.IPv6.parse('2001::'), 32)) {
    const client = new ipaddr.IPv4(bytes.slice(12, 16).map((b) => b ^ 0xff));
    return { form: 'teredo', inner: [bytesAt(bytes, 4), client] };
  }
  if ((bytes[8] ?? 0) & 0xfc || bytes[9] !== 0 || bytes[10] !== 0x5e || bytes[11] !== 0xfe) return undefined;
  return { form: 'isatap', inner: [bytesAt(bytes, 12)] };
}

/** Outer ranges whose traffic goes to the embedded IPv4 address: judged by that address alone. */
const TUNNEL_RANGES = new Set(['rfc6052', '6to4', 'teredo']);

export function judgeAddress(address: string): AddressVerdict {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = parseAddress(address);
  } catch {
    return { allowed: false, range: 'invalid', address };
  }
  const range = parsed.range();
  const canonical = parsed.toString();
  const embedded = parsed.kind() === 'ipv6' ? embeddedIpv4(parsed as ipaddr.IPv6) : undefined;
  const outerAllowed = range === 'unicast' || (embedded !== undefined && TUNNEL_RANGES.has(range));
  if (!outerAllowed || !embedded) return { allowed: outerAllowed, range, address: canonical };
  const refused = embedded.inner.find((inner) => inner.range() !== 'unicast');
  return refused
    ? { allowed: false, range: `${embedded.form}:${refused.range()}`, address: canonical }
    : { allowed: true, range, address: canonical };
}
