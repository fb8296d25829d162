import type { PhotoMakerStyle } from '@photomaker/schema';
import { lowPoly } from './low-poly.ts';
import { clamp, hsl, luminance, type RawImage, type Rgb, toRaw, toSharp } from './raw-image.ts';
import type { SeededRandom } from './seeded-random.ts';

/**
 * Each PhotoMaker style as a visible, deterministic treatment of the composed reference photos.
 * `intensity` (0.35..1) grows with `strength`: low strength keeps the subject close to the photos.
 */
type StylePass = (image: RawImage, random: SeededRandom, intensity: number) => Promise<RawImage>;

function mapPixels(
  image: RawImage,
  fn: (r: number, g: number, b: number, x: number, y: number) => Rgb,
): RawImage {
  const { data, width, height } = image;
  const out = Buffer.allocUnsafe(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const [r, g, b] = fn(data[i] as number, data[i + 1] as number, data[i + 2] as number, x, y);
      out[i] = clamp(r);
      out[i + 1] = clamp(g);
      out[i + 2] = clamp(b);
    }
  }
  return { data: out, width, height };
}

const mix = (a: number, b: number, t: number) => a + (b - a) * t;

function tint(image: RawImage, color: Rgb, amount: number): RawImage {
  return mapPixels(image, (r, g, b) => [
    mix(r, color[0], amount),
    mix(g, color[1], amount),
    mix(b, color[2], amount),
  ]);
}

function posterize(image: RawImage, levels: number): RawImage {
  const step = 255 / (levels - 1);
  return mapPixels(image, (r, g, b) => [
    Math.round(r / step) * step,
    Math.round(g / step) * step,
    Math.round(b / step) * step,
  ]);
}

function vignette(image: RawImage, strength: number, color: Rgb = [0, 0, 0]): RawImage {
  const cx = image.width / 2;
  const cy = image.height / 2;
  const max = Math.hypot(cx, cy);
  return mapPixels(image, (r, g, b, x, y) => {
    const d = Math.hypot(x - cx, y - cy) / max;
    const t = Math.min(1, Math.max(0, (d - 0.45) / 0.55)) ** 1.5 * strength;
    return [mix(r, color[0], t), mix(g, color[1], t), mix(b, color[2], t)];
  });
}

/** Sobel gradient magnitude of the luminance, 0..~1442. */
function edges(image: RawImage): Float32Array {
  const { data, width, height } = image;
  const lum = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) {
    lum[i] = luminance(data[i * 3] as number, data[i * 3 + 1] as number, data[i * 3 + 2] as number);
  }
  const out = new Float32Array(width * height);
  const at = (x: number, y: number) =>
    lum[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))] as number;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const gx =
        at(x + 1, y - 1) +
        2 * at(x + 1, y) +
        at(x + 1, y + 1) -
        at(x - 1, y - 1) -
        2 * at(x - 1, y) -
        at(x - 1, y + 1);
      const gy =
        at(x - 1, y + 1) +
        2 * at(x, y + 1) +
        at(x + 1, y + 1) -
        at(x - 1, y - 1) -
        2 * at(x, y - 1) -
        at(x + 1, y - 1);
      out[y * width + x] = Math.hypot(gx, gy);
    }
  }
  return out;
}

function letterbox(image: RawImage, fraction: number): RawImage {
  const bar = Math.round(image.height * fraction);
  return mapPixels(image, (r, g, b, _x, y) => (y < bar || y >= image.height - bar ? [0, 0, 0] : [r, g, b]));
}

type Matrix = [[number, number, number], [number, number, number], [number, number, number]];

/** Colour matrices for sharp's recomb: a cheap single pass, unlike modulate's LCH round trip. */
function saturation(amount: number): Matrix {
  const [lr, lg, lb] = [0.2126, 0.7152, 0.0722];
  const s = amount;
  return [
    [lr + (1 - lr) * s, lg - lg * s, lb - lb * s],
    [lr - lr * s, lg + (1 - lg) * s, lb - lb * s],
    [lr - lr * s, lg - lg * s, lb + (1 - lb) * s],
  ];
}

