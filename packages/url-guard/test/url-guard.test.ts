import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AllowListError,
  BodyTooLargeError,
  judgeAddress,
  parseAllowList,
  type Resolver,
  readBodyLimited,
  UrlGuard,
  UrlGuardError,
} from '../src/index.ts';

// A fake DNS: names point wherever a test needs, no network involved.
const zone: Record<string, string[]> = {
  'public.test': ['93.184.216.34'],
  'private.test': ['10.1.2.3'],
  'metadata.test': ['169.254.169.254'],
  'mixed.test': ['93.184.216.34', '192.168.1.10'],
  'mapped.test': ['::ffff:127.0.0.1'],
  'v6-public.test': ['2606:4700::6810:85e5'],
  'local.test': ['127.0.0.1'],
};
const resolver: Resolver = async (host) => {
  const addresses = zone[host];
  if (!addresses) throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

describe('judgeAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['100.100.100.200', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.0.192', 'reserved'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['64:ff9b::a00:1', 'rfc6052:private'],
    ['2002:7f00:1::', '6to4:loopback'],
  ])('refuses %s (%s)', (address, range) => {
    expect(judgeAddress(address)).toMatchObject({ allowed: false, range });
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::6810:85e5', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    'allows public %s',
    (address) => {
      expect(judgeAddress(address).allowed).toBe(true);
    },
  );

  it('refuses what is not an address', () => {
    expect(judgeAddress('not-an-ip')).toMatchObject({ allowed: false, range: 'invalid' });
  });
});

describe('parseAllowList', () => {
  it('parses CIDRs, single IPs, host names, wildcards and *', () => {
    const list = parseAllowList(' 127.0.0.1/32, 10.0.0.0/8 ,::1, localhost, *.corp.example, ');
    expect(list.entries).toEqual(['127.0.0.1/32', '10.0.0.0/8', '::1', 'localhost', '*.corp.example']);
    expect(list.hosts.has('localhost')).toBe(true);
    expect(list.suffixes).toEqual(['.corp.example']);
    expect(list.cidrs).toHaveLength(3);
    expect(parseAllowList('*').any).toBe(true);
    expect(parseAllowList(undefined).entries).toEqual([]);
  });

  it('rejects garbage with the entry named', () => {
    expect(() => parseAllowList('10.0.0.0/99')).toThrow(AllowListError);
    expect(() => parseAllowList('foo bar')).toThrow(/'foo bar'/);
  });
});

