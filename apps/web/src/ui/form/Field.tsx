import type { ReactNode } from 'react';

/** A labelled input with its hint and, when there is one, its error (named by the Runware parameter). */
export function Field(props: {
  name: string;
  label: ReactNode;
  error?: string | undefined;
  hint?: ReactNode;
  aside?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={`field${props.error ? ' invalid' : ''}${props.className ? ` ${props.className}` : ''}`}>
      <div className="field-head">
        <label htmlFor={`f-${props.name}`}>{props.label}</label>
        {props.aside}
      </div>
      {props.children}
      {props.error ? (
        <p className="field-error" role="alert" id={`f-${props.name}-error`} data-field-error={props.name}>
          {props.error}
        </p>
      ) : (
        props.hint && <p className="field-hint">{props.hint}</p>
      )}
    </div>
  );
}

/** Props that tie an input to its Field (label, error announcement). */
export function inputProps(name: string, error: string | undefined) {
  return {
    id: `f-${name}`,
    name,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `f-${name}-error` : undefined,
  } as const;
}
