import { Field, inputProps } from './Field.tsx';

export interface SelectOption<T extends string> {
  value: T;
  label: string;
}

/** A Field holding one `<select>` of fixed options, tied to the field's label and error. */
export function SelectField<T extends string>(props: {
  name: string;
  label: string;
  error: string | undefined;
  value: T;
  options: readonly SelectOption<T>[];
  onChange: (value: T) => void;
}) {
  return (
    <Field name={props.name} label={props.label} error={props.error}>
      <select
        {...inputProps(props.name, props.error)}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as T)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}
