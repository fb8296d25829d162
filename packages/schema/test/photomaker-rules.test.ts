import { describe, expect, it } from 'vitest';
import {
  PHOTOMAKER_STYLES,
  photoMakerParamsSchema,
  photoMakerTaskSchema,
  SEED_MAX,
  validateWith,
} from '../src/index.ts';
import {
  GIF_BASE64,
  IMAGE_UUID,
  JPEG_BASE64,
  JPEG_DATA_URI,
  minimalTask,
  PNG_BASE64,
  PNG_DATA_URI,
  WEBP_DATA_URI,
} from './fixtures.ts';

type Case = [value: unknown, ok: boolean];
const x = (n: number) => 'x'.repeat(n);

/** Per parameter: boundary values on both sides of every rule. Invalid ones must name the parameter. */
const TABLE: Record<string, Case[]> = {
  strength: [
    [14, false],
    [15, true],
    [50, true],
    [51, false],
    [15.5, false],
    ['20', false],
  ],
  width: [
    [64, false],
    [128, true],
    [2048, true],
    [2112, false],
    [130, false],
    [576, true],
    [1024.5, false],
  ],
  height: [
    [64, false],
    [128, true],
    [2048, true],
    [2112, false],
    [200, false],
    [640, true],
  ],
  positivePrompt: [
    ['a', false],
    ['ab', true],
    [x(300), true],
    [x(301), false],
    [42, false],
  ],
  negativePrompt: [
    ['a', false],
    ['ab', true],
    [x(3000), true],
    [x(3001), false],
  ],
  inputImages: [
    [[], false],
    [[PNG_DATA_URI], true],
    [[PNG_DATA_URI, JPEG_DATA_URI, WEBP_DATA_URI, IMAGE_UUID], true],
    [[PNG_DATA_URI, PNG_DATA_URI, PNG_DATA_URI, PNG_DATA_URI, PNG_DATA_URI], false],
    [[PNG_BASE64], true],
    [[JPEG_BASE64], true],
    [['https://example.com/face.jpg'], true],
    [['http://example.com/face.png'], true],
    [['ftp://example.com/face.png'], false],
    [[`data:image/gif;base64,${GIF_BASE64}`], false],
    [[GIF_BASE64], false],
    [['data:image/png;base64,not base64!'], false],
    [['not an image'], false],
    [[''], false],
    [['6f1f1d6e-0c5a-11e8-9a55-6f0e1c2d3b4a'], false],
    ['single-string', false],
  ],
  style: [
    ...PHOTOMAKER_STYLES.map((style): Case => [style, true]),
    ['no style', false],
    ['Disney Charactor', false],
    ['(No style)', false],
  ],
  model: [
    ['civitai:139562@344487', true],
    ['runware:101@1', true],
    ['civitai:139562', false],
    ['139562@344487', false],
    ['', false],
  ],
  steps: [
    [0, false],
    [1, true],
    [100, true],
    [101, false],
    [20.5, false],
  ],
  CFGScale: [
    [-0.1, false],
    [0, true],
    [7.5, true],
    [50, true],
    [50.01, false],
    [Number.NaN, false],
  ],
  clipSkip: [
    [-1, false],
    [0, true],
    [2, true],
    [3, false],
  ],
  seed: [
    [0, false],
    [1, true],
    [Number.MAX_SAFE_INTEGER, true],
    [Number.MAX_SAFE_INTEGER + 1, false],
    ['9223372036854775807', true],
    [SEED_MAX, true],
    [SEED_MAX + 1n, false],
    ['9223372036854775808', false],
    [2 ** 63, false],
    ['-5', false],
    ['12abc', false],
    [1.5, false],
  ],
  numberResults: [
    [0, false],
    [1, true],
    [20, true],
    [21, false],
  ],
  outputType: [
    ['URL', true],
    ['base64Data', true],
    ['dataURI', true],
    ['url', false],
  ],
  outputFormat: [
    ['JPG', true],
    ['PNG', true],
    ['WEBP', true],
    ['JPEG', false],
    ['jpg', false],
  ],
  outputQuality: [
    [19, false],
    [20, true],
    [99, true],
    [100, false],
  ],
  includeCost: [
    [true, true],
    [false, true],
    ['yes', false],
  ],
  ttl: [
    [59, false],
    [60, true],
    [86_400, true],
    [60.5, false],
  ],
  deliveryMethod: [
    ['sync', true],
    ['async', true],
    ['stream', false],
  ],
  scheduler: [
    ['Euler', true],
    ['DPM++ 2M Karras', true],
    ['', false],
    [x(101), false],
  ],
  webhookURL: [
    ['https://api.example.com/webhooks/runware?token=abc', true],
    ['http://127.0.0.1:9000/hook', true],
    ['ftp://example.com/hook', false],
    ['not a url', false],
    [`https://example.com/${x(2048)}`, false],
  ],
  uploadEndpoint: [
    ['https://bucket.s3.amazonaws.com/out.jpg?X-Amz-Signature=abc', true],
    ['file:///etc/passwd', false],
  ],
  vae: [
    ['civitai:101055@128078', true],
    ['sdxl-vae', false],
    [42, false],
  ],
  promptWeighting: [
    ['compel', true],
    ['sdEmbeds', true],
    ['Compel', false],
  ],
  taskUUID: [
    ['6f1f1d6e-0c5a-4b8e-9a55-6f0e1c2d3b4a', true],
    ['6f1f1d6e-0c5a-11e8-9a55-6f0e1c2d3b4a', false],
    ['not-a-uuid', false],
  ],
};

