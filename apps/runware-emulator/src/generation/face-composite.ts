import sharp from 'sharp';
import { type RawImage, toRaw, toSharp } from './raw-image.ts';

/**
 * What the emulator's outputs show of the person, so face checks and likeness scores are testable end to
 * end (issue #17). Chosen by a whole word in the positive prompt, as the content check is (nsfw.ts):
 * - `portrait` (default): the first reference photo pasted, unstyled, in the middle of the styled scene;
 * - `offlikeness`: the same photo with its middle band (eyes to nose) stretched: still a face, with other
 *   proportions, and no longer the person to the recognition model (past the same-person threshold);
 * - `offlikenessbelowseedN`: off-likeness only for seeds below N, the person for the others (a job whose
 *   first images miss the bar and whose later ones, seed + index, reach it: regenerateBelow);
 * - `noface`: no reference at all in the image.
 * Off-likeness and no-face images lay their scene out from flat colour (the layout would show the photo).
 */
export type FaceMode = 'portrait' | 'offlikeness' | 'noface';

const WORD = (word: string) => new RegExp(`(?:^|[^a-z0-9])${word}(?:[^a-z0-9]|$)`, 'i');
const NO_FACE = WORD('noface');
const OFF_LIKENESS = WORD('offlikeness');
const OFF_BELOW_SEED = /(?:^|[^a-z0-9])offlikenessbelowseed(\d+)(?:[^a-z0-9]|$)/i;

/** Share of the shorter side the pasted portrait takes. */
const PORTRAIT_SHARE = 0.6;
/** Off-likeness: the band across the middle of the photo (eyes to nose) this many times taller. */
const OFF_LIKENESS_BAND = { from: 0.47, to: 0.53, stretch: 7 };

export function faceModeOf(positivePrompt: string, seed: string): FaceMode {
  if (NO_FACE.test(positivePrompt)) return 'noface';
  const below = OFF_BELOW_SEED.exec(positivePrompt)?.[1];
  if (below !== undefined) return BigInt(seed) < BigInt(below) ? 'offlikeness' : 'portrait';
  return OFF_LIKENESS.test(positivePrompt) ? 'offlikeness' : 'portrait';
}

/** The photo with its middle band stretched: a face still, with other proportions (a longer nose). */
async function reproportioned(reference: RawImage): Promise<RawImage> {
  const { width, height } = reference;
  const from = Math.round(height * OFF_LIKENESS_BAND.from);
  const to = Math.round(height * OFF_LIKENESS_BAND.to);
  const band = Math.max(1, to - from);
  const tall = band * OFF_LIKENESS_BAND.stretch;
  const part = (top: number, h: number) =>
    toRaw(toSharp(reference).extract({ left: 0, top, width, height: h }));
  const upper = await part(0, from);
  const middle = await toRaw(toSharp(await part(from, band)).resize(width, tall, { fit: 'fill' }));
  const lower = await part(to, height - to);
  const raw = (img: RawImage) => ({ width: img.width, height: img.height, channels: 3 as const });
  return toRaw(
    sharp({
      create: { width, height: from + tall + (height - to), channels: 3, background: '#000000' },
    }).composite([
      { input: upper.data, raw: raw(upper), left: 0, top: 0 },
      { input: middle.data, raw: raw(middle), left: 0, top: from },
      { input: lower.data, raw: raw(lower), left: 0, top: from + tall },
    ]),
  );
}

/** The reference as a centred portrait on top of the scene (nothing for `noface`). */
export async function compositeFace(scene: RawImage, reference: RawImage, mode: FaceMode): Promise<RawImage> {
  if (mode === 'noface') return scene;
  const source = mode === 'offlikeness' ? await reproportioned(reference) : reference;
  const side = Math.max(1, Math.round(Math.min(scene.width, scene.height) * PORTRAIT_SHARE));
  const portrait = await toRaw(toSharp(source).resize(side, side, { fit: 'inside' }));
  const left = Math.round((scene.width - portrait.width) / 2);
  const top = Math.round((scene.height - portrait.height) / 2);
  const raw = { width: portrait.width, height: portrait.height, channels: 3 as const };
  return toRaw(toSharp(scene).composite([{ input: portrait.data, raw, left, top }]));
}

/** Stands in for the references in an off-likeness or no-face image's layout: a flat colour, nothing to detect. */
export async function flatReference(): Promise<RawImage> {
  return toRaw(sharp({ create: { width: 64, height: 64, channels: 3, background: '#7a8a99' } }));
}
