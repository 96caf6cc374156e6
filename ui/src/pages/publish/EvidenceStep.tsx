// Step 2 of the wizard: the built bundle as the approvers will judge it — manifest facts,
// the author's signature, and the evidence the build recorded: validation, the replay of
// recorded traffic against the published bundle (with the agents whose access changed),
// coverage per framework, the approving review and the approvals the change needs.
import type { AnalysisEvidence } from '../../bindings/AnalysisEvidence';
import type { BundleView } from '../../bindings/BundleView';
import type { RiskTier } from '../../bindings/RiskTier';
import { TierBadge } from '../../components/AgentBadges';
import { TIERS } from '../../lib/agents';
import { percentText } from '../../lib/frameworks';
import { shortId } from '../../lib/publish';
import { count } from '../../lib/simulate';
import { plural } from '../../lib/summary';
import { formatTimestamp } from '../../lib/time';
import { CoverageBar } from '../frameworks/FrameworkTree';
import { Ticked } from '../insights/FindingText';

function isTier(t: string): t is RiskTier {
  return (TIERS as readonly string[]).includes(t);
}

export function SignatureStatus({ bundle }: { bundle: BundleView }) {
  const a = bundle.verification.author;
  if (!a) {
    return (
      <span className="text-warning" data-testid="signature-status" data-state="unsigned">
        Not signed by its author yet
      </span>
    );
  }
  return a.valid ? (
    <span data-testid="signature-status" data-state="valid">
      <span className="text-ok">✓ Signed by {a.signer}</span>{' '}
      <span className="muted small">
        {shortId(a.key)} · {formatTimestamp(a.at)}
      </span>
    </span>
  ) : (
    <span className="text-error" data-testid="signature-status" data-state="invalid">
      ✗ Signature by {a.signer || shortId(a.key)} does not count: {a.problem}
    </span>
  );
}

