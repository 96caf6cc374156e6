// Signing keys: this machine's (private halves stay in the keys folder, outside the
// workspace) and the workspace's trusted and proposed keys from mandate.toml, with how
// each stands. A local key can be proposed for trust, and a pending one approved, with a
// trusted key of this machine; the workspace's first key is trusted on its own.
import { useState } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { KeysView } from '../../bindings/KeysView';
import type { TrustOutcome } from '../../bindings/TrustOutcome';
import { toApiError, useBackend } from '../../backend';
import { DiagnosticList, ErrorBanner } from '../../components/ErrorBanner';
import { isTrusted, shortId, TRUST_LABELS, trustOf, trustSigners } from '../../lib/publish';
import { formatTimestamp } from '../../lib/time';
import { GenerateKeyForm } from './GenerateKeyForm';
import { Ticked } from '../insights/FindingText';

export function KeysPanel({
  keys,
  error,
  acting,
  onChanged,
}: {
  keys: KeysView | null;
  error: ApiError | null;
  acting: string;
  onChanged: () => void;
}) {
  const backend = useBackend();
  const [busy, setBusy] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<TrustOutcome | null>(null);
  const [trustError, setTrustError] = useState<ApiError | null>(null);

  if (error) return <ErrorBanner error={error} />;
  if (!keys) {
    return (
      <p className="muted" aria-busy="true">
        Reading the keys…
      </p>
    );
  }

  const first = keys.keys.every((k) => !isTrusted(k.status));

  const trust = async (id: string) => {
    // The first key signs its own trust; any other change needs another trusted key here.
    const approved = keys.keys.find((k) => k.id === id)?.approvals ?? [];
    const signer = first ? id : (trustSigners(keys, id).find((s) => !approved.includes(s.owner))?.id ?? null);
    setBusy(id);
    setTrustError(null);
    setOutcome(null);
    try {
      setOutcome(await backend.trustKey({ key: id, owner: null, remove: false, signer, comment: '' }));
      onChanged();
    } catch (e) {
      setTrustError(toApiError(e));
    } finally {
      setBusy(null);
    }
  };

  const problems = keys.problems ?? [];

  return (
    <div className="pub-keys" data-testid="keys">
      {problems.length > 0 && (
        <div className="banner banner-error" role="status" data-testid="keys-problems">
          <div className="banner-body">
            <p className="banner-title">The trust list has problems</p>
            <p className="banner-message">What they name is not trusted until they are fixed.</p>
            <DiagnosticList diagnostics={problems} />
          </div>
        </div>
      )}
      <section className="panel" aria-labelledby="pub-keys-local">
        <h2 id="pub-keys-local">On this machine</h2>
        <p className="small muted">
          In <span className="path">{keys.keys_dir}</span> — never inside a workspace.
        </p>
        {keys.local.length === 0 ? (
          <p className="muted" data-testid="keys-local-empty">
            No key yet.
          </p>
        ) : (
          <table className="table" data-testid="keys-local">
            <thead>
              <tr>
                <th scope="col">Owner</th>
                <th scope="col">Key</th>
                <th scope="col">Made</th>
                <th scope="col">In this workspace</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.local.map((k) => {
                const status = trustOf(keys, k.id);
                const canTrust = status === null || status === 'unapproved' || (status === 'pending' && trustSigners(keys, k.id).length > 0);
                return (
                  <tr key={k.id} data-testid="local-key" data-owner={k.owner} data-status={status ?? 'none'}>
                    <td>{k.owner}</td>
                    <td>
                      <code title={k.id}>{shortId(k.id)}</code>
                    </td>
                    <td className="nowrap">{formatTimestamp(k.created_at)}</td>
                    <td>{status ? TRUST_LABELS[status] : <span className="muted">not trusted</span>}</td>
                    <td>
                      {canTrust && (
                        <button
                          type="button"
                          className="btn btn-small"
                          onClick={() => void trust(k.id)}
                          disabled={busy !== null}
                          data-testid="trust-local"
                        >
                          {busy === k.id ? 'Trusting…' : status === 'pending' ? 'Approve trust' : first ? 'Trust as first key' : 'Propose for trust'}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <GenerateKeyForm defaultOwner={acting} onGenerated={onChanged} label="Generate another key" />
      </section>

      {outcome && (
        <p className={outcome.applied ? 'notice pub-trust-applied' : 'notice'} role="status" data-testid="trust-outcome">
          {outcome.owner} ({shortId(outcome.key)}): <Ticked text={outcome.message} />
        </p>
      )}
      {trustError && <ErrorBanner error={trustError} onDismiss={() => setTrustError(null)} />}

      <section className="panel" aria-labelledby="pub-keys-workspace">
        <h2 id="pub-keys-workspace">Trusted in this workspace</h2>
        {keys.keys.length === 0 ? (
          <p className="muted" data-testid="keys-trusted-empty">
            No key is trusted yet: the first key trusted here is its holder’s own, trusted without approvals.
          </p>
        ) : (
          <table className="table" data-testid="keys-trusted">
            <thead>
              <tr>
                <th scope="col">Owner</th>
                <th scope="col">Key</th>
                <th scope="col">Status</th>
                <th scope="col">Approved by</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.keys.map((k) => {
                const signers = trustSigners(keys, k.id).filter((s) => !k.approvals.includes(s.owner));
                return (
                  <tr key={k.id} data-testid="trusted-key" data-owner={k.owner} data-status={k.status}>
                    <td>
                      {k.owner}
                      {k.local && <span className="muted small"> · on this machine</span>}
                    </td>
                    <td>
                      <code title={k.id}>{k.short_id}</code>
                    </td>
                    <td>
                      <span className={isTrusted(k.status) && k.status !== 'removal_pending' ? 'text-ok' : 'text-warning'}>
                        {TRUST_LABELS[k.status]}
                      </span>
                      {k.added_at && <span className="muted small"> · {formatTimestamp(k.added_at)}</span>}
                    </td>
                    <td className="small">
                      {k.status === 'first' ? (
                        <span className="muted">its holder (first key)</span>
                      ) : (
                        <>
                          {k.approvals.length > 0 ? k.approvals.join(', ') : <span className="muted">nobody yet</span>}{' '}
                          <span className="muted">
                            ({k.approvals.length} of {k.needed})
                          </span>
                        </>
                      )}
                    </td>
                    <td>
                      {k.status === 'pending' && !k.local && signers.length > 0 && (
                        <button
                          type="button"
                          className="btn btn-small"
                          onClick={() => void trust(k.id)}
                          disabled={busy !== null}
                          data-testid="trust-approve"
                        >
                          {busy === k.id ? 'Approving…' : 'Approve trust'}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
