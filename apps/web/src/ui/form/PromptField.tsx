import { applyTriggerWord, hasTriggerWord, LIMITS, TRIGGER_WORD } from '@photomaker/schema';
import { useRef } from 'react';
import { Field, inputProps } from './Field.tsx';

/** The prompt, with the `rwre` trigger word explained and the final prompt Runware will get. */
export function PromptField(props: {
  value: string;
  error?: string | undefined;
  onChange(value: string): void;
  onBlur(): void;
}) {
  const area = useRef<HTMLTextAreaElement>(null);
  const insertTrigger = () => {
    const el = area.current;
    const at = el?.selectionStart ?? props.value.length;
    const before = props.value.slice(0, at);
    const after = props.value.slice(at);
    const pad = before && !/\s$/.test(before) ? ' ' : '';
    const next = `${before}${pad}${TRIGGER_WORD}${after && !/^\s/.test(after) ? ' ' : ''}${after}`;
    props.onChange(next);
    requestAnimationFrame(() => el?.focus());
  };
  const length = props.value.length;
  const { maxLength } = LIMITS.positivePrompt;
  return (
    <Field
      name="positivePrompt"
      label="Prompt"
      error={props.error}
      aside={
        <span className={`counter${length > maxLength ? ' over' : ''}`}>
          {length}/{maxLength}
        </span>
      }
      hint={
        props.value.trim().length >= 2 ? (
          <>
            Runware gets: <q className="final-prompt">{applyTriggerWord(props.value)}</q>
          </>
        ) : (
          <>
            Put the trigger word <code>{TRIGGER_WORD}</code> right after the class word, e.g. “a photo of a
            woman <code>{TRIGGER_WORD}</code> in a garden”. Without it, <code>{TRIGGER_WORD},</code> is put in
            front.
          </>
        )
      }
    >
      <div className="prompt-box">
        <textarea
          ref={area}
          {...inputProps('positivePrompt', props.error)}
          rows={3}
          placeholder={`a portrait photo of a man ${TRIGGER_WORD}, wearing a linen shirt, soft window light`}
          value={props.value}
          onChange={(event) => props.onChange(event.target.value)}
          onBlur={props.onBlur}
        />
        {!hasTriggerWord(props.value) && (
          <button type="button" className="chip insert-trigger" onClick={insertTrigger}>
            + {TRIGGER_WORD}
          </button>
        )}
      </div>
    </Field>
  );
}
