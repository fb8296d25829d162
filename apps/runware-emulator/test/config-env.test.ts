import { envRows, parseEnv } from '@photomaker/env';
import { describe, expect, it } from 'vitest';
import { LATENCY_PRESETS } from '../src/config/latency.ts';
import { emulatorEnv } from '../src/env.ts';

describe('the emulator env schema (src/env.ts)', () => {
  it('parses a valid environment into typed values', () => {
    const parsed = parseEnv(emulatorEnv, {
      RUNWARE_EMULATOR_PORT: '9000',
      RUNWARE_EMULATOR_KEYS: 'a, b',
      RUNWARE_EMULATOR_LATENCY: '{"requestMs":5}',
      RUNWARE_EMULATOR_BALANCE: '2.5',
    });
    expect(parsed).toEqual({
      ok: true,
      data: {
        RUNWARE_EMULATOR_PORT: 9000,
        RUNWARE_EMULATOR_HOST: '127.0.0.1',
        RUNWARE_EMULATOR_KEYS: ['a', 'b'],
        RUNWARE_EMULATOR_LATENCY: { ...LATENCY_PRESETS.realistic, requestMs: 5 },
        RUNWARE_EMULATOR_BALANCE: 2.5,
        LOG_LEVEL: 'info',
      },
    });
  });

  it('refuses bad values, naming each variable, and never echoes the keys', () => {
    const parsed = parseEnv(emulatorEnv, {
      RUNWARE_EMULATOR_PORT: '70000',
      RUNWARE_EMULATOR_LATENCY: 'slow',
      RUNWARE_EMULATOR_FAULTS: '{',
      RUNWARE_EMULATOR_CAPACITY: '0',
    });
    expect(parsed.ok).toBe(false);
    const problems = parsed.ok ? [] : parsed.problems;
    expect(problems).toEqual([
      'RUNWARE_EMULATOR_PORT: must be at most 65535 (got "70000")',
      'RUNWARE_EMULATOR_LATENCY: must be one of none, fast, realistic or a JSON object (got "slow")',
      'RUNWARE_EMULATOR_CAPACITY: must be at least 1 (got "0")',
      expect.stringMatching(/^RUNWARE_EMULATOR_FAULTS: fault config is not JSON/),
    ]);
  });

  it('describes every variable; the keys are a secret', () => {
    const rows = envRows(emulatorEnv);
    expect(rows.map((row) => row.name)).toEqual(Object.keys(emulatorEnv.shape));
    expect(rows.filter((row) => row.secret).map((row) => row.name)).toEqual(['RUNWARE_EMULATOR_KEYS']);
  });
});
