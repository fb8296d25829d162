/**
 * The emulator's price list (not Runware's real prices, which it does not publish per model): the price of
 * one image is the model's reference price for a 1024x1024 image at 20 steps, proportional to pixels and
 * to steps, at least 1000 nano-USD. Integer nano-USD throughout, so the ledger never drifts. Dry runs,
 * the balance check at acceptance and every result's `cost` use this one function: an estimate is the
 * charge.
 */
const NANO_PER_USD = 1_000_000_000;
const REFERENCE_PIXELS = 1024 * 1024;
const REFERENCE_STEPS = 20;
const MINIMUM_NANO = 1_000;

/** Reference price (nano-USD per 1024x1024 image at 20 steps) by model AIR; README "Charging". */
export const PRICE_TABLE: Readonly<Record<string, number>> = {
  'civitai:139562@344487': 1_900_000, // RealVisXL V4.0
  'civitai:101055@128078': 1_300_000, // SDXL 1.0 VAE fix
  'civitai:112902@126688': 1_600_000, // DreamShaper XL alpha2
  'civitai:133005@288982': 2_100_000, // Juggernaut XL (every version)
  'civitai:133005@782002': 2_100_000,
  'civitai:133005@456194': 2_100_000,
  'civitai:133005@240840': 2_100_000,
  'civitai:133005@198530': 2_100_000,
  'civitai:133005@348913': 2_100_000,
  'civitai:133005@471120': 2_100_000,
  'civitai:152525@293240': 1_900_000, // Realism Engine SDXL v3
};

/** Any other SDXL model. */
export const DEFAULT_REFERENCE_NANO = 1_900_000;

export interface Priced {
  model: string;
  width: number;
  height: number;
  steps: number;
}

/** Price of one generation (one image) of a task, in nano-USD. */
export function generationCostNano(task: Priced): number {
  const reference = PRICE_TABLE[task.model] ?? DEFAULT_REFERENCE_NANO;
  const raw = (reference * ((task.width * task.height) / REFERENCE_PIXELS) * task.steps) / REFERENCE_STEPS;
  return Math.max(MINIMUM_NANO, Math.round(raw));
}

export function nanoToUsd(nano: number): number {
  return Number((nano / NANO_PER_USD).toFixed(9));
}

export function usdToNano(usd: number): number {
  return Math.round(usd * NANO_PER_USD);
}
