import { z } from 'zod';

/**
 * How long things take: a fixed overhead per request (before any task is answered), then per
 * generation `imageMs + steps x stepMs x megapixels` (at least one step's worth), with at most
 * `parallelism` generations of one task running at once, so images of a batch finish one after another.
 */
export const latencySchema = z.strictObject({
  requestMs: z.int().min(0),
  imageMs: z.int().min(0),
  stepMs: z.number().min(0),
  parallelism: z.int().min(1).max(20),
});
export type LatencyModel = z.output<typeof latencySchema>;

export const LATENCY_PRESETS = {
  none: { requestMs: 0, imageMs: 0, stepMs: 0, parallelism: 4 },
  fast: { requestMs: 20, imageMs: 50, stepMs: 2, parallelism: 4 },
  realistic: { requestMs: 300, imageMs: 250, stepMs: 40, parallelism: 2 },
} as const satisfies Record<string, LatencyModel>;
export type LatencyPreset = keyof typeof LATENCY_PRESETS;

function isLatencyPreset(value: string): value is LatencyPreset {
  return value in LATENCY_PRESETS;
}

/** Milliseconds one generation takes under this model. */
export function generationMs(model: LatencyModel, steps: number, width: number, height: number): number {
  const megapixels = (width * height) / (1024 * 1024);
  return Math.round(model.imageMs + steps * model.stepMs * Math.max(megapixels, 0.25));
}

export function resolveLatency(input: LatencyPreset | Partial<LatencyModel> | undefined): LatencyModel {
  if (input === undefined) return { ...LATENCY_PRESETS.none };
  if (typeof input === 'string') return { ...LATENCY_PRESETS[input] };
  return latencySchema.parse({ ...LATENCY_PRESETS.none, ...input });
}

export type LatencyParse = { ok: true; model: LatencyModel } | { ok: false; message: string };

/** `RUNWARE_EMULATOR_LATENCY` / `--latency`: a preset name, or JSON knobs over the realistic preset. */
export function latencyFromText(value: string): LatencyParse {
  if (isLatencyPreset(value)) return { ok: true, model: { ...LATENCY_PRESETS[value] } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return {
      ok: false,
      message: `must be one of ${Object.keys(LATENCY_PRESETS).join(', ')} or a JSON object`,
    };
  }
  const checked = latencySchema.partial().safeParse(parsed);
  if (!checked.success) {
    return {
      ok: false,
      message: checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    };
  }
  const model: LatencyModel = { ...LATENCY_PRESETS.realistic };
  for (const [key, knob] of Object.entries(checked.data))
    if (knob !== undefined) Object.assign(model, { [key]: knob });
  return { ok: true, model };
}
