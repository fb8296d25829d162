/**
 * Price of one generation, in nano-USD (integers, so the ledger never drifts): 0.0019 USD for a
 * 1024x1024 image at 20 steps, proportional to pixels and to steps, at least 1000 nano-USD.
 */
const NANO_PER_USD = 1_000_000_000;
const REFERENCE_NANO = 1_900_000;
const REFERENCE_PIXELS = 1024 * 1024;
const REFERENCE_STEPS = 20;
const MINIMUM_NANO = 1_000;

export function generationCostNano(width: number, height: number, steps: number): number {
  const raw = (REFERENCE_NANO * ((width * height) / REFERENCE_PIXELS) * steps) / REFERENCE_STEPS;
  return Math.max(MINIMUM_NANO, Math.round(raw));
}

export function nanoToUsd(nano: number): number {
  return Number((nano / NANO_PER_USD).toFixed(9));
}

export function usdToNano(usd: number): number {
  return Math.round(usd * NANO_PER_USD);
}
