import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/client.ts';
import type { ReferencePhoto } from '../src/form/reference-photos.ts';
import { fieldErrorsOf, submitBlocker, submitFailure, submitLabel } from '../src/form/submit-checks.ts';

const photo = (status: ReferencePhoto['status']): ReferencePhoto => ({
  key: status,
  name: 'a.png',
  size: 1,
  status,
});

describe('sending the create form', () => {
  it('waits for photos still reading or uploading, before any field error', () => {
    expect(submitBlocker([photo('ready'), photo('uploading')], { positivePrompt: 'x' })).toEqual({
      notice: 'One moment: the photos are still uploading.',
    });
    expect(submitBlocker([photo('reading')], {})?.notice).toMatch(/still uploading/);
  });
  it('focuses the first field in form order that has an error', () => {
    expect(submitBlocker([photo('ready')], { steps: 'x', strength: 'y' })).toEqual({
      notice: 'Some fields need a fix (marked in red).',
      focus: 'strength',
    });
    expect(submitBlocker([photo('ready')], {})).toBeUndefined();
  });
  it("shows the API's refusal on the fields it names, first message per top-level parameter", () => {
    expect(
      fieldErrorsOf([
        { code: 'invalidWidth', parameter: 'width', message: 'a' },
        { code: 'invalidWidth', parameter: 'width', message: 'b' },
        { code: 'invalidInputImages', parameter: 'inputImages.1', message: 'c' },
      ]),
    ).toEqual({ width: 'a', inputImages: 'c' });
    const refused = submitFailure(
      new ApiError('BAD_USER_INPUT', 'no', [{ code: 'invalidSteps', parameter: 'steps', message: 'm' }]),
    );
    expect(refused).toEqual({
      notice: 'The API refused the request: see the fields marked in red.',
      fieldErrors: { steps: 'm' },
    });
    expect(submitFailure(new Error('offline'))).toEqual({ notice: 'offline' });
  });
  it('labels the button by what is happening', () => {
    expect(submitLabel(true, true, 2)).toBe('Starting…');
    expect(submitLabel(false, true, 2)).toBe('Uploading photos…');
    expect(submitLabel(false, false, 1)).toBe('Generate 1 image');
    expect(submitLabel(false, false, Number.NaN)).toBe('Generate images');
  });
});
