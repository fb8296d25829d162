import sharp from 'sharp';
import { type RawImage, toRaw, toSharp } from './raw-image.ts';
import type { SeededRandom } from './seeded-random.ts';

type LayoutKind = 'portrait' | 'strips' | 'grid';

interface Tile {
  source: RawImage;
  left: number;
  top: number;
  width: number;
  height: number;
  zoom: number;
  mirror: boolean;
  border?: number;
}

/** One reference cropped to a tile: "attention" keeps the salient part (the face) in frame. */
async function renderTile(tile: Tile, random: SeededRandom): Promise<RawImage> {
  const zw = Math.max(tile.width, Math.round(tile.width * tile.zoom));
  const zh = Math.max(tile.height, Math.round(tile.height * tile.zoom));
  let pipeline = toSharp(tile.source).resize(zw, zh, { fit: 'cover', position: sharp.strategy.attention });
  if (zw > tile.width || zh > tile.height) {
    const left = random.int(0, zw - tile.width);
    const top = random.int(0, zh - tile.height);
    const zoomed = await toRaw(pipeline);
    pipeline = toSharp(zoomed).extract({ left, top, width: tile.width, height: tile.height });
  }
  if (tile.mirror) pipeline = pipeline.flop();
  if (tile.border) {
    const inner = await toRaw(pipeline);
    pipeline = toSharp(inner).extend({
      top: tile.border,
      bottom: tile.border,
      left: tile.border,
      right: tile.border,
      background: '#ffffff',
    });
  }
  return toRaw(pipeline);
}

type PickSource = (i: number) => RawImage;
type Edge = 'bottom' | 'top' | 'left' | 'right';

/** Four quadrants, a reference each (repeating when there are fewer). */
function gridTiles(pick: PickSource, width: number, height: number, random: SeededRandom): Tile[] {
  const cw = Math.floor(width / 2);
  const ch = Math.floor(height / 2);
  return [0, 1, 2, 3].map((i) => ({
    source: pick(i),
    left: (i % 2) * cw,
    top: Math.floor(i / 2) * ch,
    width: i % 2 === 0 ? cw : width - cw,
    height: i < 2 ? ch : height - ch,
    zoom: random.range(1, 1.3),
    mirror: random.float() < 0.5,
  }));
}

/** `count` strips, side by side or stacked: whichever keeps tiles closest to a portrait photo's shape (~4:5). */
function stripTiles(
  pick: PickSource,
  count: number,
  width: number,
  height: number,
  random: SeededRandom,
): Tile[] {
  const columns = Math.abs(Math.log(width / count / height / 0.8));
  const rows = Math.abs(Math.log((width * count) / height / 0.8));
  const vertical = columns <= rows;
  const span = vertical ? width : height;
  const size = Math.floor(span / count);
  return Array.from({ length: count }, (_, i) => {
    const extent = i === count - 1 ? span - size * i : size;
    return {
      source: pick(i),
      left: vertical ? i * size : 0,
      top: vertical ? 0 : i * size,
      width: vertical ? extent : width,
      height: vertical ? height : extent,
      zoom: random.range(1, 1.25),
      mirror: random.float() < 0.5,
    };
  });
}

/** Top-left corner of the inset `offset` along `edge`, `margin` in from it; `box` is the framed inset's side. */
function insetCorner(
  edge: Edge,
  offset: number,
  margin: number,
  box: number,
  width: number,
  height: number,
): { left: number; top: number } {
  if (edge === 'bottom' || edge === 'top') {
    return { left: offset, top: edge === 'top' ? margin : height - box - margin };
  }
  return { left: edge === 'left' ? margin : width - box - margin, top: offset };
}

/** One reference fills the frame, the others are framed insets along one edge, as many as fit. */
function portraitTiles(
  pick: PickSource,
  refCount: number,
  width: number,
  height: number,
  random: SeededRandom,
): Tile[] {
  const tiles: Tile[] = [
    {
      source: pick(0),
      left: 0,
      top: 0,
      width,
      height,
      zoom: random.range(1, 1.35),
      mirror: random.float() < 0.5,
    },
  ];
  const inset = Math.max(24, Math.round(Math.min(width, height) * 0.26));
  const border = Math.max(2, Math.round(inset / 40));
  const margin = Math.max(4, Math.round(inset / 8));
  const box = inset + 2 * border;
  const edge = random.pick(['bottom', 'top', 'left', 'right'] as const);
  for (let i = 1; i < refCount; i++) {
    const { left, top } = insetCorner(edge, margin + (i - 1) * (box + margin), margin, box, width, height);
    if (left + box > width || top + box > height) break;
    tiles.push({ source: pick(i), left, top, width: inset, height: inset, zoom: 1, mirror: false, border });
  }
  return tiles;
}

function planTiles(refs: RawImage[], width: number, height: number, random: SeededRandom): Tile[] {
  const kind: LayoutKind =
    refs.length === 1
      ? random.pick(['portrait', 'portrait', 'strips'] as const)
      : random.pick(['portrait', 'strips', 'grid'] as const);
  const order = refs.map((_, i) => i);
  const rotation = random.int(0, refs.length - 1);
  const pick = (i: number) => refs[order[(i + rotation) % order.length] ?? 0] as RawImage;
  if (kind === 'grid') return gridTiles(pick, width, height, random);
  if (kind === 'strips') {
    const count = refs.length === 1 ? random.int(2, 3) : refs.length;
    return stripTiles(pick, count, width, height, random);
  }
  return portraitTiles(pick, refs.length, width, height, random);
}

/** The reference photos arranged on the canvas; the seed picks layout, crops, zoom and mirroring. */
export async function composeLayout(
  refs: RawImage[],
  width: number,
  height: number,
  random: SeededRandom,
): Promise<RawImage> {
  const tiles = planTiles(refs, width, height, random);
  const layers = [];
  for (const tile of tiles) {
    const pixels = await renderTile(tile, random);
    layers.push({
      input: pixels.data,
      raw: { width: pixels.width, height: pixels.height, channels: 3 as const },
      left: tile.left,
      top: tile.top,
    });
  }
  return toRaw(sharp({ create: { width, height, channels: 3, background: '#202020' } }).composite(layers));
}
