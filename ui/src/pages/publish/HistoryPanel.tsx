// The published bundles, newest first, each as the core verified it (intact, signed,
// approved, linked to its parent), and a full verification of one on demand: integrity,
// the author's signature, the approvals against what the bundle requires, the chain.
import { useState } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { BundleEntry } from '../../bindings/BundleEntry';
import type { VerifyReport } from '../../bindings/VerifyReport';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { shortId } from '../../lib/publish';
import { formatTimestamp } from '../../lib/time';
import { Ticked } from '../insights/FindingText';

interface Verified {
  version: string;
  report: VerifyReport | null;
  error: ApiError | null;
}

const CHAIN_LABELS: Record<VerifyReport['chain'], string> = {
  root: 'first bundle',
  linked: 'linked',
  unknown_parent: 'unknown parent',
  not_checked: 'not checked',
};

export function HistoryPanel({ bundles, error }: { bundles: readonly BundleEntry[] | null; error: ApiError | null }) {
  const backend = useBackend();
  const [verified, setVerified] = useState<Verified | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const verify = async (version: string) => {
    setBusy(version);
    setVerified({ version, report: null, error: null });
    try {
      const report = await backend.bundleVerify(version, true);
      setVerified({ version, report, error: null });
    } catch (e) {
      setVerified({ version, report: null, error: toApiError(e) });
    } finally {
      setBusy(null);
    }
  };

  if (error) return <ErrorBanner error={error} />;
  if (bundles === null) {
    return (
      <p className="muted" aria-busy="true">
        Reading the published bundles…
      </p>
    );
  }
  if (bundles.length === 0) {
    return (
      <div className="panel empty-panel" data-testid="history-empty">
        <h2>Nothing published yet</h2>
        <p>
          Published bundles go into <code>bundles/VERSION</code> in the workspace: commit them, and every clone agrees on what
          is published. Build the first one on the New bundle tab.
        </p>
      </div>
    );
  }

  return (
    <>
      <div className="panel panel-flush">
        <table className="table pub-history" data-testid="history">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Hash</th>
              <th scope="col">Created</th>
              <th scope="col">Author</th>
              <th scope="col">Summary</th>
              <th scope="col" className="num">
                Approvals
              </th>
              <th scope="col">Verified</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {bundles.map((b) => (
              <tr key={b.version} data-testid={`bundle-row-${b.version}`} data-verified={b.verified}>
                <td>
                  <strong>{b.version}</strong>
                </td>
                <td>
                  <code title={b.hash}>{shortId(b.hash)}</code>
                </td>
                <td className="nowrap">{formatTimestamp(b.created_at)}</td>
                <td>{b.author}</td>
                <td className="pub-history-summary">{b.summary || <span className="muted">—</span>}</td>
                <td className="num nowrap" data-testid="bundle-approvals">
                  {b.approvals} / {b.required_approvals}
                </td>
                <td className={b.verified ? 'nowrap' : undefined} data-testid="bundle-verified">
                  {b.verified ? (
                    <span className="text-ok">✓ verified</span>
                  ) : (
                    <ul className="pub-problems">
                      {b.problems.map((p, i) => (
                        <li key={i} className="text-error">
                          <Ticked text={p} />
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td>
                  <button
                    type="button"
                    className="btn btn-small"
                    onClick={() => void verify(b.version)}
                    disabled={busy !== null}
                    data-testid="verify-button"
                  >
                    {busy === b.version ? 'Verifying…' : 'Verify'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {verified?.error && <ErrorBanner error={verified.error} />}
      {verified?.report && <VerifyResult version={verified.version} report={verified.report} />}
    </>
  );
}

export function VerifyResult({ version, report }: { version: string; report: VerifyReport }) {
  const v = report.verification;
  const required = report.required_approvals ?? 1;
  return (
    <section
      className={`panel pub-verify ${report.ok ? 'pub-verify-ok' : 'pub-verify-failed'}`}
      aria-label={`Verification of ${version}`}
      data-testid="verify-result"
      data-version={version}
      data-ok={report.ok}
    >
      <h2 data-testid="verify-headline">
        {report.ok ? <span className="text-ok">✓ {version} verified</span> : <span className="text-error">✗ {version} does not verify</span>}
      </h2>
      <dl className="facts pub-facts">
        <dt>Integrity</dt>
        <dd data-testid="verify-integrity">
          {v.integrity.length === 0 ? (
            'every file matches the manifest'
          ) : (
            <span className="text-error">{v.integrity.length} file problem(s)</span>
          )}
        </dd>
        <dt>Signature</dt>
        <dd data-testid="verify-signature">
          {!v.author ? (
            <span className="text-error">not signed by its author</span>
          ) : v.author.valid ? (
            <>valid ({v.author.signer})</>
          ) : (
            <span className="text-error">{v.author.problem}</span>
          )}
        </dd>
        <dt>Approvals</dt>
        <dd data-testid="verify-approvals">
          {v.valid_approvals} valid of {required} required
          {v.approvals.length > 0 && (
            <span className="muted">
              {' '}
              — {v.approvals.map((a) => `${a.signer}${a.valid ? '' : ` (${a.problem ?? 'invalid'})`}`).join(', ')}
            </span>
          )}
        </dd>
        <dt>Chain</dt>
        <dd data-testid="verify-chain" data-chain={report.chain}>
          {CHAIN_LABELS[report.chain]} <span className="muted">— {report.chain_detail}</span>
        </dd>
      </dl>
      {report.problems.length > 0 && (
        <ul className="problem-list" data-testid="verify-problems">
          {report.problems.map((p, i) => (
            <li key={i}>
              <code>{p.file}</code> <Ticked text={p.message} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
