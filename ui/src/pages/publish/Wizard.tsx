// The publish wizard: build a bundle (or open one built before), read its evidence, check
// the gates, collect approvals, sign and publish. Owns the bundle being worked on and its
// newest gate report, which is fetched again after every signature or approval, on
// Refresh, and when mandate.toml changes on disk (the gates read `[gates]` fresh). A build
// replays recorded traffic, runs the solver and computes coverage: it shows the core's
// progress with Cancel, and leaving the page cancels it (nothing is written).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { BundleEntry } from '../../bindings/BundleEntry';
import type { BundleView } from '../../bindings/BundleView';
import type { GateReport } from '../../bindings/GateReport';
import type { KeysView } from '../../bindings/KeysView';
import type { Published } from '../../bindings/Published';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { CancelledNotice, OperationProgressRow } from '../../components/OperationStatus';
import { Icon } from '../../components/Icon';
import { defaultAuthor, gateSummary, nextVersion } from '../../lib/publish';
import { useOperation } from '../../lib/useProgressEvents';
import { watchWorkspace } from '../../lib/watchWorkspace';
import { ApprovalsStep } from './ApprovalsStep';
import { BuildStep, EMPTY_BUILD_FORM, type BuildForm } from './BuildStep';
import { EvidenceStep } from './EvidenceStep';
import { GateList } from './GateList';
import { PublishStep } from './PublishStep';

const STEPS = ['build', 'evidence', 'gates', 'approvals', 'publish'] as const;
const GATES_OPS = ['bundle_gates'] as const;
type Step = (typeof STEPS)[number];
const STEP_LABELS: Record<Step, string> = {
  build: 'Build',
  evidence: 'Evidence',
  gates: 'Gates',
  approvals: 'Approvals',
  publish: 'Sign & publish',
};

/** A path typed relative to the workspace: the core resolves paths from its own folder. */
function inWorkspace(root: string, path: string): string {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) ? path : `${root.replace(/[\\/]$/, '')}/${path}`;
}

