import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JsonSealer, PayloadDecryptionError, parsePayloadKeys } from '../src/codec/index.ts';

const key = () => randomBytes(32).toString('base64');
const value = { task: { positivePrompt: 'rwre, a private portrait', webhookURL: 'https://h.example/t/abc' } };

describe('JsonSealer (records kept outside Temporal, sealed with the payload keys)', () => {
  it('round-trips a JSON value and shows only the key id', () => {
    const sealer = new JsonSealer(parsePayloadKeys(`k1:${key()}`));
    const sealed = sealer.seal(value);
    expect(sealed.k).toBe('k1');
    expect(Buffer.from(sealed.d, 'base64').toString('latin1')).not.toContain('private portrait');
    expect(sealer.open(sealed)).toEqual(value);
  });

  it('opens values sealed with an older key of the ring (rotation)', () => {
    const oldKey = key();
    const sealed = new JsonSealer(parsePayloadKeys(`old:${oldKey}`)).seal(value);
    expect(new JsonSealer(parsePayloadKeys(`new:${key()},old:${oldKey}`)).open(sealed)).toEqual(value);
  });

  it('refuses an altered value, a relabelled key id and an unknown key', () => {
    const oldKey = key();
    const sealer = new JsonSealer(parsePayloadKeys(`a:${oldKey},b:${key()}`));
    const sealed = sealer.seal(value);
    const bytes = Buffer.from(sealed.d, 'base64');
    bytes[20] = (bytes[20] ?? 0) ^ 1;
    expect(() => sealer.open({ ...sealed, d: bytes.toString('base64') })).toThrow(PayloadDecryptionError);
    expect(() => sealer.open({ ...sealed, k: 'b' })).toThrow(PayloadDecryptionError);
    expect(() => new JsonSealer(parsePayloadKeys(`c:${key()}`)).open(sealed)).toThrow(/key id 'a'/);
  });
});
