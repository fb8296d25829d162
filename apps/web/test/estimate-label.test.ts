import { describe, expect, it } from 'vitest';
import { estimateLabel } from '../src/form/estimate-label.ts';

describe('estimateLabel', () => {
  it("says Runware's price for the images, and flags a configured one", () => {
    expect(estimateLabel({ ok: true, images: 4, costUsd: 0.0384, source: 'RUNWARE', errors: [] })).toBe(
      '≈ $0.0384 for 4 images',
    );
    expect(estimateLabel({ ok: true, images: 1, costUsd: 0.25, source: 'CONFIGURED', errors: [] })).toBe(
      '≈ $0.2500 for 1 image (configured price)',
    );
    expect(estimateLabel({ ok: true, images: 2, costUsd: null, source: 'CONFIGURED', errors: [] })).toBe(
      'Price unknown for 2 images',
    );
  });

  it('says why the API would refuse the form', () => {
    const refused = {
      ok: false,
      images: null,
      costUsd: null,
      source: null,
      errors: [{ parameter: 'model', message: "Invalid value for 'model': not SDXL." }],
    };
    expect(estimateLabel(refused)).toBe("Would be refused: Invalid value for 'model': not SDXL.");
  });
});
