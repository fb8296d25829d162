import { describe, expect, it } from 'vitest';
import { judgeAddress, UrlGuard, UrlGuardError } from '../src/index.ts';

// Every IPv6 spelling that carries an IPv4 address, around loopback, private and metadata targets.
describe('IPv6 forms with an embedded IPv4 address', () => {
  it.each([
    // form, address, range reported
    ['IPv4-compatible', '::127.0.0.1', 'loopback'],
    ['IPv4-compatible (hex)', '::7f00:1', 'loopback'],
    ['IPv4-compatible (full)', '0:0:0:0:0:0:a00:1', 'private'],
    ['IPv4-compatible metadata', '::169.254.169.254', 'linkLocal'],
    ['IPv4-mapped', '::ffff:127.0.0.1', 'loopback'],
    ['IPv4-mapped (hex)', '::ffff:7f00:1', 'loopback'],
    ['IPv4-translated (RFC 6145)', '::ffff:0:127.0.0.1', 'loopback'],
    ['IPv4-translated private', '::ffff:0:c0a8:101', 'private'],
    ['NAT64 well-known prefix', '64:ff9b::127.0.0.1', 'rfc6052:loopback'],
    ['NAT64 metadata', '64:ff9b::a9fe:a9fe', 'rfc6052:linkLocal'],
    ['NAT64 local-use prefix (RFC 8215)', '64:ff9b:1::808:808', 'rfc6052'],
    ['6to4', '2002:a00:1::1', '6to4:private'],
    ['6to4 metadata', '2002:a9fe:a9fe::', '6to4:linkLocal'],
    ['Teredo server', '2001:0:7f00:1::', 'teredo:loopback'],
    // Client 10.0.0.1 with its bits inverted: f5ff:fffe.
    ['Teredo client', '2001:0:808:808:0:0:f5ff:fffe', 'teredo:private'],
    ['ISATAP', '2607:f8b0::5efe:7f00:1', 'isatap:loopback'],
    ['ISATAP (u bit)', '2607:f8b0::200:5efe:a00:1', 'isatap:private'],
    ['bracketed IPv4-compatible', '[::127.0.0.1]', 'loopback'],
  ])('refuses %s %s (%s)', (_form, address, range) => {
    expect(judgeAddress(address)).toMatchObject({ allowed: false, range });
  });

  it.each([
    ['IPv4-compatible', '::8.8.8.8'],
    ['IPv4-translated', '::ffff:0:808:808'],
    ['NAT64', '64:ff9b::8.8.8.8'],
    ['6to4', '2002:808:808::1'],
    // Server 8.8.8.8, client 8.8.4.4 inverted: f7f7:fbfb.
    ['Teredo', '2001:0:808:808:0:0:f7f7:fbfb'],
    ['ISATAP', '2607:f8b0::5efe:808:808'],
  ])('allows %s %s around a public IPv4 address', (_form, address) => {
    expect(judgeAddress(address).allowed).toBe(true);
  });

  it('keeps :: and ::1 as the IPv6 unspecified and loopback addresses', () => {
    expect(judgeAddress('::')).toMatchObject({ allowed: false, range: 'unspecified' });
    expect(judgeAddress('::1')).toMatchObject({ allowed: false, range: 'loopback' });
  });

  it('refuses a URL whose host is an IPv4-compatible loopback literal', async () => {
    const guard = new UrlGuard({ resolver: async () => [] });
    const error = await guard.check('http://[::127.0.0.1]:8080/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UrlGuardError);
    expect((error as UrlGuardError).message).toContain('a loopback address');
  });

  it('lets an allow-list entry cover every spelling of its address', async () => {
    const guard = new UrlGuard({ allow: '127.0.0.1', resolver: async () => [] });
    await expect(guard.check('http://[::7f00:1]:8080/x')).resolves.toBeDefined();
    await expect(guard.check('http://[::ffff:0:7f00:1]:8080/x')).resolves.toBeDefined();
  });
});
