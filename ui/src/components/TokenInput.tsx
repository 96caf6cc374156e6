// A list of ids as removable tokens plus a combobox to add more, suggesting known values.
//
// Typing filters the suggestions (at most MAX_SUGGESTIONS, so 10,000 agents stay quick);
// Enter or a comma adds the highlighted suggestion or the typed text; Backspace in an empty
// box removes the last token; Escape closes the list. Values not among the options are
// kept (they may come from a file) but marked, and the core's validation explains them.
import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { Icon } from './Icon';

export interface TokenOption {
  value: string;
  hint?: string;
}

const MAX_SUGGESTIONS = 8;

export function suggest(
  options: readonly TokenOption[],
  query: string,
  exclude: readonly string[],
  max = MAX_SUGGESTIONS,
): TokenOption[] {
  const q = query.trim().toLowerCase();
  const taken = new Set(exclude);
  const starts: TokenOption[] = [];
  const contains: TokenOption[] = [];
  for (const o of options) {
    if (taken.has(o.value)) continue;
    const v = o.value.toLowerCase();
    if (q === '' || v.startsWith(q)) starts.push(o);
    else if (v.includes(q) || (o.hint ?? '').toLowerCase().includes(q)) contains.push(o);
    if (starts.length >= max) break;
  }
  return [...starts, ...contains].slice(0, max);
}

export function TokenInput({
  id,
  testId,
  values,
  options,
  onChange,
  placeholder,
  describedBy,
  invalid,
  unknownLabel = 'not in the inventory',
}: {
  id: string;
  testId: string;
  values: readonly string[];
  options: readonly TokenOption[];
  onChange: (values: string[]) => void;
  placeholder?: string;
  describedBy?: string;
  invalid?: boolean;
  unknownLabel?: string;
}) {
  const listId = useId();
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const known = useMemo(() => new Set(options.map((o) => o.value)), [options]);
  const suggestions = useMemo(
    () => (open ? suggest(options, query, values) : []),
    [open, options, query, values],
  );
  const activeIndex = Math.min(active, suggestions.length - 1);

  const add = (value: string) => {
    const v = value.trim();
    if (v !== '' && !values.includes(v)) onChange([...values, v]);
    setQuery('');
    setActive(0);
  };
  const remove = (value: string) => onChange(values.filter((v) => v !== value));

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        setOpen(true);
        setActive(suggestions.length === 0 ? 0 : (activeIndex + 1) % suggestions.length);
        break;
      case 'ArrowUp':
        e.preventDefault();
        setActive(suggestions.length === 0 ? 0 : (activeIndex - 1 + suggestions.length) % suggestions.length);
        break;
      case 'Enter': {
        const pick = suggestions[activeIndex];
        if (pick || query.trim() !== '') {
          e.preventDefault();
          add(pick ? pick.value : query);
        }
        break;
      }
      case ',':
        e.preventDefault();
        if (query.trim() !== '') add(query);
        break;
      case 'Backspace':
        if (query === '' && values.length > 0) {
          e.preventDefault();
          remove(values[values.length - 1]!);
        }
        break;
      case 'Escape':
        if (open && suggestions.length > 0) {
          // Close the list only; the panel must not close on this Escape.
          e.preventDefault();
          e.stopPropagation();
          setOpen(false);
        }
        break;
    }
  };

  return (
    <div className={invalid ? 'tokens tokens-invalid' : 'tokens'}>
      {values.length > 0 && (
        <ul className="token-list" aria-label="Selected">
          {values.map((v) => {
            const unknown = !known.has(v);
            return (
              <li
                key={v}
                className={unknown ? 'token token-unknown' : 'token'}
                title={unknown ? `${v} — ${unknownLabel}` : v}
                data-value={v}
              >
                <span className="token-text">{v}</span>
                {unknown && <span className="visually-hidden"> ({unknownLabel})</span>}
                <button type="button" className="token-remove" aria-label={`Remove ${v}`} onClick={() => remove(v)}>
                  <Icon name="close" />
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div className="token-combo">
        <input
          id={id}
          data-testid={testId}
          className="input"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={suggestions.length > 0}
          aria-controls={listId}
          aria-activedescendant={suggestions.length > 0 ? `${listId}-${activeIndex}` : undefined}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          autoComplete="off"
          spellCheck={false}
          value={query}
          placeholder={placeholder}
          onChange={(e) => {
            setQuery(e.target.value);
            setOpen(true);
            setActive(0);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown}
        />
        <ul id={listId} role="listbox" className={suggestions.length > 0 ? 'token-suggestions' : 'token-suggestions hidden'}>
          {suggestions.map((o, i) => (
            <li
              key={o.value}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === activeIndex}
              className="token-option"
              // Keep focus in the input: pick on mousedown, before the blur closes the list.
              onMouseDown={(e) => {
                e.preventDefault();
                add(o.value);
              }}
            >
              <span className="token-option-value">{o.value}</span>
              {o.hint && <span className="token-option-hint">{o.hint}</span>}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
