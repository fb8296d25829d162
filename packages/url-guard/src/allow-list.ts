import ipaddr from 'ipaddr.js';
import { parseAddress } from './address-policy.ts';

/**
 * Exceptions to the address policy, from `PHOTOMAKER_ALLOW_PRIVATE_URLS`: comma-separated entries, each
 * - a CIDR (`127.0.0.1/32`, `10.0.0.0/8`, `fd00::/8`) or a single IP (`127.0.0.1`, `::1`): that address
 *   range may be reached whatever name resolves to it;
 * - a host name (`localhost`, `hooks.internal`) or a suffix wildcard (`*.corp.example`): that name may
 *   resolve anywhere;
 * - `*`: no restriction at all (local development only).
 */
export interface AllowList {
  any: boolean;
  cidrs: [ipaddr.IPv4 | ipaddr.IPv6, number][];
  hosts: Set<string>;
  suffixes: string[];
  /** The entries as given, for logs. */
  entries: string[];
}

export class AllowListError extends Error {
  readonly entry: string;
  constructor(entry: string) {
    super(`PHOTOMAKER_ALLOW_PRIVATE_URLS: '${entry}' is not an IP, a CIDR, a host name or '*'`);
    this.name = 'AllowListError';
    this.entry = entry;
  }
}

const HOST_NAME = /^(\*\.)?([a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/;

export const EMPTY_ALLOW_LIST: AllowList = {
  any: false,
  cidrs: [],
  hosts: new Set(),
  suffixes: [],
  entries: [],
};

/** A CIDR entry; `::ffff:10.0.0.0/104` means 10.0.0.0/8: addresses are compared in their unwrapped IPv4 form. */
function parseCidr(entry: string, raw: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  let cidr: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    cidr = ipaddr.parseCIDR(entry);
  } catch {
    throw new AllowListError(raw.trim());
  }
  const [address, bits] = cidr;
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96)
    return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
  return cidr;
}

/** Adds one (trimmed, lower-cased) entry to the list: `*`, a CIDR, an address, a host or `*.suffix`. */
function addEntry(list: AllowList, entry: string, raw: string): void {
  list.entries.push(entry);
  if (entry === '*') {
    list.any = true;
  } else if (entry.includes('/')) {
    list.cidrs.push(parseCidr(entry, raw));
  } else if (ipaddr.isValid(entry.replace(/^\[|\]$/g, ''))) {
    const address = parseAddress(entry);
    list.cidrs.push([address, address.kind() === 'ipv4' ? 32 : 128]);
  } else if (HOST_NAME.test(entry)) {
    const name = entry.replace(/\.$/, '');
    if (name.startsWith('*.')) list.suffixes.push(name.slice(1));
    else list.hosts.add(name);
  } else {
    throw new AllowListError(raw.trim());
  }
}

export function parseAllowList(spec: string | undefined): AllowList {
  const list: AllowList = { any: false, cidrs: [], hosts: new Set(), suffixes: [], entries: [] };
  for (const raw of (spec ?? '').split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry) addEntry(list, entry, raw);
  }
  return list;
}

export function allowsHost(list: AllowList, host: string): boolean {
  if (list.any) return true;
  const name = host.toLowerCase().replace(/\.$/, '');
  return list.hosts.has(name) || list.suffixes.some((suffix) => name.endsWith(suffix));
}

export function allowsAddress(list: AllowList, address: string): boolean {
  if (list.any) return true;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = parseAddress(address);
  } catch {
    return false;
  }
  return list.cidrs.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits));
}
