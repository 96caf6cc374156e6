// Makes a signing key on this machine for an owner (a name or an email). The private key
// stays in the keys folder outside the workspace; the form only ever sees its id.
import { useId, useState, type FormEvent } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { LocalKey } from '../../bindings/LocalKey';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';

export function GenerateKeyForm({
  defaultOwner,
  onGenerated,
  label = 'Generate key',
}: {
  defaultOwner: string;
  onGenerated: (key: LocalKey) => void;
  label?: string;
}) {
  const backend = useBackend();
  const uid = useId();
  const [owner, setOwner] = useState(defaultOwner);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || !owner.trim()) return;
    setBusy(true);
    setError(null);
    try {
      onGenerated(await backend.generateKey(owner.trim()));
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="pub-keygen" onSubmit={(e) => void submit(e)} aria-label="Generate a signing key" data-testid="keygen-form">
      <div className="field">
        <label className="field-label" htmlFor={`${uid}-owner`}>
          Owner
        </label>
        <div className="inline-row">
          <input
            id={`${uid}-owner`}
            className="input"
            value={owner}
            onChange={(e) => setOwner(e.target.value)}
            placeholder="dana@acme.example"
            disabled={busy}
            spellCheck={false}
            data-testid="keygen-owner"
          />
          <button type="submit" className="btn" disabled={busy || !owner.trim()} data-testid="keygen-submit">
            {busy ? 'Generating…' : label}
          </button>
        </div>
        <p className="field-hint">Who holds the key: approvals and signatures are recorded under this name.</p>
      </div>
      {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
    </form>
  );
}
