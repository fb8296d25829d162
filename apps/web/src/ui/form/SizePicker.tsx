import { LIMITS } from '@photomaker/schema';
import { CUSTOM_SIZE, SIZE_PRESETS } from '../../form/size-presets.ts';
import { Field, inputProps } from './Field.tsx';

export function SizePicker(props: {
  preset: string;
  width: string;
  height: string;
  errors: { width?: string | undefined; height?: string | undefined };
  onPreset(id: string, width?: number, height?: number): void;
  onWidth(value: string): void;
  onHeight(value: string): void;
  onBlur(field: 'width' | 'height'): void;
}) {
  const custom = props.preset === CUSTOM_SIZE;
  const { multipleOf, min, max } = LIMITS.width;
  return (
    <fieldset className="field size-picker">
      <legend>Size</legend>
      <div className="size-grid" role="radiogroup" aria-label="Size">
        {SIZE_PRESETS.map((p) => {
          const scale = 26 / Math.max(p.width, p.height);
          return (
            // biome-ignore lint/a11y/useSemanticElements: a styled radio card; role + aria-checked say what it is
            <button
              key={p.id}
              type="button"
              role="radio"
              aria-checked={props.preset === p.id}
              data-size={p.id}
              className={`size-card${props.preset === p.id ? ' selected' : ''}`}
              onClick={() => props.onPreset(p.id, p.width, p.height)}
            >
              <span className="ratio-box" style={{ width: p.width * scale, height: p.height * scale }} />
              <span className="size-label">{p.label}</span>
              <span className="size-dims">
                {p.width}×{p.height}
              </span>
            </button>
          );
        })}
        {/* biome-ignore lint/a11y/useSemanticElements: a styled radio card; role + aria-checked say what it is */}
        <button
          type="button"
          role="radio"
          aria-checked={custom}
          data-size={CUSTOM_SIZE}
          className={`size-card${custom ? ' selected' : ''}`}
          onClick={() => props.onPreset(CUSTOM_SIZE)}
        >
          <span className="ratio-box custom" />
          <span className="size-label">Custom</span>
          <span className="size-dims">÷{multipleOf}</span>
        </button>
      </div>
      {custom && (
        <div className="row">
          <Field
            name="width"
            label="Width"
            error={props.errors.width}
            hint={`${min}–${max}, a multiple of ${multipleOf}`}
          >
            <input
              type="number"
              inputMode="numeric"
              {...inputProps('width', props.errors.width)}
              step={multipleOf}
              value={props.width}
              onChange={(event) => props.onWidth(event.target.value)}
              onBlur={() => props.onBlur('width')}
            />
          </Field>
          <Field
            name="height"
            label="Height"
            error={props.errors.height}
            hint={`${min}–${max}, a multiple of ${multipleOf}`}
          >
            <input
              type="number"
              inputMode="numeric"
              {...inputProps('height', props.errors.height)}
              step={multipleOf}
              value={props.height}
              onChange={(event) => props.onHeight(event.target.value)}
              onBlur={() => props.onBlur('height')}
            />
          </Field>
        </div>
      )}
      {!custom && (props.errors.width || props.errors.height) && (
        <p className="field-error" role="alert">
          {props.errors.width ?? props.errors.height}
        </p>
      )}
    </fieldset>
  );
}
