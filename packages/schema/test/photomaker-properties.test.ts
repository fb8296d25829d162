import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DELIVERY_METHODS,
  LIMITS,
  OUTPUT_FORMATS,
  OUTPUT_TYPES,
  PHOTOMAKER_STYLES,
  parseRunwareJson,
  photoMakerTaskSchema,
  SAFETY_MODES,
  SEED_MAX,
  stringifyRunwareJson,
  validateWith,
} from '../src/index.ts';
import { IMAGE_UUID, JPEG_BASE64, PNG_DATA_URI, TASK_UUID, WEBP_DATA_URI } from './fixtures.ts';

const int = (limit: { min: number; max: number }) => fc.integer({ min: limit.min, max: limit.max });
const text = (limit: { minLength: number; maxLength: number }) =>
  fc.string({ minLength: limit.minLength, maxLength: limit.maxLength, unit: 'grapheme-ascii' });
const dimension = fc.integer({ min: 2, max: 32 }).map((n) => n * 64);
const inputImage = fc.constantFrom(
  PNG_DATA_URI,
  WEBP_DATA_URI,
  JPEG_BASE64,
  IMAGE_UUID,
  'https://example.com/a.png',
);
const seed = fc.bigInt({ min: 1n, max: SEED_MAX }).map((n) => n.toString());

/** Any task the spec allows: required fields always, each optional one present or not. */
const validTask = fc.record(
  {
    taskType: fc.constant('photoMaker'),
    taskUUID: fc.uuid({ version: 4 }),
    inputImages: fc.array(inputImage, { minLength: 1, maxLength: 4 }),
    positivePrompt: text(LIMITS.positivePrompt),
    model: fc.constantFrom('civitai:139562@344487', 'runware:101@1', 'civitai:133005@782002'),
    width: dimension,
    height: dimension,
    style: fc.constantFrom(...PHOTOMAKER_STYLES),
    strength: int(LIMITS.strength),
    negativePrompt: text(LIMITS.negativePrompt),
    steps: int(LIMITS.steps),
    scheduler: fc.constantFrom('Default', 'Euler', 'DPM++ 2M Karras'),
    CFGScale: fc.double({ min: 0, max: 50, noNaN: true }),
    clipSkip: int(LIMITS.clipSkip),
    seed,
    numberResults: int(LIMITS.numberResults),
    outputType: fc.constantFrom(...OUTPUT_TYPES),
    outputFormat: fc.constantFrom(...OUTPUT_FORMATS),
    outputQuality: int(LIMITS.outputQuality),
    includeCost: fc.boolean(),
    safety: fc.record(
      { checkContent: fc.boolean(), mode: fc.constantFrom(...SAFETY_MODES) },
      { requiredKeys: [] },
    ),
    webhookURL: fc.webUrl({ validSchemes: ['http', 'https'] }).filter((u) => u.length <= 2048),
    uploadEndpoint: fc.webUrl({ validSchemes: ['https'] }).filter((u) => u.length <= 2048),
    ttl: fc.integer({ min: 60, max: 10_000_000 }),
    deliveryMethod: fc.constantFrom(...DELIVERY_METHODS),
  },
  { requiredKeys: ['taskType', 'taskUUID', 'inputImages', 'positivePrompt', 'model', 'width', 'height'] },
);

