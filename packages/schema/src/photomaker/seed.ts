import { z } from 'zod';
import { SEED_MAX, SEED_MIN } from './limits.ts';

const DIGITS = /^[0-9]{1,19}$/;

/**
 * Seeds go up to 2^63-1, past Number.MAX_SAFE_INTEGER. Accepted as a safe integer, a bigint, or a
 * decimal string; always normalised to a decimal string so no layer can silently round it.
 */
export const seedSchema = z.union([z.number(), z.bigint(), z.string()]).transform((value, ctx): string => {
  let seed: bigint | undefined;
  if (typeof value === 'bigint') seed = value;
  else if (typeof value === 'number') seed = Number.isSafeInteger(value) ? BigInt(value) : undefined;
  else if (DIGITS.test(value)) seed = BigInt(value);
  if (seed === undefined || seed < SEED_MIN || seed > SEED_MAX) {
    ctx.issues.push({ code: 'custom', message: 'seed out of range', input: value });
    return z.NEVER;
  }
  return seed.toString();
});

/** A seed as Runware returns it (any non-negative integer), normalised to a decimal string. */
export const seedOutputSchema = z
  .union([z.number(), z.bigint(), z.string()])
  .transform((value, ctx): string => {
    const text =
      typeof value === 'string' ? value : typeof value === 'bigint' ? value.toString() : String(value);
    if (!/^[0-9]+$/.test(text)) {
      ctx.issues.push({ code: 'custom', message: 'seed must be a non-negative integer', input: value });
      return z.NEVER;
    }
    return text;
  });

export { addToSeed } from './seed-math.ts';