export function EvidenceStep({ bundle }: { bundle: BundleView }) {
  const m = bundle.manifest;
  const v = bundle.validation;
  const r = bundle.replay;
  const files = Object.keys(m.files).length;
  return (
    <div className="pub-step-body pub-evidence" data-testid="step-evidence">
      <section className="pub-card pub-card-tall" aria-labelledby="pub-ev-manifest">
        <h3 id="pub-ev-manifest">Bundle</h3>
        <dl className="facts pub-facts" data-testid="evidence-manifest">
          <dt>Version</dt>
          <dd>
            <strong data-testid="evidence-version">{m.version}</strong> <span className="muted">of {m.name}</span>
          </dd>
          <dt>Summary</dt>
          <dd data-testid="evidence-summary">{m.summary || <span className="muted">none given</span>}</dd>
          <dt>Author</dt>
          <dd>
            {m.author.name} <code>{shortId(m.author.key)}</code>
          </dd>
          <dt>Signature</dt>
          <dd>
            <SignatureStatus bundle={bundle} />
          </dd>
          <dt>Hash</dt>
          <dd>
            <code title={bundle.hash}>{shortId(bundle.hash)}</code>
          </dd>
          <dt>Parent</dt>
          <dd>{m.parent ? <code title={m.parent}>{shortId(m.parent)}</code> : <span className="muted">none: the first bundle</span>}</dd>
          <dt>Built</dt>
          <dd>
            {formatTimestamp(m.created_at)} <span className="muted">· Cedar {m.cedar_language_version} · {plural(files, 'file')}</span>
          </dd>
          <dt>Where</dt>
          <dd className="path">{bundle.path}</dd>
        </dl>
        {bundle.verification.integrity.length > 0 && (
          <div className="inline-error" data-testid="evidence-integrity">
            <p className="inline-error-title">The bundle was altered since it was built</p>
            <ul className="problem-list">
              {bundle.verification.integrity.map((p, i) => (
                <li key={i}>
                  <code>{p.file}</code> {p.message}
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>

      <section className="pub-card" aria-labelledby="pub-ev-validation">
        <h3 id="pub-ev-validation">Validation</h3>
        {v ? (
          <>
            <p data-testid="evidence-validation">
              {plural(v.statements, 'statement')} · <span className={v.errors > 0 ? 'text-error' : ''}>{plural(v.errors, 'error')}</span> ·{' '}
              <span className={v.warnings > 0 ? 'text-warning' : ''}>{plural(v.warnings, 'warning')}</span>
              {v.fail_open.length > 0 && (
                <>
                  {' '}
                  · <span className="text-error">{plural(v.fail_open.length, 'fail-open finding')}</span>
                </>
              )}
            </p>
            {v.problems.length > 0 && (
              <details className="pub-details">
                <summary>{plural(v.problems.length, 'problem')}</summary>
                <ul className="problem-list small">
                  {v.problems.map((p, i) => (
                    <li key={i}>
                      <code>{p}</code>
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </>
        ) : (
          <p className="muted">No validation evidence in this bundle.</p>
        )}
      </section>

      <section className="pub-card" aria-labelledby="pub-ev-scope">
        <h3 id="pub-ev-scope">Review and approvals</h3>
        <dl className="facts pub-facts">
          <dt>Review</dt>
          <dd data-testid="evidence-review">
            {bundle.review ? (
              <>
                <strong>{bundle.review.name}</strong> · {bundle.review.verdict} by {bundle.review.by}{' '}
                <span className="muted">({formatTimestamp(bundle.review.at)})</span>
              </>
            ) : (
              <span className="text-warning">No approved review of these policies was found</span>
            )}
          </dd>
          <dt>Needs</dt>
          <dd data-testid="evidence-scope">
            {bundle.scope ? (
              <>
                <strong>{plural(bundle.scope.required_approvals, 'approval')}</strong>
                <span className="muted">
                  {' '}
                  — <Ticked text={bundle.scope.reason} />
                </span>
              </>
            ) : (
              <span className="muted">no scope recorded</span>
            )}
          </dd>
          {bundle.acknowledgements.coverage_reduction && (
            <>
              <dt>Accepted</dt>
              <dd>Coverage drop: {bundle.acknowledgements.coverage_reduction}</dd>
            </>
          )}
          {bundle.acknowledgements.more_permissive && (
            <>
              <dt>Accepted</dt>
              <dd data-testid="evidence-accepted-permissive">
                More permissive: {bundle.acknowledgements.more_permissive}
              </dd>
            </>
          )}
        </dl>
      </section>

      <AnalysisCard analysis={bundle.analysis} />

      <section className="pub-card" aria-labelledby="pub-ev-coverage">
        <h3 id="pub-ev-coverage">Coverage</h3>
        {bundle.coverage && bundle.coverage.frameworks.length > 0 ? (
          <table className="table pub-coverage" data-testid="evidence-coverage">
            <tbody>
              {bundle.coverage.frameworks.map((f) => (
                <tr key={f.framework} data-framework={f.framework}>
                  <td className="mono small">{f.framework}</td>
                  <td className="pub-coverage-bar">
                    <CoverageBar fw={f} />
                  </td>
                  <td className="num">{percentText(f.percent)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">No coverage evidence in this bundle.</p>
        )}
      </section>
      <section className="pub-card pub-span-2" aria-labelledby="pub-ev-replay">
        <h3 id="pub-ev-replay">Replay of recorded traffic</h3>
        {!r || !r.summary ? (
          <p className="muted" data-testid="evidence-replay">
            Nothing was replayed: no recorded requests were imported when the bundle was built.
          </p>
        ) : (
          <>
            <p className="small muted" data-testid="evidence-replay">
              Set <strong>{r.set}</strong> against {r.baseline}
            </p>
            <ul className="metrics pub-metrics" aria-label="Replay summary">
              <li className="metric-card" data-testid="evidence-requests">
                <span className="metric-card-value">{count(r.summary.requests)}</span>
                <span className="metric-card-label">Requests</span>
              </li>
              <li className={`metric-card ${r.summary.changed > 0 ? 'tone-warning' : ''}`} data-testid="evidence-changed">
                <span className="metric-card-value">{count(r.summary.changed)}</span>
                <span className="metric-card-label">Changed</span>
              </li>
              <li className={`metric-card ${r.summary.allow_to_deny > 0 ? 'tone-deny' : ''}`}>
                <span className="metric-card-value">{count(r.summary.allow_to_deny)}</span>
                <span className="metric-card-label">Allow → deny</span>
              </li>
              <li className={`metric-card ${r.summary.deny_to_allow > 0 ? 'tone-allow' : ''}`}>
                <span className="metric-card-value">{count(r.summary.deny_to_allow)}</span>
                <span className="metric-card-label">Deny → allow</span>
              </li>
              <li className={`metric-card ${r.candidate_errors > 0 ? 'tone-error' : ''}`} data-testid="evidence-errors">
                <span className="metric-card-value">{count(r.candidate_errors)}</span>
                <span className="metric-card-label">Evaluation errors</span>
              </li>
            </ul>
            {r.touched.length > 0 && (
              <details className="pub-details" data-testid="evidence-touched">
                <summary>
                  {plural(r.touched.length, 'agent')} whose access changed
                </summary>
                <ul className="pub-touched">
                  {r.touched.map((t) => (
                    <li key={t.agent} data-testid="touched-agent" data-agent={t.agent}>
                      <span className="mono">{t.agent}</span>
                      {isTier(t.tier) ? <TierBadge tier={t.tier} /> : <span className="pill">{t.tier}</span>}
                      <span className="muted small">{plural(t.changed, 'decision')}</span>
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </>
        )}
      </section>

    </div>
  );
}

/** The symbolic analysis the bundle carries: relations per environment against the
 * published bundle, fail-open forbids, and the agents whose access changed. */
function AnalysisCard({ analysis }: { analysis: AnalysisEvidence | undefined }) {
  return (
    <section className="pub-card" aria-labelledby="pub-ev-analysis" data-testid="evidence-analysis">
      <h3 id="pub-ev-analysis">Symbolic analysis</h3>
      {!analysis ? (
        <p className="muted">No analysis in this bundle (built before Mandate analysed bundles).</p>
      ) : analysis.not_run ? (
        <p className="text-warning" data-testid="evidence-analysis-not-run">
          Not run: {analysis.not_run}
        </p>
      ) : (
        <>
          <p className="muted small">
            Against {analysis.baseline} · {analysis.solver}
          </p>
          <ul className="plain-list" data-testid="evidence-relations">
            {analysis.environments.map((e) => (
              <li key={e.environment} data-relation={e.relation}>
                <span className="mono small">{e.environment}</span>{' '}
                <span className={`badge relation-${e.relation}`}>{e.relation}</span>
              </li>
            ))}
          </ul>
          <dl className="facts pub-facts">
            <dt>Fail-open</dt>
            <dd data-testid="evidence-fail-open">
              {analysis.fail_open.length === 0 ? 'none proved' : analysis.fail_open.join(', ')}
            </dd>
            <dt>Findings</dt>
            <dd>{plural(analysis.findings.length, 'finding')}</dd>
            <dt>Access changed</dt>
            <dd data-testid="evidence-access-changed">
              {analysis.touched.length === 0
                ? 'no agent'
                : analysis.touched.map((t) => `${t.agent} (${t.tier})`).join(', ')}
            </dd>
          </dl>
        </>
      )}
    </section>
  );
}
