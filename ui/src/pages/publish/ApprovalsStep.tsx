// Step 4 of the wizard: the approvals the bundle carries, each checked (who, when, the
// comment, and whether it counts or why not), how many the change needs, and approving it
// with a key on this machine. The core refuses an author approving their own bundle, an
// untrusted key and a second approval by the same person (`key_refused`): shown inline.
import { useId, useState, type FormEvent } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { BundleView } from '../../bindings/BundleView';
import type { Gate } from '../../bindings/Gate';
import type { KeysView } from '../../bindings/KeysView';
import { ErrorBanner } from '../../components/ErrorBanner';
import { defaultApprover, GATE_MARKS, gateState, keyLabel, shortId } from '../../lib/publish';
import { formatTimestamp } from '../../lib/time';
import { Ticked } from '../insights/FindingText';

export function ApprovalsStep({
  bundle,
  keys,
  gate,
  approving,
  error,
  onApprove,
  onDismissError,
}: {
  bundle: BundleView;
  keys: KeysView | null;
  /** The approvals gate from the newest gate report, when there is one. */
  gate: Gate | null;
  approving: boolean;
  error: ApiError | null;
  onApprove: (key: string, comment: string) => void;
  onDismissError: () => void;
}) {
  const uid = useId();
  const [key, setKey] = useState(() => defaultApprover(bundle, keys));
  const [comment, setComment] = useState('');
  const approvals = bundle.verification.approvals;
  const required = bundle.required_approvals;
  const valid = bundle.verification.valid_approvals;
  const chosen = key || (keys?.local[0]?.id ?? '');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!approving && chosen) onApprove(chosen, comment.trim());
  };

  return (
    <div className="pub-step-body" data-testid="step-approvals">
      <p className="pub-approvals-count" data-testid="approvals-count" data-valid={valid} data-required={required}>
        <strong>
          {valid} of {required}
        </strong>{' '}
        required approval{required === 1 ? '' : 's'}
        {bundle.scope && (
          <span className="muted">
            {' '}
            — <Ticked text={bundle.scope.reason} />
          </span>
        )}
      </p>
      {gate && (
        <p className={`pub-gate-inline pub-gate-${gateState(gate)}`} data-testid="approvals-gate" data-passed={gate.passed}>
          <span aria-hidden="true">{GATE_MARKS[gateState(gate)]}</span> {gate.title}: <Ticked text={gate.detail} />
        </p>
      )}

      {approvals.length === 0 ? (
        <p className="muted" data-testid="approvals-empty">
          No approvals yet. Another trusted key holder than the author approves: the two-person rule.
        </p>
      ) : (
        <table className="table pub-approvals" data-testid="approvals">
          <thead>
            <tr>
              <th scope="col">Approved by</th>
              <th scope="col">When</th>
              <th scope="col">Comment</th>
              <th scope="col">Counts</th>
            </tr>
          </thead>
          <tbody>
            {approvals.map((a, i) => (
              <tr key={`${a.key}-${i}`} data-testid="approval" data-signer={a.signer} data-valid={a.valid}>
                <td>
                  {a.signer || <span className="muted">unknown</span>} <code className="small">{shortId(a.key)}</code>
                </td>
                <td className="nowrap">{formatTimestamp(a.at)}</td>
                <td>{a.comment || <span className="muted">—</span>}</td>
                <td>{a.valid ? <span className="text-ok">✓ valid</span> : <span className="text-error">✗ <Ticked text={a.problem ?? 'does not count'} /></span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <form className="pub-approve-form" onSubmit={submit} aria-label="Approve the bundle" noValidate>
        <div className="field">
          <label className="field-label" htmlFor={`${uid}-key`}>
            Approve as
          </label>
          <select
            id={`${uid}-key`}
            className="input"
            value={chosen}
            onChange={(e) => setKey(e.target.value)}
            disabled={approving || !keys || keys.local.length === 0}
            data-testid="approve-key"
          >
            {keys?.local.length === 0 && <option value="">No key on this machine</option>}
            {keys?.local.map((k) => (
              <option key={k.id} value={k.id}>
                {keyLabel(k, keys)}
                {k.id === bundle.manifest.author.key ? ' — the author' : ''}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${uid}-comment`}>
            Comment
          </label>
          <input
            id={`${uid}-comment`}
            className="input"
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            placeholder="What you checked"
            disabled={approving}
            data-testid="approve-comment"
          />
        </div>
        <div className="pub-approve-actions">
          <button type="submit" className="btn btn-primary" disabled={approving || !chosen} data-testid="approve-submit">
            {approving ? 'Approving…' : 'Approve'}
          </button>
        </div>
      </form>
      {error &&
        (error.code === 'key_refused' ? (
          <div className="inline-error" role="alert" data-testid="approve-error" data-code={error.code}>
            <p className="inline-error-title">Approval refused</p>
            <p data-testid="approve-error-message">
              <Ticked text={error.message} />
            </p>
            {error.help && (
              <p className="muted">
                <Ticked text={error.help} />
              </p>
            )}
          </div>
        ) : (
          <ErrorBanner error={error} onDismiss={onDismissError} />
        ))}
    </div>
  );
}
