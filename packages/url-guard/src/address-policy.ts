import ipaddr from 'ipaddr.js';

/**
 * Which IP addresses an outbound request may reach. Only globally routable unicast addresses pass;
 * everything else (loopback, RFC 1918 private, link-local incl. 169.254.169.254 cloud metadata,
 * unique-local fc00::/7 incl. fd00:ec2::254, CGNAT 100.64/10 incl. Alibaba's 100.100.100.200,
 * multicast, unspecified, broadcast, documentation/benchmark/reserved ranges) is refused.
 * IPv4-mapped IPv6 (::ffff:10.0.0.1) and NAT64/6to4 forms are judged by the IPv4 address they carry.
 */
export interface AddressVerdict {
  allowed: boolean;
  /** ipaddr.js range name: 'unicast', 'private', 'loopback', 'linkLocal', ... */
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

/** Canonical parse: IPv4-mapped IPv6 becomes IPv4 so one rule covers both spellings. */
export function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 {
  return ipaddr.process(stripBrackets(address));
}

function embeddedIpv4(address: ipaddr.IPv6, range: string): ipaddr.IPv4 | undefined {
  const bytes = address.toByteArray();
  if (range === 'rfc6052') return new ipaddr.IPv4(bytes.slice(12, 16));
  if (range === '6to4') return new ipaddr.IPv4(bytes.slice(2, 6));
  return undefined;
}

export function judgeAddress(address: string): AddressVerdict {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = parseAddress(address);
  } catch {
    return { allowed: false, range: 'invalid', address };
  }
  const range = parsed.range();
  const canonical = parsed.toString();
  if (range === 'unicast') return { allowed: true, range, address: canonical };
  if (parsed.kind() === 'ipv6') {
    const inner = embeddedIpv4(parsed as ipaddr.IPv6, range);
    if (inner) {
      const innerRange = inner.range();
      return { allowed: innerRange === 'unicast', range: `${range}:${innerRange}`, address: canonical };
    }
  }
  return { allowed: false, range, address: canonical };
}
