import type { Lora, OutputFormat, PhotoMakerStyle } from '@photomaker/schema';
import type { Sharp } from 'sharp';
import { compositeFace, faceModeOf, flatReference } from './face-composite.ts';
import { composeLayout } from './layout.ts';
import { loraOverlay } from './lora-overlay.ts';
import { hex, hsl, type RawImage, toRaw, toSharp } from './raw-image.ts';
import type { ReferenceCache } from './reference-cache.ts';
import { randomForSeed, type SeededRandom } from './seeded-random.ts';
import { applyStyle } from './styles.ts';

export interface RenderRequest {
  /** Reference photos: content hash (cache key) and bytes. */
  references: { hash: string; bytes: Buffer }[];
  width: number;
  height: number;
  style: PhotoMakerStyle;
  strength: number;
  /** LoRAs of the task: each leaves its own mark, as strong as its weight. */
  lora?: readonly Lora[];
  seed: string;
  positivePrompt: string;
  outputFormat: OutputFormat;
  outputQuality: number;
  /** Flagged by the content check: the image is blurred beyond recognition. */
  flagged: boolean;
}

export interface RenderedImage {
  bytes: Buffer;
  mediaType: 'image/jpeg' | 'image/png' | 'image/webp';
}

const MEDIA_TYPES = { JPG: 'image/jpeg', PNG: 'image/png', WEBP: 'image/webp' } as const;

/** Longest side the layout and style passes work at. */
const WORK_SIDE = 768;

/** strength 15..50 -> how far the style and the seed's shapes move away from the photos. */
function styleIntensity(strength: number): number {
  return 0.35 + (0.65 * (strength - 15)) / 35;
}

/** Translucent shapes in the seed's colours: two seeds never look alike, one seed always looks the same. */
function seedOverlay(width: number, height: number, random: SeededRandom, intensity: number): Buffer {
  const shapes: string[] = [];
  const count = random.int(2, 4);
  const opacity = (0.08 + 0.22 * intensity).toFixed(3);
  for (let i = 0; i < count; i++) {
    const color = hex(hsl(random.range(0, 360), random.range(0.5, 0.9), random.range(0.4, 0.65)));
    const cx = Math.round(random.range(0, width));
    const cy = Math.round(random.range(0, height));
    const rx = Math.round(random.range(0.12, 0.45) * width);
    const ry = Math.round(random.range(0.12, 0.45) * height);
    shapes.push(
      `<ellipse cx="${cx}" cy="${cy}" rx="${rx}" ry="${ry}" fill="${color}" fill-opacity="${opacity}"/>`,
    );
  }
  const band = hex(hsl(random.range(0, 360), 0.8, 0.5));
  const bandHeight = Math.max(2, Math.round(height * 0.012));
  shapes.push(
    `<rect x="0" y="${height - bandHeight}" width="${width}" height="${bandHeight}" fill="${band}"/>`,
  );
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`,
  );
}

function encode(pipeline: Sharp, format: OutputFormat, quality: number): Promise<Buffer> {
  switch (format) {
    case 'PNG':
      return pipeline.png({ compressionLevel: 6 }).toBuffer();
    case 'WEBP':
      return pipeline.webp({ quality }).toBuffer();
    default:
      return pipeline.jpeg({ quality }).toBuffer();
  }
}

/**
 * Makes one output image with sharp: the reference photos laid out by the seed, the style applied with
 * the strength, seed-coloured shapes on top (and a band per LoRA), the first photo as a portrait in the
 * middle (face-composite.ts: the prompt's `offlikeness` / `noface` change it), encoded at exactly width x height in the requested format.
 * The same request always gives the same bytes.
 */
export class Renderer {
  private readonly references: ReferenceCache;

  constructor(references: ReferenceCache) {
    this.references = references;
  }

  async render(request: RenderRequest): Promise<RenderedImage> {
    const faceMode = faceModeOf(request.positivePrompt, request.seed);
    let refs: RawImage[] = [];
    for (const ref of request.references) refs.push(await this.references.get(ref.hash, ref.bytes));
    const [firstRef] = refs;
    // Only the pasted portrait may show the person: off-likeness and no-face images lay out flat colour.
    if (faceMode !== 'portrait') refs = [await flatReference()];
    const intensity = styleIntensity(request.strength);
    // Compose and style at most WORK_SIDE px on the long side, then scale to the exact output size: a
    // 2048x2048 result costs about what a 1024x1024 one does.
    const scale = Math.min(1, WORK_SIDE / Math.max(request.width, request.height));
    const workWidth = Math.max(1, Math.round(request.width * scale));
    const workHeight = Math.max(1, Math.round(request.height * scale));
    const layout = randomForSeed(request.seed, 'layout');
    const composed = await composeLayout(refs, workWidth, workHeight, layout);
    const styled = await applyStyle(composed, request.style, randomForSeed(request.seed, 'style'), intensity);
    const overlay = seedOverlay(
      workWidth,
      workHeight,
      randomForSeed(request.seed, `overlay:${request.positivePrompt}`),
      intensity,
    );
    const layers = [{ input: overlay, left: 0, top: 0 }];
    if (request.lora && request.lora.length > 0)
      layers.push({ input: loraOverlay(workWidth, workHeight, request.lora), left: 0, top: 0 });
    let finished = await toRaw(toSharp(styled).composite(layers));
    if (firstRef) finished = await compositeFace(finished, firstRef, faceMode);
    if (request.flagged) {
      finished = await toRaw(toSharp(finished).blur(Math.max(4, Math.max(workWidth, workHeight) / 16)));
    }
    let pipeline = toSharp(finished);
    if (workWidth !== request.width || workHeight !== request.height) {
      pipeline = pipeline.resize(request.width, request.height, { fit: 'fill', kernel: 'lanczos3' });
    }
    const bytes = await encode(pipeline, request.outputFormat, request.outputQuality);
    return { bytes, mediaType: MEDIA_TYPES[request.outputFormat] };
  }
}