function hueRotation(degrees: number): Matrix {
  const a = (degrees * Math.PI) / 180;
  const c = Math.cos(a);
  const n = Math.sin(a);
  return [
    [0.213 + c * 0.787 - n * 0.213, 0.715 - c * 0.715 - n * 0.715, 0.072 - c * 0.072 + n * 0.928],
    [0.213 - c * 0.213 + n * 0.143, 0.715 + c * 0.285 + n * 0.14, 0.072 - c * 0.072 - n * 0.283],
    [0.213 - c * 0.213 - n * 0.787, 0.715 - c * 0.715 + n * 0.715, 0.072 + c * 0.928 + n * 0.072],
  ];
}

function multiply(a: Matrix, b: Matrix): Matrix {
  const row = ([x, y, z]: Matrix[number]): Matrix[number] => [
    x * b[0][0] + y * b[1][0] + z * b[2][0],
    x * b[0][1] + y * b[1][1] + z * b[2][1],
    x * b[0][2] + y * b[1][2] + z * b[2][2],
  ];
  return [row(a[0]), row(a[1]), row(a[2])];
}

/** Stretches luminance so the darkest 1 % becomes black and the brightest 1 % white. */
function stretchContrast(image: RawImage): RawImage {
  const histogram = new Array<number>(256).fill(0);
  const { data } = image;
  for (let i = 0; i < data.length; i += 3) {
    const level = Math.round(luminance(data[i] as number, data[i + 1] as number, data[i + 2] as number));
    histogram[level] = (histogram[level] ?? 0) + 1;
  }
  const clip = (data.length / 3) * 0.01;
  const cumulative = (levels: number[]) => {
    let seen = 0;
    return levels.find((level) => {
      seen += histogram[level] ?? 0;
      return seen > clip;
    });
  };
  const all = Array.from({ length: 256 }, (_, level) => level);
  const low = cumulative(all) ?? 0;
  const high = cumulative(all.reverse()) ?? 255;
  if (high <= low) return image;
  const gain = 255 / (high - low);
  return mapPixels(image, (r, g, b) => [(r - low) * gain, (g - low) * gain, (b - low) * gain]);
}

