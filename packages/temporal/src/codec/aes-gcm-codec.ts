import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { PayloadKeyRing } from './payload-keys.ts';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

// A CommonJS module: Node's ESM loader exposes it as the default export only.
const { Payload: PayloadProto } = proto.temporal.api.common.v1;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();
const ENCRYPTED_ENCODING_BYTES = textEncoder.encode(ENCRYPTED_ENCODING);

export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

// The key id is authenticated too: a payload relabelled with another key id fails to decrypt.
const aad = (keyId: string) => textEncoder.encode(`photomaker-payload:v1:${keyId}`);

/**
 * AES-256-GCM over the whole serialized Payload (metadata included, so even the encoding is hidden).
 * Output: metadata {encoding: binary/encrypted, encryption-key-id: <id>}, data = iv | ciphertext | tag.
 * Decoding accepts any key of the ring (rotation) and passes unencrypted payloads through unchanged.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  readonly keys: PayloadKeyRing;
  /** Imported once: building a key object per payload showed up in worker profiles. */
  private readonly secretKeys = new Map<string, KeyObject>();

  constructor(keys: PayloadKeyRing) {
    this.keys = keys;
    for (const [id, entry] of keys.byId) this.secretKeys.set(id, createSecretKey(entry.key));
  }

  private secretKey(id: string): KeyObject {
    const key = this.secretKeys.get(id);
    if (!key) throw new PayloadDecryptionError(`no key with id '${id}'`);
    return key;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encryptOne(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decryptOne(payload));
  }

  encryptOne(payload: Payload): Payload {
    const { id } = this.keys.current;
    const plain = PayloadProto.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.secretKey(id), iv);
    cipher.setAAD(aad(id));
    const body = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: ENCRYPTED_ENCODING_BYTES,
        [KEY_ID_METADATA]: textEncoder.encode(id),
      },
      data: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    };
  }

  decryptOne(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || textDecoder.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    if (!idBytes) throw new PayloadDecryptionError(`encrypted payload has no ${KEY_ID_METADATA} metadata`);
    const keyId = textDecoder.decode(idBytes);
    const entry = this.keys.byId.get(keyId);
    if (!entry) {
      throw new PayloadDecryptionError(
        `payload was encrypted with key id '${keyId}', which is not in PHOTOMAKER_PAYLOAD_KEYS (known: ${[...this.keys.byId.keys()].join(', ')})`,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.byteLength < IV_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError('encrypted payload is truncated');
    const iv = data.subarray(0, IV_BYTES);
    const tag = data.subarray(data.byteLength - TAG_BYTES);
    const body = data.subarray(IV_BYTES, data.byteLength - TAG_BYTES);
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.secretKey(entry.id), iv);
      decipher.setAAD(aad(keyId));
      decipher.setAuthTag(tag);
      plain = Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `encrypted payload failed authentication with key id '${keyId}': it was altered or encrypted with another key`,
      );
    }
    const decoded = PayloadProto.decode(plain);
    return { metadata: decoded.metadata ?? {}, data: decoded.data ?? new Uint8Array() };
  }
}
