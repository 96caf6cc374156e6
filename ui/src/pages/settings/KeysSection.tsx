// This machine's signing keys and whether the open workspace trusts each, with a form to
// make one (owner: the acting identity). Trust itself is a change other key holders approve,
// made on Publish → Keys; this section links there rather than repeating it.
import { useCallback, useEffect, useId, useState } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { KeysView } from '../../bindings/KeysView';
import type { WorkspaceInfo } from '../../bindings/WorkspaceInfo';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { isTrusted, shortId, TRUST_LABELS, trustOf } from '../../lib/publish';
import { hrefFor } from '../../lib/route';
import { formatTimestamp } from '../../lib/time';
import { GenerateKeyForm } from '../publish/GenerateKeyForm';

export function KeysSection({ workspace, acting }: { workspace: WorkspaceInfo | null; acting: string }) {
  const backend = useBackend();
  const uid = useId();
  const [keys, setKeys] = useState<KeysView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(
    (live: () => boolean = () => true) =>
      backend.keysView().then(
        (k) => {
          if (!live()) return;
          setKeys(k);
          setError(null);
        },
        (e: unknown) => {
          if (live()) setError(toApiError(e));
        },
      ),
    [backend],
  );

  useEffect(() => {
    if (!workspace) return;
    let active = true;
    void load(() => active);
    return () => {
      active = false;
    };
  }, [load, workspace]);

  return (
    <section className="panel settings-section" aria-labelledby={`${uid}-title`} data-testid="settings-keys">
      <div className="section-head">
        <h2 id={`${uid}-title`}>Signing keys</h2>
        {workspace && (
          <a href={hrefFor('publish', 'keys')} className="small" data-testid="settings-keys-trust-link">
            Propose or approve trust on Publish → Keys
          </a>
        )}
      </div>
      <p className="small muted">
        Ed25519 keys that sign bundles, approvals and trust changes. The private half stays in
        {keys ? (
          <>
            {' '}
            <span className="path">{keys.keys_dir}</span>
          </>
        ) : (
          ' your config folder'
        )}
        , never inside a workspace; a workspace trusts a key only after its trusted key holders approve it.
      </p>
      {!workspace && (
        <p className="muted" data-testid="settings-keys-no-workspace">
          Open a workspace to see your keys and which of them it trusts.
        </p>
      )}
      {error && <ErrorBanner error={error} />}
      {workspace && !keys && !error && (
        <p className="muted" aria-busy="true">
          Reading the keys…
        </p>
      )}
      {keys &&
        (keys.local.length === 0 ? (
          <p className="muted" data-testid="settings-keys-empty">
            No signing key on this machine yet. Generate one below, then propose it for trust on Publish → Keys (the
            workspace’s first key is trusted on its own).
          </p>
        ) : (
          <table className="table" data-testid="settings-keys-table">
            <thead>
              <tr>
                <th scope="col">Owner</th>
                <th scope="col">Key</th>
                <th scope="col">Made</th>
                <th scope="col">In this workspace</th>
              </tr>
            </thead>
            <tbody>
              {keys.local.map((k) => {
                const status = trustOf(keys, k.id);
                return (
                  <tr key={k.id} data-testid="settings-key" data-owner={k.owner} data-status={status ?? 'none'}>
                    <td>{k.owner}</td>
                    <td>
                      <code title={k.id}>{shortId(k.id)}</code>
                    </td>
                    <td className="nowrap">{formatTimestamp(k.created_at)}</td>
                    <td>
                      {status ? (
                        <span className={isTrusted(status) && status !== 'removal_pending' ? 'text-ok' : 'text-warning'}>
                          {TRUST_LABELS[status]}
                        </span>
                      ) : (
                        <span className="muted">not trusted</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ))}
      {keys && (
        // Keyed by the identity so a change of who you act as pre-fills the new owner.
        <GenerateKeyForm key={acting} defaultOwner={acting} onGenerated={() => void load()} label="Generate a key" />
      )}
    </section>
  );
}
