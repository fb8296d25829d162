import { useState } from 'react';

export function KeyDialog(props: {
  reason: string;
  canUseDemo: boolean;
  onSubmit(key: string | undefined): void;
  onCancel?: () => void;
}) {
  const [value, setValue] = useState('');
  return (
    <div className="modal-backdrop" role="presentation">
      <form
        className="modal key-dialog"
        aria-label="API key"
        onSubmit={(event) => {
          event.preventDefault();
          if (value.trim().length >= 8) props.onSubmit(value.trim());
        }}
      >
        <h2>API key</h2>
        <p className="muted">{props.reason}</p>
        <input
          type="password"
          autoComplete="off"
          placeholder="your API key"
          value={value}
          onChange={(event) => setValue(event.target.value)}
          // biome-ignore lint/a11y/noAutofocus: the dialog exists to take this one value
          autoFocus
        />
        {value.length > 0 && value.trim().length < 8 && (
          <p className="field-error">An API key has at least 8 characters.</p>
        )}
        <div className="modal-actions">
          {props.canUseDemo && (
            <button type="button" className="ghost" onClick={() => props.onSubmit(undefined)}>
              Use the demo key
            </button>
          )}
          {props.onCancel && (
            <button type="button" className="ghost" onClick={props.onCancel}>
              Cancel
            </button>
          )}
          <button type="submit" className="primary" disabled={value.trim().length < 8}>
            Use this key
          </button>
        </div>
      </form>
    </div>
  );
}
