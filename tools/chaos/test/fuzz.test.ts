import { describe, expect, it } from 'vitest';
import { renderFuzzReport, runFuzz } from '../src/fuzz/run-fuzz.ts';
import { applyViolations, PARAMETER_VIOLATIONS } from '../src/fuzz/violations.ts';

describe('the violation generators', () => {
  it('cover every photoMaker parameter the GraphQL input and /v1 share, and never leave the base valid', () => {
    expect(Object.keys(PARAMETER_VIOLATIONS).sort()).toEqual(
      [
        'CFGScale',
        'clipSkip',
        'deliveryMethod',
        'height',
        'includeCost',
        'inputImages',
        'model',
        'negativePrompt',
        'numberResults',
        'outputFormat',
        'outputQuality',
        'outputType',
        'positivePrompt',
        'safety',
        'scheduler',
        'seed',
        'steps',
        'strength',
        'style',
        'ttl',
        'uploadEndpoint',
        'webhookURL',
        'width',
      ].sort(),
    );
    const { wire } = applyViolations([
      { parameter: 'width', rule: 'required', graphql: undefined, wire: undefined, codes: [], omit: true },
    ]);
    expect(wire).not.toHaveProperty('width');
  });
});

// The CI form of `pnpm fuzz --quick`: a bounded number of cases per property against the real stack.
describe('pnpm fuzz --quick', () => {
  it('refuses every bad input with the right code: no 5xx, no workflow, no Runware task, no crash', {
    timeout: 400_000,
  }, async () => {
    const report = await runFuzz({
      runs: 25,
      seed: 20261124,
      // Under turbo (CI) the worker's build ran first (a devDependency for that order); locally build it here.
      build: !process.env.TURBO_HASH,
      log: (line) => process.stderr.write(`fuzz: ${line}\n`),
    });
    process.stderr.write(renderFuzzReport(report));
    expect(report.failures).toEqual([]);
    expect(report.serverErrors).toBe(0);
    expect(report.workflowsStarted).toBe(0);
    expect(report.runwareTasks).toBe(0);
    expect(report.crashedProcesses).toEqual([]);
    expect(report.total).toBeGreaterThanOrEqual(6 * 25);
  });
});

describe('the refusal checks', () => {
  const width = {
    parameter: 'width',
    rule: 'range',
    graphql: 1,
    wire: 1,
    codes: ['invalidWidth', 'missingWidth'],
  };
  it('fail for an accepted job, a wrong code, a stray parameter or a 5xx-looking answer', async () => {
    const { refusedGraphQL, refusedV1 } = await import('../src/fuzz/refusals.ts');
    const accepted = { status: 200, text: '', body: { data: { generatePhotoMaker: { id: 'x' } } } };
    expect(() => refusedGraphQL(accepted, [width], {})).toThrow(/accepted/);
    const badError = (extensions: Record<string, unknown>) => ({
      status: 200,
      text: '',
      body: { errors: [{ message: 'x', extensions }] },
    });
    expect(() => refusedGraphQL(badError({ code: 'INTERNAL_SERVER_ERROR' }), [width], {})).toThrow(/codes/);
    expect(() =>
      refusedGraphQL(
        badError({ code: 'BAD_USER_INPUT', runwareCode: 'invalidHeight', parameter: 'height' }),
        [width],
        {},
      ),
    ).toThrow();
    expect(() =>
      refusedGraphQL(
        badError({ code: 'BAD_USER_INPUT', runwareCode: 'invalidWidth', parameter: 'width' }),
        [width],
        {},
      ),
    ).not.toThrow();
    expect(() =>
      refusedV1({ status: 200, text: '', body: { data: [{ taskType: 'photoMaker' }] } }, [width]),
    ).toThrow();
    expect(() =>
      refusedV1({ status: 400, text: '', body: { errors: [{ code: 'invalidWidth', parameter: 'width' }] } }, [
        width,
      ]),
    ).not.toThrow();
    expect(() =>
      refusedV1(
        {
          status: 400,
          text: '',
          body: {
            errors: [
              { code: 'invalidWidth', parameter: 'width' },
              { code: 'invalidSteps', parameter: 'steps' },
            ],
          },
        },
        [width],
      ),
    ).toThrow(/untouched/);
  });
});
