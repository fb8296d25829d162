import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent, buildConnector, type Dispatcher, fetch as undiciFetch } from 'undici';
import { isIpLiteral, judgeAddress, stripBrackets } from './address-policy.ts';
import { type AllowList, allowsAddress, allowsHost, EMPTY_ALLOW_LIST, parseAllowList } from './allow-list.ts';

export const ALLOW_ENV = 'PHOTOMAKER_ALLOW_PRIVATE_URLS';

export type UrlGuardReason = 'invalid-url' | 'unsupported-scheme' | 'blocked-address' | 'unresolvable';

/** Why an outbound URL was refused. The message names the host and the kind of address, never a secret. */
export class UrlGuardError extends Error {
  readonly reason: UrlGuardReason;
  readonly host: string | undefined;
  /** The address class that was refused ('private', 'loopback', 'linkLocal', ...). */
  readonly range: string | undefined;
  readonly code = 'URL_REFUSED';

  constructor(reason: UrlGuardReason, message: string, host?: string, range?: string) {
    super(message);
    this.name = 'UrlGuardError';
    this.reason = reason;
    this.host = host;
    this.range = range;
  }
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** DNS resolution, injectable so tests can make a name point anywhere without touching the network. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

export interface UrlGuardOptions {
  /** Exceptions (parsed list, or the env syntax). Default: none. */
  allow?: AllowList | string;
  resolver?: Resolver;
}

export interface CheckedUrl {
  url: URL;
  /** The addresses the host resolved to, all of them allowed (empty when the host is allow-listed by name). */
  addresses: ResolvedAddress[];
}

const DESCRIBE: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  linkLocal: 'a link-local address (cloud metadata lives there)',
  uniqueLocal: 'a unique-local address',
  carrierGradeNat: 'a carrier-grade NAT address',
  multicast: 'a multicast address',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
};

function describeRange(range: string): string {
  return DESCRIBE[range] ?? `a non-public address (${range})`;
}

/**
 * The SSRF guard. `check()` validates a URL at submission time (after DNS resolution); `dispatcher()`
 * is an undici Agent whose connector re-checks every address it connects to and connects to exactly the
 * address it checked, so a DNS answer that changes between check and request (rebinding) and redirects
 * to internal hosts are refused too.
 */
export class UrlGuard {
  readonly allow: AllowList;
  private readonly resolver: Resolver;

  constructor(options: UrlGuardOptions = {}) {
    this.allow =
      typeof options.allow === 'string' ? parseAllowList(options.allow) : (options.allow ?? EMPTY_ALLOW_LIST);
    this.resolver = options.resolver ?? systemResolver;
  }

  /** Reads `PHOTOMAKER_ALLOW_PRIVATE_URLS`. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, resolver?: Resolver): UrlGuard {
    return new UrlGuard({ allow: env[ALLOW_ENV] ?? '', ...(resolver ? { resolver } : {}) });
  }

  /** Throws UrlGuardError unless `address` may be reached (as the address of `host`). */
  assertAddress(address: string, host: string = address): void {
    if (allowsAddress(this.allow, address)) return;
    const verdict = judgeAddress(address);
    if (verdict.allowed) return;
    throw new UrlGuardError(
      'blocked-address',
      `host '${host}' ${isIpLiteral(host) ? 'is' : 'resolves to'} ${describeRange(verdict.range)}; ` +
        `refused (an operator can allow it with ${ALLOW_ENV})`,
      host,
      verdict.range,
    );
  }

  /** The addresses of `hostname` that may be reached; throws when any of them may not. */
  async resolveHost(hostname: string): Promise<ResolvedAddress[]> {
    const host = stripBrackets(hostname);
    if (isIpLiteral(host)) {
      this.assertAddress(host, hostname);
      return [{ address: host, family: host.includes(':') ? 6 : 4 }];
    }
    let addresses: ResolvedAddress[];
    try {
      addresses = await this.resolver(host);
    } catch {
      throw new UrlGuardError('unresolvable', `host '${host}' could not be resolved`, host);
    }
    if (addresses.length === 0)
      throw new UrlGuardError('unresolvable', `host '${host}' has no addresses`, host);
    if (allowsHost(this.allow, host)) return addresses;
    // All or nothing: a name that resolves to one public and one private address is refused, else the
    // connection could pick the private one.
    for (const { address } of addresses) this.assertAddress(address, host);
    return addresses;
  }

  /** Parses and checks an outbound http(s) URL. */
  async check(input: string | URL): Promise<CheckedUrl> {
    let url: URL;
    try {
      url = typeof input === 'string' ? new URL(input) : input;
    } catch {
      throw new UrlGuardError('invalid-url', 'not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UrlGuardError('unsupported-scheme', `scheme '${url.protocol}' refused; use http or https`);
    }
    if (!url.hostname) throw new UrlGuardError('invalid-url', 'URL has no host');
    const host = stripBrackets(url.hostname);
    if (!isIpLiteral(host) && allowsHost(this.allow, host)) return { url, addresses: [] };
    return { url, addresses: await this.resolveHost(url.hostname) };
  }

  /** A `lookup` for net/tls/http(s) agents: resolves, checks, and hands back only checked addresses. */
  readonly lookup = (
    hostname: string,
    options: LookupOptions,
    callback: (
      error: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ): void => {
    this.resolveHost(hostname).then(
      (addresses) => {
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = family ? addresses.filter((a) => a.family === family) : addresses;
        if (options.all) return callback(null, usable);
        const first = usable[0];
        if (!first)
          return callback(
            Object.assign(new Error(`no IPv${family} address for ${hostname}`), { code: 'ENOTFOUND' }),
            '',
          );
        callback(null, first.address, first.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, ''),
    );
  };

  /** An undici connector that refuses blocked addresses (IP literals directly, names through `lookup`). */
  connector(options: buildConnector.BuildOptions = {}): buildConnector.connector {
    const connect = buildConnector({ ...options, lookup: this.lookup } as buildConnector.BuildOptions);
    return (connectOptions, callback) => {
      const host = stripBrackets(connectOptions.hostname);
      // net.connect skips `lookup` for IP literals, so they are judged here.
      if (isIpLiteral(host)) {
        try {
          this.assertAddress(host, connectOptions.hostname);
        } catch (error) {
          return callback(error as Error, null);
        }
      }
      connect(connectOptions, callback);
    };
  }

  /** An undici Agent (connection pool) that only ever connects to allowed addresses. */
  dispatcher(options: Agent.Options = {}): Agent {
    const { connect, ...rest } = options;
    const connectOptions = typeof connect === 'object' && connect !== null ? connect : {};
    return new Agent({ ...rest, connect: this.connector(connectOptions as buildConnector.BuildOptions) });
  }

  /** `fetch` through a guarded dispatcher (checks the URL first for a clear error before connecting). */
  async fetch(
    input: string | URL,
    init: Parameters<typeof undiciFetch>[1] & { dispatcher?: Dispatcher } = {},
  ): ReturnType<typeof undiciFetch> {
    const { url } = await this.check(input);
    return undiciFetch(url, { ...init, dispatcher: init.dispatcher ?? this.sharedDispatcher() });
  }

  private shared: Agent | undefined;
  private sharedDispatcher(): Agent {
    this.shared ??= this.dispatcher();
    return this.shared;
  }

  async close(): Promise<void> {
    await this.shared?.close();
    this.shared = undefined;
  }
}
