import { LIMITS } from '@photomaker/schema';
import { Field, inputProps } from './Field.tsx';

/** Runware's `strength` (PhotoMaker's style strength ratio): lower keeps more of the face. */
export function StrengthSlider(props: {
  value: number;
  error?: string | undefined;
  onChange(value: number): void;
}) {
  const { min, max } = LIMITS.strength;
  return (
    <Field
      name="strength"
      label="Style strength"
      error={props.error}
      aside={<output htmlFor="f-strength">{props.value}</output>}
      hint="Lower keeps more likeness; 30–50 for strongly stylised pictures."
    >
      <input
        type="range"
        {...inputProps('strength', props.error)}
        min={min}
        max={max}
        step={1}
        value={props.value}
        onChange={(event) => props.onChange(Number(event.target.value))}
      />
      <div className="range-scale" aria-hidden="true">
        <span>{min} · likeness</span>
        <span>style · {max}</span>
      </div>
    </Field>
  );
}
