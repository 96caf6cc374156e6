// Who the app acts as: every audited action and approval names this identity (the core reads
// it again for each one, so a change applies to the next). Set here it wins over
// MANDATE_ACTOR and git's user.email; cleared, those apply again. An identity that names
// nobody in the open workspace's inventory is saved all the same, with a warning and the
// closest ids to pick instead.
import { useId, useState, type FormEvent } from 'react';
import type { ActorSource } from '../../bindings/ActorSource';
import type { ApiError } from '../../bindings/ApiError';
import type { SettingsView } from '../../bindings/SettingsView';
import type { WorkspaceInfo } from '../../bindings/WorkspaceInfo';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';

export const SOURCE_LABELS: Record<ActorSource, string> = {
  settings: 'set here',
  environment: 'from MANDATE_ACTOR',
  git: 'from git config user.email',
  login: 'your login name: nothing else names you',
};

export function IdentitySection({
  view,
  workspace,
  onView,
}: {
  view: SettingsView;
  workspace: WorkspaceInfo | null;
  onView: (view: SettingsView) => void;
}) {
  const backend = useBackend();
  const uid = useId();
  const identity = view.actor;
  const [value, setValue] = useState(identity.setting ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);

  const save = async (next: string | null) => {
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const updated = await backend.setActor(next);
      onView(updated);
      setValue(updated.actor.setting ?? '');
      setSaved(true);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy) void save(value.trim() ? value.trim() : null);
  };

  const person = identity.person;
  return (
    <section className="panel settings-section" aria-labelledby={`${uid}-title`} data-testid="settings-identity">
      <h2 id={`${uid}-title`}>Acting identity</h2>
      <p className="settings-current">
        Acting as{' '}
        <strong data-testid="acting-actor" data-source={identity.source}>
          {identity.actor}
        </strong>{' '}
        <span className="muted">— {SOURCE_LABELS[identity.source]}</span>
      </p>
      {person?.id && !person.warning && (
        <p className="small text-ok" data-testid="acting-person">
          ✓ {person.name} (<code>{person.id}</code>) in inventory/people.toml
        </p>
      )}
      {!workspace && <p className="small muted">Open a workspace to check this identity against its people.</p>}
      {person?.warning && (
        <div className="banner banner-warning" role="status" data-testid="acting-warning">
          <div className="banner-body">
            <p className="banner-title">Not a person in this workspace’s inventory</p>
            <p className="banner-help">{person.warning}</p>
            {person.suggestions.length > 0 && (
              <div className="settings-suggestions">
                <span className="small">Did you mean</span>
                {person.suggestions.map((id) => (
                  <button
                    key={id}
                    type="button"
                    className="btn btn-small"
                    onClick={() => setValue(id)}
                    data-testid="acting-suggestion"
                  >
                    {id}
                  </button>
                ))}
              </div>
            )}
          </div>
        </div>
      )}
      <form className="settings-form" onSubmit={submit} aria-label="Set the acting identity">
        <div className="field">
          <label className="field-label" htmlFor={`${uid}-actor`}>
            Act as
          </label>
          <div className="inline-row">
            <input
              id={`${uid}-actor`}
              className="input"
              value={value}
              onChange={(e) => {
                setValue(e.target.value);
                setSaved(false);
              }}
              placeholder={identity.default_actor}
              spellCheck={false}
              autoComplete="off"
              disabled={busy}
              aria-describedby={`${uid}-hint`}
              data-testid="actor-input"
            />
            <button type="submit" className="btn btn-primary" disabled={busy || value.trim() === (identity.setting ?? '')} data-testid="actor-save">
              {busy ? 'Saving…' : 'Save'}
            </button>
            {identity.setting !== null && (
              <button type="button" className="btn" onClick={() => void save(null)} disabled={busy} data-testid="actor-clear">
                Use the default
              </button>
            )}
          </div>
          <p className="field-hint" id={`${uid}-hint`}>
            A person’s id from inventory/people.toml or their email. Every audited action and approval from now on names it.
            Without it: <code>{identity.default_actor}</code> ({SOURCE_LABELS[identity.default_source]}).
          </p>
        </div>
        {saved && (
          <p className="small text-ok" role="status" data-testid="actor-saved">
            Saved: the next audited action names {identity.actor}.
          </p>
        )}
        {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      </form>
    </section>
  );
}
