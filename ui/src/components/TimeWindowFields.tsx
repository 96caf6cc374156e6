// The optional Since / Until pair of a request-set form (Simulate, Insights): RFC 3339 times
// or spans back from now such as `7d`, checked by the core.

export interface TimeWindowFieldsProps {
  /** Prefix of the inputs' ids (the labels point at them). */
  idPrefix: string;
  since: string;
  until: string;
  onSince: (value: string) => void;
  onUntil: (value: string) => void;
  disabled?: boolean;
  /** `data-testid`s become `${testIdPrefix}-since` and `${testIdPrefix}-until`. */
  testIdPrefix: string;
}

export function TimeWindowFields({ idPrefix, since, until, onSince, onUntil, disabled, testIdPrefix }: TimeWindowFieldsProps) {
  return (
    <>
      <div className="field">
        <label className="field-label" htmlFor={`${idPrefix}-since`}>
          Since <span className="muted">(optional)</span>
        </label>
        <input
          id={`${idPrefix}-since`}
          className="input"
          value={since}
          onChange={(e) => onSince(e.target.value)}
          placeholder="7d or 2026-05-01T00:00:00Z"
          disabled={disabled}
          data-testid={`${testIdPrefix}-since`}
        />
      </div>
      <div className="field">
        <label className="field-label" htmlFor={`${idPrefix}-until`}>
          Until <span className="muted">(optional)</span>
        </label>
        <input
          id={`${idPrefix}-until`}
          className="input"
          value={until}
          onChange={(e) => onUntil(e.target.value)}
          placeholder="RFC 3339 time"
          disabled={disabled}
          data-testid={`${testIdPrefix}-until`}
        />
      </div>
    </>
  );
}
