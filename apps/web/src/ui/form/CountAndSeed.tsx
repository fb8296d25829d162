import { LIMITS } from '@photomaker/schema';
import { Field, inputProps } from './Field.tsx';

export function CountAndSeed(props: {
  count: string;
  seed: string;
  errors: { numberResults?: string | undefined; seed?: string | undefined };
  onCount(value: string): void;
  onSeed(value: string): void;
  onRandomSeed(): void;
  onBlur(field: 'numberResults' | 'seed'): void;
}) {
  const { min, max } = LIMITS.numberResults;
  const current = Number(props.count);
  const step = (delta: number) => {
    const base = Number.isInteger(current) ? current : 1;
    props.onCount(String(Math.min(max, Math.max(min, base + delta))));
  };
  return (
    <div className="row">
      <Field
        name="numberResults"
        label="Images"
        error={props.errors.numberResults}
        hint={`${min}–${max} per job`}
      >
        <div className="stepper">
          <button
            type="button"
            aria-label="One image fewer"
            onClick={() => step(-1)}
            disabled={current <= min}
          >
            −
          </button>
          <input
            type="number"
            inputMode="numeric"
            className="stepper-value"
            {...inputProps('numberResults', props.errors.numberResults)}
            value={props.count}
            onChange={(event) => props.onCount(event.target.value)}
            onBlur={() => props.onBlur('numberResults')}
          />
          <button type="button" aria-label="One image more" onClick={() => step(1)} disabled={current >= max}>
            +
          </button>
        </div>
      </Field>
      <Field
        name="seed"
        label="Seed"
        error={props.errors.seed}
        hint={
          props.seed ? 'Image i gets seed + i: same seed, same pictures.' : 'Empty: a random seed per job.'
        }
      >
        <div className="seed-box">
          <input
            type="text"
            inputMode="numeric"
            autoComplete="off"
            placeholder="random"
            {...inputProps('seed', props.errors.seed)}
            value={props.seed}
            onChange={(event) => props.onSeed(event.target.value)}
            onBlur={() => props.onBlur('seed')}
          />
          <button
            type="button"
            className="icon"
            title="Pick a random seed"
            aria-label="Pick a random seed"
            onClick={props.onRandomSeed}
          >
            ⚄
          </button>
          {props.seed && (
            <button
              type="button"
              className="icon"
              title="Random again"
              aria-label="Clear the seed"
              onClick={() => props.onSeed('')}
            >
              ×
            </button>
          )}
        </div>
      </Field>
    </div>
  );
}
