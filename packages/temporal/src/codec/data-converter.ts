import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './aes-gcm-codec.ts';
import { DEV_KEY_WARNING, type PayloadKeyRing, payloadKeysFromEnv } from './payload-keys.ts';

/** The data converter for Client and Worker alike: JSON payloads, then AES-256-GCM. */
export function createDataConverter(keys: PayloadKeyRing): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(keys)] };
}

/**
 * From `PHOTOMAKER_PAYLOAD_KEYS`; on the built-in dev key `warn` is called once with why that is unsafe.
 * Both the api (Client) and the worker must use the same keys.
 */
export function dataConverterFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = (message) => console.warn(message),
): DataConverter {
  const keys = payloadKeysFromEnv(env);
  if (keys.dev) warn(DEV_KEY_WARNING);
  return createDataConverter(keys);
}
