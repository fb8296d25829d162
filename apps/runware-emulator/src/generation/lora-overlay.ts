import type { Lora } from '@photomaker/schema';
import { hex, hsl } from './raw-image.ts';
import { randomForSeed } from './seeded-random.ts';

/**
 * The emulator's stand-in for a LoRA's effect: one vertical band per LoRA, its hue from the LoRA's AIR,
 * its opacity from |weight| (Runware's -4..4), so a task with LoRAs looks different from one without,
 * and the same LoRAs always look the same.
 */
export function loraOverlay(width: number, height: number, loras: readonly Lora[]): Buffer {
  const bandWidth = Math.max(2, Math.round(width / (4 * loras.length + 4)));
  const bands = loras.map((lora, index) => {
    const random = randomForSeed('1', `lora:${lora.model}`);
    const color = hex(hsl(random.range(0, 360), 0.85, 0.55));
    const opacity = Math.min(0.9, 0.15 + Math.abs(lora.weight) / 5).toFixed(3);
    const x = bandWidth * (2 * index + 1);
    return `<rect x="${x}" y="0" width="${bandWidth}" height="${height}" fill="${color}" fill-opacity="${opacity}"/>`;
  });
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${bands.join('')}</svg>`,
  );
}
