// Asks why an agent moves to another lifecycle state, then asks the core to move it.
// The core checks the guards (self-approval, identity, approval); a refusal is shown here
// with its message and help, and the dialog stays open so the user can act on it.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { Agent } from '../../bindings/Agent';
import type { ApiError } from '../../bindings/ApiError';
import type { Lifecycle } from '../../bindings/Lifecycle';
import { toApiError, useBackend } from '../../backend';
import { LifecycleBadge } from '../../components/AgentBadges';
import { hintFor, titleFor } from '../../lib/errorHints';
import { LIFECYCLE_ACTIONS } from '../../lib/agents';

export function LifecycleModal({
  agent,
  to,
  acting,
  onCancel,
  onDone,
}: {
  agent: Agent;
  to: Lifecycle;
  acting: string | null;
  onCancel: () => void;
  onDone: (updated: Agent) => void;
}) {
  const backend = useBackend();
  const titleId = useId();
  const reasonId = useId();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    // Focus the reason; give focus back to whatever opened the dialog when it closes.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    textarea.current?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const confirm = async () => {
    const why = reason.trim();
    if (why === '' || busy) return;
    setBusy(true);
    setError(null);
    try {
      const updated = await backend.agentLifecycle(agent.id, to, why);
      onDone(updated);
    } catch (e) {
      setError(toApiError(e));
      setBusy(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      if (!busy) onCancel();
    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void confirm();
    } else if (e.key === 'Tab') {
      // Keep focus inside the dialog.
      const focusable = dialog.current?.querySelectorAll<HTMLElement>(
        'textarea, button:not([disabled]), [href], input, select',
      );
      if (!focusable || focusable.length === 0) return;
      const first = focusable[0]!;
      const last = focusable[focusable.length - 1]!;
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  };

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !busy && onCancel()}>
      <div
        ref={dialog}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid="lifecycle-modal"
        onKeyDown={onKeyDown}
      >
        <h2 id={titleId}>
          {LIFECYCLE_ACTIONS[to]} <code>{agent.id}</code>
        </h2>
        <p className="modal-move">
          <LifecycleBadge lifecycle={agent.lifecycle} />
          <span aria-hidden="true">→</span>
          <span className="visually-hidden">to</span>
          <LifecycleBadge lifecycle={to} />
        </p>
        <label htmlFor={reasonId} className="field-label">
          Reason <span className="muted">(kept in the audit log)</span>
        </label>
        <textarea
          id={reasonId}
          ref={textarea}
          className="input textarea"
          data-testid="lifecycle-reason"
          rows={3}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder={to === 'approved' ? 'e.g. security review passed, ticket SEC-142' : 'Why this change?'}
          aria-required="true"
        />
        {acting && (
          <p className="muted small" data-testid="lifecycle-acting">
            Recorded as <strong>{acting}</strong>.
          </p>
        )}
        {error && (
          <div className="inline-error" role="alert" data-testid="lifecycle-error" data-code={error.code}>
            <p className="inline-error-title">{titleFor(error.code)}</p>
            <p data-testid="lifecycle-error-message">{error.message}</p>
            {error.help && (
              <p className="muted" data-testid="lifecycle-error-help">
                {error.help}
              </p>
            )}
            {!error.help && hintFor(error.code) && <p className="muted">{hintFor(error.code)}</p>}
          </div>
        )}
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onCancel} disabled={busy} data-testid="lifecycle-cancel">
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => void confirm()}
            disabled={reason.trim() === '' || busy}
            data-testid="lifecycle-confirm"
          >
            {busy ? 'Working…' : LIFECYCLE_ACTIONS[to]}
          </button>
        </div>
      </div>
    </div>
  );
}
