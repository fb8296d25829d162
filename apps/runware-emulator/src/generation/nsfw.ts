import { effectiveSafetyMode, type Safety } from '@photomaker/schema';

const NSFW_WORD = /(?:^|[^a-z0-9])nsfw(?:[^a-z0-9]|$)/i;

/**
 * The emulator's content check, deterministic so tests can reach both answers: with a safety mode other
 * than `none`, an image is flagged when the positive prompt contains the word "nsfw" (any case, as a
 * whole word; the negative prompt is ignored, people put "nsfw" there to avoid it). Without a `safety`
 * object `NSFWContent` is not reported; with mode `none` it is reported as false.
 */
export function nsfwVerdict(safety: Safety | undefined, positivePrompt: string): boolean | undefined {
  if (safety === undefined) return undefined;
  if (effectiveSafetyMode(safety) === 'none') return false;
  return NSFW_WORD.test(positivePrompt);
}
