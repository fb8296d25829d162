import { z } from 'zod';
import { PAYLOAD_KEYS_ENV, parsePayloadKeys } from './payload-keys.ts';

const HINT = `(generate one: node -p "'k1:'+crypto.randomBytes(32).toString('base64')")`;

/** Checked with the codec's own parser, so a key the config accepts is a key the codec can use. */
const payloadKeys = z.string().superRefine((text, ctx) => {
  try {
    parsePayloadKeys(text);
  } catch (error) {
    const message = (error as Error).message.replace(`${PAYLOAD_KEYS_ENV}: `, '');
    ctx.addIssue({ code: 'custom', message: `${message} ${HINT}` });
  }
});

/** The AES-256 keys of Temporal payloads: the API (client) and the worker must share them. */
export const payloadKeysEnv = z.object({
  [PAYLOAD_KEYS_ENV]: payloadKeys
    .optional()
    .describe('Temporal payload encryption keys `keyId:<base64 of 32 bytes>[,...]`, first = current')
    .meta({ secret: true, defaultText: 'a public development key (warns)' }),
});
