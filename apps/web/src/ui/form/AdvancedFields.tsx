import { LIMITS, RECOMMENDED_MODELS } from '@photomaker/schema';
import { type InputHTMLAttributes, useEffect, useState } from 'react';
import { ADVANCED_FIELDS } from '../../form/advanced-fields.ts';
import type { FieldErrors, FormState } from '../../form/form-state.ts';
import { Field, inputProps } from './Field.tsx';
import { SelectField, type SelectOption } from './SelectField.tsx';

type Setter = <K extends keyof FormState>(key: K, value: FormState[K]) => void;

/** Everything else Runware's photoMaker task takes, with the same limits. */
export function AdvancedFields(props: {
  form: FormState;
  errors: FieldErrors;
  models?: readonly Model[] | undefined;
  set: Setter;
  touch(field: string): void;
}) {
  const { form, errors, set, touch } = props;
  const models = props.models ?? RECOMMENDED_MODELS;
  const text = (field: keyof FormState) => ({
    ...inputProps(field, errors[field]),
    value: String(form[field]),
    onChange: (event: { target: { value: string } }) => set(field, event.target.value as never),
    onBlur: () => touch(field),
  });
  const [open, setOpen] = useState(false);
  const hasErrors = Object.keys(errors).some((k) => ADVANCED.has(k));
  // An error in a folded field must be visible: unfold.
  useEffect(() => {
    if (hasErrors) setOpen(true);
  }, [hasErrors]);
  return (
    <details className="advanced" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>Advanced</summary>
      <div className="advanced-body">
        <Field
          name="negativePrompt"
          label="Negative prompt"
          error={errors.negativePrompt}
          hint="What to keep out of the picture (optional)."
        >
          <textarea rows={2} placeholder="blurry, lowres, extra fingers" {...text('negativePrompt')} />
        </Field>
        <ModelField
          value={form.model}
          error={errors.model}
          models={models}
          onChange={(v) => set('model', v)}
          customInput={text('model')}
        />
        <div className="row three">
          <Field
            name="steps"
            label="Steps"
            error={errors.steps}
            hint={`${LIMITS.steps.min}–${LIMITS.steps.max}`}
          >
            <input type="number" inputMode="numeric" {...text('steps')} />
          </Field>
          <Field
            name="CFGScale"
            label="CFG scale"
            error={errors.CFGScale}
            hint={`${LIMITS.CFGScale.min}–${LIMITS.CFGScale.max}`}
          >
            <input type="number" inputMode="decimal" step="0.5" {...text('CFGScale')} />
          </Field>
          <Field name="clipSkip" label="CLIP skip" error={errors.clipSkip} hint="0–2, optional">
            <input type="number" inputMode="numeric" {...text('clipSkip')} />
          </Field>
        </div>
        <div className="row three">
          <Field
            name="scheduler"
            label="Scheduler"
            error={errors.scheduler}
            hint="The model's own when empty"
          >
            <input type="text" placeholder="e.g. EulerDiscreteScheduler" {...text('scheduler')} />
          </Field>
          <SelectField
            name="outputFormat"
            label="Format"
            error={errors.outputFormat}
            value={form.outputFormat}
            options={OUTPUT_FORMAT_OPTIONS}
            onChange={(v) => set('outputFormat', v)}
          />
          <Field
            name="outputQuality"
            label="Quality"
            error={errors.outputQuality}
            hint={`${LIMITS.outputQuality.min}–${LIMITS.outputQuality.max}`}
          >
            <input type="number" inputMode="numeric" {...text('outputQuality')} />
          </Field>
        </div>
        <div className="row">
          <SelectField
            name="safety"
            label="Content safety check"
            error={errors.safety}
            value={form.safetyMode}
            options={SAFETY_OPTIONS}
            onChange={(v) => set('safetyMode', v)}
          />
          <div className="field checkbox-field">
            <label>
              <input
                type="checkbox"
                checked={form.includeCost}
                onChange={(e) => set('includeCost', e.target.checked)}
              />
              Show the cost (includeCost)
            </label>
          </div>
        </div>
        <Field
          name="webhookURL"
          label="Webhook URL"
          error={errors.webhookURL}
          hint="Each finished image is POSTed there, signed. Public addresses only."
        >
          <input type="url" placeholder="https://example.com/hooks/photomaker" {...text('webhookURL')} />
        </Field>
        <Field
          name="uploadEndpoint"
          label="Upload endpoint"
          error={errors.uploadEndpoint}
          hint="Each finished image is PUT there as raw bytes. Public addresses only."
        >
          <input type="url" placeholder="https://bucket.example.com/upload/…" {...text('uploadEndpoint')} />
        </Field>
        <Field
          name="cancelAfter"
          label="Cancel after"
          error={errors.cancelAfter}
          hint="A deadline, e.g. 90s, 10m, 2h (up to 24h): past it the job is cancelled. Optional."
        >
          <input type="text" placeholder="10m" {...text('cancelAfter')} />
        </Field>
        <SelectField
          name="priority"
          label="Priority"
          error={errors.priority}
          value={form.priority}
          options={PRIORITY_OPTIONS}
          onChange={(v) => set('priority', v)}
        />
      </div>
    </details>
  );
}

const ADVANCED = new Set<string>(ADVANCED_FIELDS);

type Model = { air: string; name: string; version: string };

/** A recommended model from the list, or any SDXL AIR id typed in ("Other AIR id…"). */
function ModelField(props: {
  value: string;
  error: string | undefined;
  models: readonly Model[];
  onChange: (air: string) => void;
  customInput: InputHTMLAttributes<HTMLInputElement>;
}) {
  const known = props.models.some((m) => m.air === props.value);
  return (
    <Field
      name="model"
      label="Model (SDXL)"
      error={props.error}
      hint="Any SDXL AIR id works; these are recommended."
    >
      <select
        value={known ? props.value : '__custom'}
        onChange={(event) => props.onChange(event.target.value === '__custom' ? '' : event.target.value)}
        aria-label="Recommended models"
      >
        {props.models.map((m) => (
          <option key={m.air} value={m.air}>
            {m.name} {m.version}
          </option>
        ))}
        <option value="__custom">Other AIR id…</option>
      </select>
      {!known && <input type="text" placeholder="civitai:139562@344487" {...props.customInput} />}
    </Field>
  );
}

const OUTPUT_FORMAT_OPTIONS: readonly SelectOption<FormState['outputFormat']>[] = [
  { value: 'JPG', label: 'JPG' },
  { value: 'PNG', label: 'PNG' },
  { value: 'WEBP', label: 'WEBP' },
];

/** Only orders this key's own waiting jobs (when a limit makes them wait); other tenants share fairly. */
const PRIORITY_OPTIONS: readonly SelectOption<FormState['priority']>[] = [
  { value: '', label: 'Default (your key’s)' },
  { value: 'HIGH', label: 'High' },
  { value: 'NORMAL', label: 'Normal' },
  { value: 'LOW', label: 'Low' },
];

const SAFETY_OPTIONS: readonly SelectOption<FormState['safetyMode']>[] = [
  { value: 'NONE', label: 'Off' },
  { value: 'FAST', label: 'Fast' },
  { value: 'FULL', label: 'Full' },
];
