// One side of a comparison (a baseline or a candidate policy set) as a labelled text field
// with its hint: the Replay form and the Analysis form both take `git:REV`, `@published`,
// `@none` or a path.
import type { ReactNode } from 'react';

export function SideField({
  id,
  label,
  value,
  onChange,
  placeholder,
  disabled,
  hint,
  testId,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  disabled: boolean;
  hint: ReactNode;
  testId: string;
}) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="input mono"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={placeholder}
        disabled={disabled}
        spellCheck={false}
        aria-describedby={`${id}-hint`}
        data-testid={testId}
      />
      <p id={`${id}-hint`} className="field-hint">
        {hint}
      </p>
    </div>
  );
}
