import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from './aes-gcm-codec.ts';
import type { PayloadKeyRing } from './payload-keys.ts';

/** A JSON value encrypted like a Temporal payload: the key id (for rotation) and iv | ciphertext | tag. */
export interface SealedJson {
  k: string;
  d: string;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();
const JSON_ENCODING = textEncoder.encode('json/plain');

/**
 * Values kept outside Temporal (Redis job records) sealed with the payload codec itself: the same keys,
 * the same rotation, the same AES-256-GCM authentication. Who can decrypt history can read these; nobody
 * else.
 */
export class JsonSealer {
  private readonly codec: AesGcmPayloadCodec;

  constructor(keys: PayloadKeyRing) {
    this.codec = new AesGcmPayloadCodec(keys);
  }

  seal(value: unknown): SealedJson {
    const encrypted = this.codec.encryptOne({
      metadata: { [METADATA_ENCODING_KEY]: JSON_ENCODING },
      data: textEncoder.encode(JSON.stringify(value)),
    });
    const keyId = textDecoder.decode(encrypted.metadata?.[KEY_ID_METADATA] ?? new Uint8Array());
    return { k: keyId, d: Buffer.from(encrypted.data ?? new Uint8Array()).toString('base64') };
  }

  /** The value, or a PayloadDecryptionError (unknown key id, altered or foreign ciphertext). */
  open(sealed: SealedJson): unknown {
    const plain = this.codec.decryptOne({
      metadata: {
        [METADATA_ENCODING_KEY]: textEncoder.encode(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: textEncoder.encode(sealed.k),
      },
      data: new Uint8Array(Buffer.from(sealed.d, 'base64')),
    });
    return JSON.parse(textDecoder.decode(plain.data ?? new Uint8Array()));
  }
}
