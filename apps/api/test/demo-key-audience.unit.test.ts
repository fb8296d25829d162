import { describe, expect, it } from 'vitest';
import { mayReceiveDemoKey } from '../src/http/demo-key-audience.ts';

describe('who may receive the demo key (/web-config.json)', () => {
  const publicUrl = 'https://photos.example';
  it.each([
    [{ host: 'photos.example' }, publicUrl, true],
    [{ host: 'PHOTOS.example' }, publicUrl, true],
    [{ host: 'photos.example:8443' }, publicUrl, false],
    [{ host: '127.0.0.1:4000' }, publicUrl, true],
    [{ host: '127.9.9.9' }, undefined, true],
    [{ host: 'localhost:4000' }, undefined, true],
    [{ host: '[::1]:4000' }, undefined, true],
    [{ host: 'attacker.example' }, publicUrl, false],
    [{ host: 'attacker.example' }, undefined, false],
    [{ host: '127.0.0.1.attacker.example' }, undefined, false],
    [{ host: '10.0.0.5:4000' }, undefined, false],
    [{}, publicUrl, false],
    [{ host: '127.0.0.1:4000', origin: 'http://127.0.0.1:4000' }, undefined, true],
    [{ host: '127.0.0.1:4000', origin: 'https://attacker.example' }, undefined, false],
    [{ host: 'photos.example', origin: 'https://photos.example' }, publicUrl, true],
    [{ host: 'photos.example', origin: 'null' }, publicUrl, false],
  ] as const)('%j (public URL %s) -> %s', (headers, configured, expected) => {
    expect(mayReceiveDemoKey(headers, configured)).toBe(expected);
  });
});