/** For each parameter, values that break exactly one of its rules. */
const INVALID: Record<string, fc.Arbitrary<unknown>> = {
  taskUUID: fc.oneof(fc.uuid({ version: 1 }), fc.string({ maxLength: 20 })),
  inputImages: fc.oneof(
    fc.constant([]),
    fc.array(fc.constant(PNG_DATA_URI), { minLength: 5, maxLength: 8 }),
    fc.array(fc.constantFrom('nope', 'ftp://x.y/z.png', 'data:image/gif;base64,R0lGODlh'), {
      minLength: 1,
      maxLength: 4,
    }),
  ),
  positivePrompt: fc.oneof(fc.string({ maxLength: 1 }), fc.string({ minLength: 301, maxLength: 400 })),
  negativePrompt: fc.oneof(fc.string({ maxLength: 1 }), fc.string({ minLength: 3001, maxLength: 3100 })),
  model: fc
    .string({ maxLength: 30 })
    .filter((s) => !/^[a-z][a-z0-9-]*:[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+$/.test(s)),
  width: fc.oneof(
    fc.integer({ max: 127 }),
    fc.integer({ min: 2049 }),
    fc.integer({ min: 129, max: 2047 }).filter((n) => n % 64 !== 0),
  ),
  height: fc.oneof(
    fc.integer({ max: 127 }),
    fc.integer({ min: 2049 }),
    fc.double({ min: 128.1, max: 2047.9, noNaN: true }),
  ),
  style: fc.string().filter((s) => !(PHOTOMAKER_STYLES as readonly string[]).includes(s)),
  strength: fc.oneof(
    fc.integer({ max: 14 }),
    fc.integer({ min: 51 }),
    fc.double({ min: 15.01, max: 49.99, noNaN: true }).filter((n) => !Number.isInteger(n)),
  ),
  steps: fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 101 })),
  scheduler: fc.oneof(fc.constant(''), fc.string({ minLength: 101, maxLength: 120 })),
  CFGScale: fc.oneof(
    fc.double({ max: -0.0001, noNaN: true }),
    fc.double({ min: 50.0001, noNaN: true }),
    fc.constant(Number.NaN),
  ),
  clipSkip: fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 3 })),
  seed: fc.oneof(
    fc.integer({ max: 0 }),
    fc.bigInt({ min: SEED_MAX + 1n, max: SEED_MAX * 4n }),
    fc.constant('abc'),
  ),
  numberResults: fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 21 })),
  outputType: fc.string().filter((s) => !(OUTPUT_TYPES as readonly string[]).includes(s)),
  outputFormat: fc.string().filter((s) => !(OUTPUT_FORMATS as readonly string[]).includes(s)),
  outputQuality: fc.oneof(fc.integer({ max: 19 }), fc.integer({ min: 100 })),
  includeCost: fc.oneof(fc.string(), fc.integer()),
  webhookURL: fc.oneof(
    fc.constant('ftp://example.com/x'),
    fc.string({ maxLength: 20 }).filter((s) => !/^https?:\/\//.test(s)),
  ),
  uploadEndpoint: fc.oneof(fc.constant('file:///tmp/x'), fc.constant('https://')),
  ttl: fc.oneof(
    fc.integer({ max: 59 }),
    fc.double({ min: 60.1, max: 1000, noNaN: true }).filter((n) => !Number.isInteger(n)),
  ),
  deliveryMethod: fc.string().filter((s) => s !== 'sync' && s !== 'async'),
  // Whole-value faults here; faults inside a LoRA or an option are named by their own path (rules test).
  lora: fc.oneof(fc.string(), fc.integer(), fc.constant({ model: 'civitai:1@1' })),
  acceleratorOptions: fc.oneof(fc.string(), fc.integer(), fc.constant([])),
  vae: fc.oneof(
    fc.integer(),
    fc.string({ maxLength: 20 }).filter((s) => !s.includes('@')),
  ),
  promptWeighting: fc.string().filter((s) => s !== 'compel' && s !== 'sdEmbeds'),
};

describe('photoMaker task properties', () => {
  it('every valid task passes and round-trips through Runware JSON unchanged', () => {
    fc.assert(
      fc.property(validTask, (task) => {
        const first = photoMakerTaskSchema.parse(task);
        const wire = stringifyRunwareJson(first);
        const second = photoMakerTaskSchema.parse(parseRunwareJson(wire));
        expect(second).toEqual(first);
        if (task.seed !== undefined) expect(wire).toContain(`"seed":${task.seed}`);
      }),
      { numRuns: 300 },
    );
  });

  it('every single-field mutation outside a rule fails, naming that field', () => {
    const parameter = fc.constantFrom(...Object.keys(INVALID));
    const mutation = parameter.chain((name) =>
      fc.tuple(fc.constant(name), INVALID[name] as fc.Arbitrary<unknown>),
    );
    fc.assert(
      fc.property(validTask, mutation, (task, [name, value]) => {
        const result = validateWith(photoMakerTaskSchema, { ...task, [name]: value });
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.errors.map((e) => e.parameter)).toEqual([name]);
      }),
      { numRuns: 600 },
    );
  });

  it('covers every parameter of the spec with an invalid generator', () => {
    const parameters = Object.keys(photoMakerTaskSchema.shape).filter(
      (k) => k !== 'taskType' && k !== 'safety',
    );
    expect(Object.keys(INVALID).sort()).toEqual(parameters.sort());
  });

  it('parses fixed task UUIDs used elsewhere in tests', () => {
    expect(photoMakerTaskSchema.shape.taskUUID.safeParse(TASK_UUID).success).toBe(true);
  });
});
