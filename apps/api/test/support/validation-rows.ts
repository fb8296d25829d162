import { expect } from 'vitest';
import { baseInput, PNG_BASE64, PNG_DATA_URI } from '../helpers.ts';
import { animatedPng, asDataUri, pngClaiming, truncatedPng } from './bad-images.ts';

// One row per rule of the photoMaker task: [name, input overrides, runwareCode, path after 'input'].
// validation-table.unit.test.ts runs every row in process; validation-table.test.ts runs a sample of each
// validation layer over HTTP against the real stack.

const GIF_DATA_URI = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
const TEXT_BASE64 = Buffer.from('hello, this is not an image at all').toString('base64');
const BIG_PNG = `data:image/png;base64,${Buffer.concat([Buffer.from(PNG_BASE64, 'base64'), Buffer.alloc(8000)]).toString('base64')}`;

export type ValidationRow = [string, Record<string, unknown>, string, (string | number)[]];

export const rows: ValidationRow[] = [
  ['positivePrompt too short', { positivePrompt: 'a' }, 'invalidPositivePrompt', ['positivePrompt']],
  [
    'positivePrompt too long',
    { positivePrompt: 'x'.repeat(301) },
    'invalidPositivePrompt',
    ['positivePrompt'],
  ],
  ['positivePrompt missing', { positivePrompt: undefined }, 'missingPositivePrompt', ['positivePrompt']],
  ['negativePrompt too short', { negativePrompt: 'x' }, 'invalidNegativePrompt', ['negativePrompt']],
  [
    'negativePrompt too long',
    { negativePrompt: 'x'.repeat(3001) },
    'invalidNegativePrompt',
    ['negativePrompt'],
  ],
  ['inputImages empty', { inputImages: [] }, 'invalidInputImages', ['inputImages']],
  [
    'inputImages more than 4',
    { inputImages: Array(5).fill(PNG_DATA_URI) },
    'invalidInputImages',
    ['inputImages'],
  ],
  ['inputImages missing', { inputImages: undefined }, 'missingInputImages', ['inputImages']],
  [
    'inputImages not an image form',
    { inputImages: [PNG_DATA_URI, 'not an image'] },
    'invalidInputImages',
    ['inputImages', 1],
  ],
  ['inputImages gif data URI', { inputImages: [GIF_DATA_URI] }, 'invalidInputImages', ['inputImages', 0]],
  ['inputImages base64 of text', { inputImages: [TEXT_BASE64] }, 'invalidInputImages', ['inputImages', 0]],
  [
    'inputImages ftp URL',
    { inputImages: ['ftp://example.com/a.png'] },
    'invalidInputImages',
    ['inputImages', 0],
  ],
  [
    'inputImages over the size limit',
    { inputImages: [PNG_DATA_URI, BIG_PNG] },
    'invalidInputImages',
    ['inputImages', 1],
  ],
  [
    'inputImages truncated PNG',
    { inputImages: [PNG_DATA_URI, asDataUri(truncatedPng())] },
    'invalidInputImages',
    ['inputImages', 1],
  ],
  [
    'inputImages header claiming 60000x60000 (pixel bomb)',
    { inputImages: [asDataUri(pngClaiming(60_000, 60_000))] },
    'invalidInputImages',
    ['inputImages', 0],
  ],
  [
    'inputImages animated PNG',
    { inputImages: [asDataUri(animatedPng())] },
    'invalidInputImages',
    ['inputImages', 0],
  ],
  [
    'inputImages URL on loopback (SSRF)',
    { inputImages: ['http://127.0.0.1:9/face.png'] },
    'invalidInputImages',
    ['inputImages', 0],
  ],
  [
    'inputImages URL to cloud metadata (SSRF)',
    { inputImages: ['http://169.254.169.254/latest/x.png'] },
    'invalidInputImages',
    ['inputImages', 0],
  ],
  ['style not in the enum', { style: 'WATERCOLOR' }, 'invalidStyle', ['style']],
  ['strength below 15', { strength: 14 }, 'invalidStrength', ['strength']],
  ['strength above 50', { strength: 51 }, 'invalidStrength', ['strength']],
  ['strength not an integer', { strength: 20.5 }, 'invalidStrength', ['strength']],
  ['width below 128', { width: 64 }, 'invalidWidth', ['width']],
  ['width above 2048', { width: 2112 }, 'invalidWidth', ['width']],
  ['width not divisible by 64', { width: 500 }, 'invalidWidth', ['width']],
  ['width missing', { width: undefined }, 'missingWidth', ['width']],
  ['height below 128', { height: 64 }, 'invalidHeight', ['height']],
  ['height above 2048', { height: 4096 }, 'invalidHeight', ['height']],
  ['height not divisible by 64', { height: 700 }, 'invalidHeight', ['height']],
  ['height missing', { height: undefined }, 'missingHeight', ['height']],
  ['model not an AIR id', { model: 'realvis-xl' }, 'invalidModel', ['model']],
  ['steps below 1', { steps: 0 }, 'invalidSteps', ['steps']],
  ['steps above 100', { steps: 101 }, 'invalidSteps', ['steps']],
  ['CFGScale below 0', { CFGScale: -0.5 }, 'invalidCFGScale', ['CFGScale']],
  ['CFGScale above 50', { CFGScale: 50.5 }, 'invalidCFGScale', ['CFGScale']],
  ['scheduler empty', { scheduler: '' }, 'invalidScheduler', ['scheduler']],
  ['scheduler too long', { scheduler: 's'.repeat(101) }, 'invalidScheduler', ['scheduler']],
  ['clipSkip above 2', { clipSkip: 3 }, 'invalidClipSkip', ['clipSkip']],
  ['clipSkip below 0', { clipSkip: -1 }, 'invalidClipSkip', ['clipSkip']],
  ['seed 0', { seed: 0 }, 'invalidSeed', ['seed']],
  ['seed above 2^63-1', { seed: '9223372036854775808' }, 'invalidSeed', ['seed']],
  ['seed not digits', { seed: '12ab' }, 'invalidSeed', ['seed']],
  ['seed unsafe JSON number', { seed: 2 ** 60 }, 'invalidSeed', ['seed']],
  ['seed a float', { seed: 1.5 }, 'invalidSeed', ['seed']],
  ['numberResults below 1', { numberResults: 0 }, 'invalidNumberResults', ['numberResults']],
  ['numberResults above 20', { numberResults: 21 }, 'invalidNumberResults', ['numberResults']],
  ['outputType not in the enum', { outputType: 'PDF' }, 'invalidOutputType', ['outputType']],
  ['outputFormat not in the enum', { outputFormat: 'GIF' }, 'invalidOutputFormat', ['outputFormat']],
  ['outputQuality below 20', { outputQuality: 19 }, 'invalidOutputQuality', ['outputQuality']],
  ['outputQuality above 99', { outputQuality: 100 }, 'invalidOutputQuality', ['outputQuality']],
  ['includeCost not a boolean', { includeCost: 'yes' }, 'invalidIncludeCost', ['includeCost']],
  ['safety.mode not in the enum', { safety: { mode: 'PARANOID' } }, 'invalidSafetyMode', ['safety', 'mode']],
  [
    'safety.checkContent not a boolean',
    { safety: { checkContent: 'yes' } },
    'invalidSafetyCheckContent',
    ['safety', 'checkContent'],
  ],
  [
    'webhookURL not http(s)',
    { webhookURL: 'ftp://hooks.example.com/x' },
    'invalidWebhookURL',
    ['webhookURL'],
  ],
  [
    'webhookURL on loopback (SSRF)',
    { webhookURL: 'http://127.0.0.1:8080/hook' },
    'invalidWebhookURL',
    ['webhookURL'],
  ],
  [
    'webhookURL private range (SSRF)',
    { webhookURL: 'http://10.1.2.3/hook' },
    'invalidWebhookURL',
    ['webhookURL'],
  ],
  [
    'webhookURL resolving to loopback (SSRF)',
    { webhookURL: 'http://localhost:8080/hook' },
    'invalidWebhookURL',
    ['webhookURL'],
  ],
  ['uploadEndpoint not a URL', { uploadEndpoint: 'bucket/key' }, 'invalidUploadEndpoint', ['uploadEndpoint']],
  [
    'uploadEndpoint link-local (SSRF)',
    { uploadEndpoint: 'http://169.254.169.254/put' },
    'invalidUploadEndpoint',
    ['uploadEndpoint'],
  ],
  ['ttl below 60', { ttl: 59 }, 'invalidTtl', ['ttl']],
  [
    'deliveryMethod not in the enum',
    { deliveryMethod: 'EMAIL' },
    'invalidDeliveryMethod',
    ['deliveryMethod'],
  ],
  ['unknown parameter', { sampler: 'Euler' }, 'unknownParameter', ['sampler']],
];

/** baseInput with the row's overrides; an override of undefined removes the parameter. */
export function inputOf(overrides: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(baseInput(overrides)).filter(([, value]) => value !== undefined));
}

/** One BAD_USER_INPUT error with the row's Runware code and path; the message names the field, no image data. */
export function expectRefused(
  response: { data?: unknown; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] },
  [, , runwareCode, path]: ValidationRow,
): void {
  expect(
    (response.data as { generatePhotoMaker?: unknown } | null | undefined)?.generatePhotoMaker ?? null,
  ).toBeNull();
  expect(response.errors).toHaveLength(1);
  const error = response.errors?.[0];
  expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', runwareCode, path: ['input', ...path] });
  expect(error?.message).toContain(
    String(path.find((p) => typeof p === 'string' && p !== 'safety') ?? path[0]),
  );
  expect(error?.message).not.toContain(PNG_BASE64.slice(0, 40));
}