describe('photoMaker task: every rule at its boundaries', () => {
  for (const [parameter, cases] of Object.entries(TABLE)) {
    describe(parameter, () => {
      it.each(cases.map(([value, ok]) => ({ value, ok, label: String(value).slice(0, 40) })))(
        '$label -> ok=$ok',
        ({ value, ok }) => {
          const result = validateWith(photoMakerTaskSchema, { ...minimalTask(), [parameter]: value });
          if (ok) {
            expect(result.ok ? [] : result.errors).toEqual([]);
          } else {
            expect(result.ok).toBe(false);
            if (!result.ok) {
              expect(result.errors).toHaveLength(1);
              expect(result.errors[0]?.parameter).toBe(parameter);
              expect(result.errors[0]?.code).toBe(
                `invalid${parameter[0]?.toUpperCase()}${parameter.slice(1)}`,
              );
            }
          }
        },
      );
    });
  }
});

describe('safety', () => {
  it.each([[{ checkContent: true }], [{ mode: 'full' }], [{ checkContent: false, mode: 'fast' }], [{}]])(
    'accepts %j',
    (safety) => {
      expect(validateWith(photoMakerTaskSchema, { ...minimalTask(), safety }).ok).toBe(true);
    },
  );

  it('names the nested parameter of a bad mode', () => {
    const result = validateWith(photoMakerTaskSchema, { ...minimalTask(), safety: { mode: 'paranoid' } });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors[0]).toMatchObject({
        code: 'invalidSafetyMode',
        parameter: 'safety.mode',
        allowedValues: ['none', 'fast', 'full'],
      });
    }
  });

  it('rejects a non-boolean checkContent', () => {
    const result = validateWith(photoMakerTaskSchema, { ...minimalTask(), safety: { checkContent: 'yes' } });
    expect(result.ok ? undefined : result.errors[0]?.parameter).toBe('safety.checkContent');
  });
});

describe('required parameters', () => {
  it.each([
    ['positivePrompt', 'missingPositivePrompt'],
    ['inputImages', 'missingInputImages'],
    ['model', 'missingModel'],
    ['width', 'missingWidth'],
    ['height', 'missingHeight'],
    ['taskUUID', 'missingTaskUUID'],
    ['taskType', 'missingTaskType'],
  ])('%s absent -> %s', (parameter, code) => {
    const task = minimalTask();
    delete task[parameter];
    const result = validateWith(photoMakerTaskSchema, task);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual([expect.objectContaining({ code, parameter })]);
      expect(result.errors[0]?.message).toContain(`Missing required parameter '${parameter}'`);
    }
  });

  it('reports every bad parameter once, in order, each message naming its limit', () => {
    const result = validateWith(photoMakerTaskSchema, {
      ...minimalTask(),
      strength: 51,
      width: 2112,
      positivePrompt: undefined,
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.map((e) => e.code)).toEqual([
        'invalidStrength',
        'missingPositivePrompt',
        'invalidWidth',
      ]);
      expect(result.errors[0]?.message).toBe(
        "Invalid value for 'strength': it must be an integer from 15 to 50.",
      );
      expect(result.errors[0]).toMatchObject({ min: 15, max: 50 });
      expect(result.errors[2]?.message).toContain('from 128 to 2048, divisible by 64');
    }
  });
});

describe('defaults', () => {
  it('fills every documented default and nothing else', () => {
    const parsed = photoMakerTaskSchema.parse(minimalTask());
    expect(parsed).toEqual({
      ...minimalTask(),
      style: 'No style',
      strength: 15,
      steps: 20,
      CFGScale: 7,
      numberResults: 1,
      outputType: 'URL',
      outputFormat: 'JPG',
      outputQuality: 95,
      includeCost: false,
      deliveryMethod: 'sync',
    });
    expect(parsed.seed).toBeUndefined();
    expect(parsed.scheduler).toBeUndefined();
    expect(parsed.clipSkip).toBeUndefined();
  });

  it('drops unknown keys instead of passing them on', () => {
    const parsed = photoMakerTaskSchema.parse({ ...minimalTask(), checkNSFW: true, apiKey: 'secret' });
    expect(parsed).not.toHaveProperty('checkNSFW');
    expect(parsed).not.toHaveProperty('apiKey');
  });

  it('the params schema (GraphQL input) has no taskType/taskUUID', () => {
    const { taskType: _t, taskUUID: _u, ...params } = minimalTask();
    expect(photoMakerParamsSchema.safeParse(params).success).toBe(true);
  });
});

describe('error messages never echo values', () => {
  it('does not put the prompt or image data in the message', () => {
    const secretPrompt = 'my private prompt'.repeat(30);
    const result = validateWith(photoMakerTaskSchema, {
      ...minimalTask(),
      positivePrompt: secretPrompt,
      inputImages: ['data:image/png;base64,SECRETSECRET'],
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      const text = JSON.stringify(result.errors);
      expect(text).not.toContain('private prompt');
      expect(text).not.toContain('SECRET');
      expect(result.errors.map((e) => e.parameter)).toEqual(['inputImages', 'positivePrompt']);
    }
  });
});
