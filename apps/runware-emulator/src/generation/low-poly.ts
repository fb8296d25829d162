import type { RawImage } from './raw-image.ts';

/** One block of `lowPoly`: its place, size and which triangle half a pixel belongs to. */
interface Block {
  bx: number;
  by: number;
  bw: number;
  bh: number;
  half: (x: number, y: number) => 0 | 1;
}

type Sum = [number, number, number, number];

/** Per triangle half of a block: the sums of r, g, b and the pixel count. */
function halfSums(image: RawImage, block: Block): [Sum, Sum] {
  const { data, width } = image;
  const sums: [Sum, Sum] = [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
  ];
  for (let y = 0; y < block.bh; y++) {
    for (let x = 0; x < block.bw; x++) {
      const i = ((block.by + y) * width + block.bx + x) * 3;
      const s = sums[block.half(x, y)];
      s[0] += data[i] as number;
      s[1] += data[i + 1] as number;
      s[2] += data[i + 2] as number;
      s[3] += 1;
    }
  }
  return sums;
}

function fillHalves(out: Buffer, width: number, block: Block, sums: [Sum, Sum]): void {
  for (let y = 0; y < block.bh; y++) {
    for (let x = 0; x < block.bw; x++) {
      const i = ((block.by + y) * width + block.bx + x) * 3;
      const s = sums[block.half(x, y)];
      const n = Math.max(1, s[3]);
      out[i] = Math.round(s[0] / n);
      out[i + 1] = Math.round(s[1] / n);
      out[i + 2] = Math.round(s[2] / n);
    }
  }
}

/** Flat-shaded triangles: each block split on its diagonal, each half filled with its mean colour. */
export function lowPoly(image: RawImage, block: number, flip: boolean): RawImage {
  const { data, width, height } = image;
  const out = Buffer.alloc(data.length);
  for (let by = 0; by < height; by += block) {
    for (let bx = 0; bx < width; bx += block) {
      const bw = Math.min(block, width - bx);
      const bh = Math.min(block, height - by);
      const half = (x: number, y: number) => ((flip ? x / bw + y / bh < 1 : x / bw > y / bh) ? 0 : 1);
      const current: Block = { bx, by, bw, bh, half };
      fillHalves(out, width, current, halfSums(image, current));
    }
  }
  return { data: out, width, height };
}
