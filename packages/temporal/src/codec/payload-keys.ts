import { createHash } from 'node:crypto';

/** One AES-256 key of the payload codec, named so ciphertexts say which key made them. */
export interface PayloadKey {
  id: string;
  key: Uint8Array;
}

/** The key ring: encode with `current`, decode with any key whose id a payload names (rotation). */
export interface PayloadKeyRing {
  current: PayloadKey;
  byId: ReadonlyMap<string, PayloadKey>;
  /** True when running on the built-in development key (PHOTOMAKER_PAYLOAD_KEYS unset). */
  dev: boolean;
}

export const PAYLOAD_KEYS_ENV = 'PHOTOMAKER_PAYLOAD_KEYS';
export const DEV_KEY_ID = 'dev';

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export class PayloadKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadKeyError';
  }
}

/**
 * Parses `<keyId>:<base64 of 32 bytes>[,<keyId>:<base64>...]` (first = current). Messages name the entry
 * by position and id, never the key material.
 */
export function parsePayloadKeys(text: string, source = PAYLOAD_KEYS_ENV): PayloadKeyRing {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0)
    throw new PayloadKeyError(`${source}: no keys; expected <keyId>:<base64 32 bytes>`);
  const byId = new Map<string, PayloadKey>();
  entries.forEach((entry, index) => {
    const where = `${source}: entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new PayloadKeyError(`${where} must be <keyId>:<base64 of 32 bytes>`);
    const id = entry.slice(0, colon);
    const encoded = entry.slice(colon + 1);
    if (!KEY_ID.test(id)) {
      throw new PayloadKeyError(`${where}: key id must be 1-64 characters of A-Z a-z 0-9 . _ -`);
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
      throw new PayloadKeyError(`${where} (key id '${id}'): key must be standard base64`);
    }
    const key = new Uint8Array(Buffer.from(encoded, 'base64'));
    if (key.byteLength !== 32) {
      throw new PayloadKeyError(
        `${where} (key id '${id}'): key must be base64 of exactly 32 bytes (AES-256), got ${key.byteLength}`,
      );
    }
    if (byId.has(id)) throw new PayloadKeyError(`${where}: key id '${id}' is listed twice`);
    byId.set(id, { id, key });
  });
  const current = byId.get(entries[0]?.slice(0, entries[0].indexOf(':')) ?? '');
  if (!current) throw new PayloadKeyError(`${source}: no current key`);
  return { current, byId, dev: false };
}

/** A fixed, public key for local development only: anyone can decrypt what it encrypts. */
export function devPayloadKeys(): PayloadKeyRing {
  const key = new Uint8Array(createHash('sha256').update('photomaker development payload key').digest());
  const current = { id: DEV_KEY_ID, key };
  return { current, byId: new Map([[DEV_KEY_ID, current]]), dev: true };
}

/** `PHOTOMAKER_PAYLOAD_KEYS`, or the development key (check `.dev` and warn) when unset. */
export function payloadKeysFromEnv(env: NodeJS.ProcessEnv = process.env): PayloadKeyRing {
  const text = env[PAYLOAD_KEYS_ENV];
  if (text === undefined || text.trim() === '') return devPayloadKeys();
  return parsePayloadKeys(text);
}

export const DEV_KEY_WARNING = `${PAYLOAD_KEYS_ENV} is not set: Temporal payloads are encrypted with the built-in development key, which is public. Set ${PAYLOAD_KEYS_ENV}=<keyId>:<base64 of 32 random bytes> (e.g. from \`openssl rand -base64 32\`) outside local development.`;
