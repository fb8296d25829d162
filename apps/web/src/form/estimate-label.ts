import type { Estimate } from '../api/operations.ts';
import { plural } from '../lib/format.ts';

/**
 * What the form says about its estimate next to Generate: `≈ $0.0384 for 4 images`, flagged when the
 * price is the tenant's configured one (Runware could not price it), or why the API would refuse it.
 */
export function estimateLabel(estimate: Estimate): string {
  if (!estimate.ok) {
    const first = estimate.errors[0];
    return first ? `Would be refused: ${first.message}` : 'Would be refused.';
  }
  const images = plural(estimate.images ?? 0, 'image');
  if (estimate.costUsd === null) return `Price unknown for ${images}`;
  const configured = estimate.source === 'CONFIGURED' ? ' (configured price)' : '';
  // Four decimals: SDXL images cost fractions of a cent, and the estimate is there to tell them apart.
  return `≈ $${estimate.costUsd.toFixed(4)} for ${images}${configured}`;
}