export function Wizard({
  root,
  keys,
  published,
  acting,
  onKeysChanged,
  onPublished,
}: {
  root: string;
  keys: KeysView | null;
  published: readonly BundleEntry[];
  acting: string;
  onKeysChanged: () => void;
  onPublished: () => void;
}) {
  const backend = useBackend();
  const [step, setStep] = useState<Step>('build');
  const [form, setForm] = useState<BuildForm>(EMPTY_BUILD_FORM);
  const [bundle, setBundle] = useState<BundleView | null>(null);
  const buildOp = useOperation('build');
  const building = buildOp.running;
  const [buildError, setBuildError] = useState<ApiError | null>(null);
  const [report, setReport] = useState<GateReport | null>(null);
  const gatesOp = useOperation('build');
  const { run: runGates } = gatesOp;
  const gatesLoading = gatesOp.running;
  const [gatesError, setGatesError] = useState<ApiError | null>(null);
  const [approving, setApproving] = useState(false);
  const [approveError, setApproveError] = useState<ApiError | null>(null);
  const [signing, setSigning] = useState(false);
  const [signError, setSignError] = useState<ApiError | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [publishError, setPublishError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<Published | null>(null);
  const gatesTicket = useRef(0);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  // The author key: the one chosen, else the acting person's own (no effect needed).
  const authorKey = form.key || (keys ? defaultAuthor(keys, acting) : '');
  const shownForm = authorKey === form.key ? form : { ...form, key: authorKey };

  /** Asks the core for every gate, with progress and Cancel; only the newest answer is shown. */
  const fetchGates = useCallback(
    (path: string) => {
      const mine = ++gatesTicket.current;
      void runGates(() => backend.bundleGates(path)).then((outcome) => {
        if (mine !== gatesTicket.current) return;
        if (outcome.kind === 'done') {
          setReport(outcome.value);
          setGatesError(null);
        } else if (outcome.kind === 'failed') {
          setGatesError(outcome.error);
        }
      });
    },
    [backend, runGates],
  );

  const path = bundle?.path ?? null;
  const done = result !== null;
  // `[gates]`, reviews and trusted keys live in files: check again when they change.
  useEffect(() => {
    if (path === null || done) return;
    return watchWorkspace(backend, () => fetchGates(path));
  }, [backend, path, done, fetchGates]);

  const show = (view: BundleView) => {
    setBundle(view);
    setReport(null);
    setResult(null);
    setApproveError(null);
    setSignError(null);
    setPublishError(null);
    setStep('evidence');
    fetchGates(view.path);
  };

  const build = async () => {
    setBuildError(null);
    const request = {
      version: form.version.trim() || null,
      summary: form.summary.trim(),
      out: null,
      key: authorKey || null,
      set: null,
      sign: true,
      accept_coverage_drop: form.acceptDrop.trim() || null,
      accept_more_permissive: form.acceptPermissive.trim() || undefined,
    };
    const outcome = await buildOp.run(() => backend.bundleBuild(request));
    if (outcome.kind === 'done') show(outcome.value);
    else if (outcome.kind === 'failed') setBuildError(outcome.error);
  };

  const open = async (typed: string) => {
    setBuildError(null);
    try {
      const view = await backend.bundleView(inWorkspace(root, typed));
      if (alive.current) show(view);
    } catch (e) {
      if (alive.current) setBuildError(toApiError(e));
    }
  };

  const approve = async (key: string, comment: string) => {
    if (!bundle) return;
    setApproving(true);
    setApproveError(null);
    try {
      const view = await backend.bundleApprove(bundle.path, key, comment);
      if (!alive.current) return;
      setBundle(view);
      fetchGates(view.path);
    } catch (e) {
      if (alive.current) setApproveError(toApiError(e));
    } finally {
      if (alive.current) setApproving(false);
    }
  };

  const sign = async () => {
    if (!bundle) return;
    setSigning(true);
    setSignError(null);
    try {
      const own = keys?.local.some((k) => k.id === bundle.manifest.author.key) ? bundle.manifest.author.key : null;
      const view = await backend.bundleSign(bundle.path, own);
      if (!alive.current) return;
      setBundle(view);
      fetchGates(view.path);
    } catch (e) {
      if (alive.current) setSignError(toApiError(e));
    } finally {
      if (alive.current) setSigning(false);
    }
  };

  const publish = async (to: string | null) => {
    if (!bundle) return;
    setPublishing(true);
    setPublishError(null);
    try {
      const p = await backend.bundlePublish(bundle.path, to);
      if (!alive.current) return;
      setResult(p);
      setReport((r) => (r ? { ...r, gates: p.gates, passed: true } : r));
      onPublished();
    } catch (e) {
      if (!alive.current) return;
      const err = toApiError(e);
      setPublishError(err);
      // The checklist shows what the core found when it refused.
      if (err.code === 'gate_failed') fetchGates(bundle.path);
    } finally {
      if (alive.current) setPublishing(false);
    }
  };

  const startOver = () => {
    gatesTicket.current++;
    gatesOp.cancel();
    setBundle(null);
    setReport(null);
    setResult(null);
    setPublishError(null);
    setForm(EMPTY_BUILD_FORM);
    setStep('build');
  };

  const index = STEPS.indexOf(step);
  const approvalsGate = report?.gates.find((g) => g.id === 'approvals') ?? null;

  const stepNote = (s: Step): string | null => {
    if (!bundle) return null;
    switch (s) {
      case 'build':
        return bundle.manifest.version;
      case 'gates':
        if (!report) return gatesLoading ? '…' : null;
        return report.passed ? 'all pass' : `${report.gates.filter((g) => !g.passed).length} failing`;
      case 'approvals':
        return `${bundle.verification.valid_approvals} of ${bundle.required_approvals}`;
      case 'publish':
        return result ? 'published' : null;
      default:
        return null;
    }
  };

  return (
    <div className="pub-wizard" data-testid="wizard" data-step={step}>
      <ol className="pub-steps" aria-label="Steps">
        {STEPS.map((s, i) => {
          const note = stepNote(s);
          const reachable = s === 'build' ? !result : bundle !== null;
          return (
            <li key={s} className={i < index ? 'pub-step-item pub-step-past' : 'pub-step-item'}>
              <button
                type="button"
                className="pub-step"
                aria-current={s === step ? 'step' : undefined}
                disabled={!reachable}
                onClick={() => setStep(s)}
                data-testid={`step-tab-${s}`}
              >
                <span className="pub-step-number" aria-hidden="true">
                  {i + 1}
                </span>
                <span className="pub-step-label">{STEP_LABELS[s]}</span>
                {note && <span className="pub-step-note">{note}</span>}
              </button>
            </li>
          );
        })}
      </ol>

      <div className="panel pub-panel">
        {/* The step's name as the heading its sections sit under (the list above shows it). */}
        <h2 className="visually-hidden">{`Step ${index + 1}: ${STEP_LABELS[step]}`}</h2>
        {step === 'build' && (
          <BuildStep
            form={shownForm}
            onForm={setForm}
            keys={keys}
            nextVersion={nextVersion(published)}
            acting={acting}
            building={building}
            cancelling={buildOp.cancelling}
            cancelled={buildOp.cancelled}
            onCancel={buildOp.cancel}
            error={buildError}
            onBuild={() => void build()}
            onKeysChanged={onKeysChanged}
            onOpen={(p) => void open(p)}
          />
        )}
        {step === 'evidence' && bundle && <EvidenceStep bundle={bundle} />}
        {step === 'gates' && bundle && (
          <div className="pub-step-body" data-testid="step-gates">
            <div className="pub-gates-head">
              <p data-testid="gates-summary" data-passed={report?.passed}>
                {report ? (
                  <>
                    <strong className={report.passed ? 'text-ok' : 'text-error'}>
                      {report.passed ? 'Ready to publish' : 'Not ready to publish'}
                    </strong>{' '}
                    <span className="muted">· {gateSummary(report.gates)}</span>
                  </>
                ) : (
                  <span className="muted">Checking the gates…</span>
                )}
              </p>
              {gatesLoading && report && (
                <span className="muted small" role="status" data-testid="gates-loading">
                  Checking…
                </span>
              )}
              <button type="button" className="btn btn-small" onClick={() => fetchGates(bundle.path)} disabled={gatesLoading} data-testid="gates-refresh">
                <Icon name="refresh" />
                Refresh
              </button>
            </div>
            {gatesLoading && (
              <OperationProgressRow
                label="Checking the gates"
                operations={GATES_OPS}
                fallback="Checking the gates: the bundle's files, a replay of recorded traffic, the solver…"
                cancelling={gatesOp.cancelling}
                onCancel={gatesOp.cancel}
                testId="gates-progress"
              />
            )}
            {gatesOp.cancelled && !gatesLoading && (
              <CancelledNotice what="checking the gates" again="Check again" onAgain={() => fetchGates(bundle.path)} testId="gates-cancelled" />
            )}
            {gatesError && <ErrorBanner error={gatesError} onDismiss={() => setGatesError(null)} />}
            {report && <GateList gates={report.gates} />}
          </div>
        )}
        {step === 'approvals' && bundle && (
          <ApprovalsStep
            key={bundle.path}
            bundle={bundle}
            keys={keys}
            gate={approvalsGate}
            approving={approving}
            error={approveError}
            onApprove={(k, c) => void approve(k, c)}
            onDismissError={() => setApproveError(null)}
          />
        )}
        {step === 'publish' && bundle && (
          <PublishStep
            bundle={bundle}
            report={report}
            signing={signing}
            signError={signError}
            onSign={() => void sign()}
            publishing={publishing}
            publishError={publishError}
            onPublish={(to) => void publish(to)}
            published={result}
            onShowGates={() => setStep('gates')}
            onStartOver={startOver}
          />
        )}

        {bundle && !result && (
          <div className="pub-nav">
            <button type="button" className="btn" onClick={() => setStep(STEPS[index - 1] ?? 'build')} disabled={index === 0} data-testid="step-back">
              Back
            </button>
            {index < STEPS.length - 1 && (
              <button type="button" className="btn" onClick={() => setStep(STEPS[index + 1] ?? 'publish')} data-testid="step-next">
                Next: {STEP_LABELS[STEPS[index + 1] ?? 'publish']}
              </button>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