const STYLE_PASSES: Record<PhotoMakerStyle, StylePass> = {
  'No style': async (image, random, t) => tint(image, hsl(random.range(0, 360), 0.5, 0.5), 0.06 * t),

  Cinematic: async (image, _random, t) => {
    const graded = mapPixels(image, (r, g, b) => {
      const l = luminance(r, g, b) / 255;
      const target: Rgb = l < 0.5 ? [0, 110, 120] : [255, 170, 90];
      const a = 0.4 * t * Math.abs(l - 0.5) * 2;
      const c = (v: number) => (v - 128) * 1.15 + 128;
      return [mix(c(r), target[0], a), mix(c(g), target[1], a), mix(c(b), target[2], a)];
    });
    return letterbox(vignette(graded, 0.5 * t), 0.09);
  },

  'Disney Character': async (image, random, t) => {
    const soft = await toRaw(
      toSharp(image)
        .blur(1 + 1.5 * t)
        .recomb(saturation(1 + 0.8 * t))
        .linear(1.08, 0),
    );
    return vignette(posterize(soft, Math.round(9 - 4 * t)), 0.35 * t, hsl(random.range(180, 260), 0.6, 0.85));
  },

  'Digital Art': async (image, random, t) => {
    const shifted = await toRaw(
      toSharp(image)
        .recomb(multiply(hueRotation(random.range(40, 320) * t), saturation(1 + 0.9 * t)))
        .sharpen({ sigma: 1.2 }),
    );
    return posterize(shifted, Math.round(24 - 12 * t));
  },

  Photographic: async (image, _random, t) => vignette(tint(image, [255, 214, 170], 0.12 * t), 0.55 * t),

  'Fantasy art': async (image, random, t) => {
    const top = hsl(random.range(250, 300), 0.7, 0.35);
    const bottom = hsl(random.range(30, 50), 0.9, 0.6);
    const glow = await toRaw(toSharp(image).blur(3));
    return mapPixels(image, (r, g, b, x, y) => {
      const i = (y * image.width + x) * 3;
      const f = y / image.height;
      const overlay: Rgb = [mix(top[0], bottom[0], f), mix(top[1], bottom[1], f), mix(top[2], bottom[2], f)];
      const screen = (v: number, o: number) => 255 - ((255 - v) * (255 - o)) / 255;
      const a = 0.5 * t;
      const gr = Math.max(r, glow.data[i] as number);
      const gg = Math.max(g, glow.data[i + 1] as number);
      const gb = Math.max(b, glow.data[i + 2] as number);
      return [
        mix(gr, screen(gr, overlay[0]), a),
        mix(gg, screen(gg, overlay[1]), a),
        mix(gb, screen(gb, overlay[2]), a),
      ];
    });
  },

  Neonpunk: async (image, random, t) => {
    const lines = edges(image);
    const dark = hsl(random.range(250, 280), 0.8, 0.12);
    const mid = hsl(random.range(300, 330), 1, 0.5);
    const light = hsl(random.range(170, 190), 1, 0.6);
    return mapPixels(image, (r, g, b, x, y) => {
      const l = luminance(r, g, b) / 255;
      const lo = l < 0.5;
      const f = lo ? l * 2 : (l - 0.5) * 2;
      const from = lo ? dark : mid;
      const to = lo ? mid : light;
      const duo: Rgb = [mix(from[0], to[0], f), mix(from[1], to[1], f), mix(from[2], to[2], f)];
      const e = Math.min(1, (lines[y * image.width + x] as number) / 300);
      const a = 0.45 + 0.55 * t;
      return [
        mix(r, duo[0], a) + e * light[0] * 0.6,
        mix(g, duo[1], a) + e * light[1] * 0.6,
        mix(b, duo[2], a) + e * light[2] * 0.6,
      ];
    });
  },

  Enhance: async (image, _random, t) => {
    const stretched = stretchContrast(image);
    return toRaw(
      toSharp(stretched)
        .recomb(saturation(1 + 0.25 * t))
        .sharpen({ sigma: 1 + t }),
    );
  },

  'Comic book': async (image, _random, t) => {
    const lines = edges(image);
    const flat = posterize(await toRaw(toSharp(image).recomb(saturation(1.3 + 0.5 * t))), 4);
    const threshold = 220 - 80 * t;
    return mapPixels(flat, (r, g, b, x, y) =>
      (lines[y * image.width + x] as number) > threshold ? [10, 10, 10] : [r, g, b],
    );
  },

  Lowpoly: async (image, random, t) => {
    const base = Math.max(4, Math.round(Math.min(image.width, image.height) / 24));
    return lowPoly(image, Math.round(base * (0.6 + t)), random.float() < 0.5);
  },

  'Line art': async (image, random, t) => {
    const lines = edges(image);
    const paper = hsl(random.range(30, 50), 0.4, 0.95);
    const gain = 0.9 + 1.6 * t;
    return mapPixels(image, (_r, _g, _b, x, y) => {
      const ink = Math.min(1, ((lines[y * image.width + x] as number) / 255) * gain);
      return [mix(paper[0], 20, ink), mix(paper[1], 20, ink), mix(paper[2], 30, ink)];
    });
  },
};

export function applyStyle(
  image: RawImage,
  style: PhotoMakerStyle,
  random: SeededRandom,
  intensity: number,
): Promise<RawImage> {
  return STYLE_PASSES[style](image, random, intensity);
}