describe('UrlGuard.check', () => {
  const guard = new UrlGuard({ resolver });

  it('accepts public hosts and returns the checked addresses', async () => {
    const checked = await guard.check('https://public.test/hook?token=x');
    expect(checked.addresses).toEqual([{ address: '93.184.216.34', family: 4 }]);
    expect((await guard.check('https://v6-public.test/')).addresses[0]?.family).toBe(6);
    expect((await guard.check('http://93.184.216.34:8080/')).addresses).toHaveLength(1);
  });

  it.each([
    ['http://127.0.0.1:4000/', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://10.0.0.7/', 'private'],
    ['http://169.254.169.254/latest/meta-data/', 'linkLocal'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://private.test/', 'private'],
    ['http://metadata.test/', 'linkLocal'],
    ['http://mapped.test/', 'loopback'],
    ['http://local.test/', 'loopback'],
    // One private answer is enough to refuse: the connection could otherwise pick it.
    ['http://mixed.test/', 'private'],
  ])('refuses %s after resolution (%s)', async (url, range) => {
    const error = await guard.check(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UrlGuardError);
    expect(error).toMatchObject({ reason: 'blocked-address', range });
    expect((error as Error).message).toContain('PHOTOMAKER_ALLOW_PRIVATE_URLS');
  });

  it('refuses other schemes, garbage and unresolvable names', async () => {
    await expect(guard.check('file:///etc/passwd')).rejects.toMatchObject({ reason: 'unsupported-scheme' });
    await expect(guard.check('gopher://public.test/')).rejects.toMatchObject({
      reason: 'unsupported-scheme',
    });
    await expect(guard.check('not a url')).rejects.toMatchObject({ reason: 'invalid-url' });
    await expect(guard.check('http://nowhere.test/')).rejects.toMatchObject({ reason: 'unresolvable' });
  });

  it('lets the allow-list open addresses, ranges and names', async () => {
    const allowing = new UrlGuard({ resolver, allow: '127.0.0.1/32,10.0.0.0/8,metadata.test' });
    expect((await allowing.check('http://127.0.0.1:4000/')).url.href).toBe('http://127.0.0.1:4000/');
    expect((await allowing.check('http://local.test/')).url.href).toBe('http://local.test/');
    // (URL writes the mapped IPv4 address in hex.)
    expect((await allowing.check('http://[::ffff:127.0.0.1]/')).url.href).toBe('http://[::ffff:7f00:1]/');
    expect((await allowing.check('http://private.test/')).url.href).toBe('http://private.test/');
    expect((await allowing.check('http://metadata.test/')).url.href).toBe('http://metadata.test/');
    // Not listed: still refused.
    await expect(allowing.check('http://169.254.169.254/')).rejects.toBeInstanceOf(UrlGuardError);
    await expect(allowing.check('http://192.168.0.1/')).rejects.toBeInstanceOf(UrlGuardError);
  });

  it('reads the allow-list from PHOTOMAKER_ALLOW_PRIVATE_URLS', async () => {
    const fromEnv = UrlGuard.fromEnv({ PHOTOMAKER_ALLOW_PRIVATE_URLS: 'private.test' }, resolver);
    expect((await fromEnv.check('http://private.test/')).url.href).toBe('http://private.test/');
    await expect(UrlGuard.fromEnv({}, resolver).check('http://private.test/')).rejects.toThrow(UrlGuardError);
  });
});

describe('UrlGuard dispatcher (connect-time pinning)', () => {
  let server: Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/target` }).end();
        return;
      }
      if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.alloc(64 * 1024, 1));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.close();
    await once(server, 'close');
  });

  it('refuses to connect to a loopback server, by IP or by name, without sending anything', async () => {
    const guard = new UrlGuard({ resolver });
    const before = hits;
    await expect(guard.fetch(`http://127.0.0.1:${port}/`)).rejects.toBeInstanceOf(UrlGuardError);
    // Bypass the up-front check to prove the connector itself refuses (DNS rebinding case).
    const dispatcher = guard.dispatcher();
    const { fetch } = await import('undici');
    await expect(fetch(`http://127.0.0.1:${port}/`, { dispatcher })).rejects.toMatchObject({
      cause: { name: 'UrlGuardError', reason: 'blocked-address' },
    });
    await expect(fetch(`http://local.test:${port}/`, { dispatcher })).rejects.toMatchObject({
      cause: { name: 'UrlGuardError' },
    });
    await dispatcher.close();
    expect(hits).toBe(before);
    await guard.close();
  });

  it('re-resolves at connect time: a name that flips to a private address is refused (rebinding)', async () => {
    let answer = '93.184.216.34';
    const flipping: Resolver = async () => [{ address: answer, family: 4 }];
    const guard = new UrlGuard({ resolver: flipping });
    expect((await guard.check(`http://rebind.test:${port}/`)).url.href).toBe(`http://rebind.test:${port}/`);
    answer = '127.0.0.1';
    const before = hits;
    const dispatcher = guard.dispatcher();
    const { fetch } = await import('undici');
    await expect(fetch(`http://rebind.test:${port}/`, { dispatcher })).rejects.toMatchObject({
      cause: { name: 'UrlGuardError' },
    });
    expect(hits).toBe(before);
    await dispatcher.close();
  });

  it('connects to allow-listed loopback, through a name to the pinned address', async () => {
    const guard = new UrlGuard({ resolver, allow: '127.0.0.1/32' });
    const response = await guard.fetch(`http://local.test:${port}/`);
    expect(await response.text()).toBe('ok');
    await guard.close();
  });

  it('checks every redirect hop', async () => {
    // The first hop is allowed by name; the redirect goes to a loopback IP that is not allowed.
    const guard = new UrlGuard({
      resolver: async () => [{ address: '127.0.0.1', family: 4 }],
      allow: 'hop.test',
    });
    const before = hits;
    await expect(guard.fetch(`http://hop.test:${port}/redirect`)).rejects.toMatchObject({
      cause: { name: 'UrlGuardError' },
    });
    expect(hits).toBe(before + 1);
    await guard.close();
  });

  it('readBodyLimited stops at the limit', async () => {
    const guard = new UrlGuard({ resolver, allow: '127.0.0.1' });
    const small = await guard.fetch(`http://127.0.0.1:${port}/big`);
    expect((await readBodyLimited(small, 64 * 1024)).byteLength).toBe(64 * 1024);
    const big = await guard.fetch(`http://127.0.0.1:${port}/big`);
    await expect(readBodyLimited(big, 1000)).rejects.toBeInstanceOf(BodyTooLargeError);
    await guard.close();
  });
});
