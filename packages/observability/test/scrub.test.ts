import { describe, expect, it } from 'vitest';
import { scrub } from '../src/index.ts';

const TOKEN = 'tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0';

describe('scrub', () => {
  it('keeps only scheme://host[:port] of a URL: no userinfo, path, query or fragment', () => {
    const text = `POST to https://user:pw@hooks.example.com:8443/t/${TOKEN}/in?sig=abc#x failed`;
    expect(scrub(text)).toBe('POST to https://hooks.example.com:8443 failed');
    expect(scrub(`redis://:${TOKEN}@127.0.0.1:6379/0`)).toBe('redis://127.0.0.1:6379');
  });

  it('redacts secret-named pairs and long tokens, keeps UUIDs', () => {
    expect(scrub('password=hunter2 and X-Amz-Signature=deadbeef')).toBe(
      'password=[redacted] and X-Amz-Signature=[redacted]',
    );
    expect(scrub(`key ${TOKEN} used`)).toBe('key [token] used');
    const uuid = '0b4f5c4e-8a52-4c1e-9d2a-3f9f1e2d7c6b';
    expect(scrub(`task ${uuid} failed`)).toBe(`task ${uuid} failed`);
    expect(scrub(`workflow photomaker-${uuid}`)).toBe(`workflow photomaker-${uuid}`);
  });

  it('replaces absolute file paths of this machine', () => {
    expect(scrub('at run (/home/ci/app/dist/outbound.js:12:5)')).toBe('at run ([path]:12:5)');
    expect(scrub("ENOENT: open '/srv/.data/blobs/ab/cd.png'")).toBe("ENOENT: open '[path]'");
    expect(scrub('read C:\\Users\\ci\\key.pem failed')).toBe('read [path] failed');
  });

  it('leaves ordinary text alone', () => {
    const text = 'webhook to https://hooks.example.com answered HTTP 503 after 3/5 attempts (12 ms)';
    expect(scrub(text)).toBe(text);
  });
});
