// Step 5 of the wizard: sign the bundle when it is not signed yet (building signs it by
// default), then publish it into `bundles/VERSION` — optionally copying it to a folder the
// enforcement points read. The core re-checks every gate: a refusal (`gate_failed`) lists
// the gates that failed; success shows where the bundle went.
import { useId, useState, type FormEvent } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { BundleView } from '../../bindings/BundleView';
import type { GateReport } from '../../bindings/GateReport';
import type { Published } from '../../bindings/Published';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { hrefFor } from '../../lib/route';
import { failedGates, gateSummary, shortId } from '../../lib/publish';
import { SignatureStatus } from './EvidenceStep';
import { Ticked } from '../insights/FindingText';

export function PublishStep({
  bundle,
  report,
  signing,
  signError,
  onSign,
  publishing,
  publishError,
  onPublish,
  published,
  onShowGates,
  onStartOver,
}: {
  bundle: BundleView;
  report: GateReport | null;
  signing: boolean;
  signError: ApiError | null;
  onSign: () => void;
  publishing: boolean;
  publishError: ApiError | null;
  onPublish: (to: string | null) => void;
  published: Published | null;
  onShowGates: () => void;
  onStartOver: () => void;
}) {
  const uid = useId();
  const backend = useBackend();
  const [to, setTo] = useState('');
  const [pickError, setPickError] = useState<ApiError | null>(null);
  const signed = bundle.verification.author?.valid ?? false;
  const failing = report ? report.gates.filter((g) => !g.passed) : [];
  const refused = publishError ? failedGates(publishError) : [];

  if (published) {
    return (
      <div className="pub-step-body" data-testid="step-publish">
        <div className="pub-done" role="status" data-testid="publish-result" data-version={published.version}>
          <p className="pub-done-title">
            <span aria-hidden="true">✓</span> Published {published.version}
          </p>
          <dl className="facts pub-facts">
            <dt>Hash</dt>
            <dd>
              <code title={published.hash} data-testid="publish-hash">
                {shortId(published.hash)}
              </code>
            </dd>
            <dt>In</dt>
            <dd className="path" data-testid="publish-path">
              {published.path}
            </dd>
            {published.copied_to && (
              <>
                <dt>Copied to</dt>
                <dd className="path" data-testid="publish-copied-to">
                  {published.copied_to}
                </dd>
              </>
            )}
          </dl>
          <p className="muted small">
            Commit <code>{published.path}</code> so every clone of the workspace agrees on what is published.
          </p>
          <p className="pub-done-actions">
            <a className="btn" href={hrefFor('publish', 'history')} data-testid="publish-see-history">
              See it in the history
            </a>
            <button type="button" className="btn" onClick={onStartOver} data-testid="publish-start-over">
              Build another bundle
            </button>
          </p>
        </div>
      </div>
    );
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!publishing && signed) onPublish(to.trim() || null);
  };

  // A folder outside the workspace is written only when chosen in the system dialog.
  const chooseFolder = async () => {
    setPickError(null);
    try {
      const picked = await backend.pickFolder('Copy the published bundle to');
      if (picked !== null) setTo(picked);
    } catch (e) {
      setPickError(toApiError(e));
    }
  };

  return (
    <div className="pub-step-body" data-testid="step-publish">
      <section className="pub-card" aria-labelledby={`${uid}-sign`}>
        <h3 id={`${uid}-sign`}>Author’s signature</h3>
        <p>
          <SignatureStatus bundle={bundle} />
        </p>
        {!signed && (
          <p className="pub-sign-row">
            <button type="button" className="btn" onClick={onSign} disabled={signing} data-testid="sign-submit">
              {signing ? 'Signing…' : `Sign as ${bundle.manifest.author.name}`}
            </button>
            <span className="muted small">Only the author’s key ({shortId(bundle.manifest.author.key)}) can sign.</span>
          </p>
        )}
        {signError && <ErrorBanner error={signError} />}
      </section>

      <section className="pub-card" aria-labelledby={`${uid}-gates`}>
        <h3 id={`${uid}-gates`}>Gates</h3>
        {report ? (
          <p data-testid="publish-gates-summary" data-passed={report.passed}>
            <span className={report.passed ? 'text-ok' : 'text-error'}>{report.passed ? '✓' : '✗'}</span> {gateSummary(report.gates)}
            {failing.length > 0 && (
              <>
                {' — '}
                <button type="button" className="link-button pub-text-link" onClick={onShowGates}>
                  see what to do
                </button>
              </>
            )}
          </p>
        ) : (
          <p className="muted">Checking the gates…</p>
        )}
        {failing.length > 0 && (
          <ul className="problem-list">
            {failing.map((g) => (
              <li key={g.id}>
                <strong>{g.title}</strong>{' '}
                <span className="muted">
                  — <Ticked text={g.detail} />
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <form className="pub-publish-form" onSubmit={submit} aria-label="Publish the bundle" noValidate>
        <div className="field">
          <label className="field-label" htmlFor={`${uid}-to`}>
            Also copy to <span className="muted">(optional)</span>
          </label>
          <div className="inline-row">
            <input
              id={`${uid}-to`}
              className="input mono"
              value={to}
              onChange={(e) => setTo(e.target.value)}
              placeholder="/srv/policy-bundles"
              disabled={publishing}
              spellCheck={false}
              data-testid="publish-to"
            />
            <button type="button" className="btn" onClick={() => void chooseFolder()} disabled={publishing} data-testid="publish-to-browse">
              Choose…
            </button>
          </div>
          <p className="field-hint">
            A folder (gets NAME-VERSION.mandate-bundle) or a .mandate-bundle path your enforcement points read: outside the workspace, choose it
            with Choose….
          </p>
          {pickError && <ErrorBanner error={pickError} onDismiss={() => setPickError(null)} />}
        </div>
        <div className="run-form-actions">
          <button type="submit" className="btn btn-primary" disabled={publishing || !signed} data-testid="publish-submit">
            {publishing ? 'Publishing…' : `Publish ${bundle.manifest.version}`}
          </button>
          <span className="small muted">Into bundles/{bundle.manifest.version}; the core checks every gate again first.</span>
        </div>
      </form>
      {publishError &&
        (publishError.code === 'gate_failed' ? (
          <div className="inline-error" role="alert" data-testid="publish-refused" data-code={publishError.code}>
            <p className="inline-error-title">
              Not published: {refused.length} gate{refused.length === 1 ? '' : 's'} failed
            </p>
            <ul className="problem-list">
              {refused.map((g) => (
                <li key={g.id} data-testid="publish-refused-gate" data-gate={g.id}>
                  <Ticked text={g.message} />
                </li>
              ))}
            </ul>
          </div>
        ) : (
          <ErrorBanner error={publishError} />
        ))}
    </div>
  );
}
