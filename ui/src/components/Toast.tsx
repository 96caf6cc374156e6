// The toast region: notices about finished or failed actions, raised with `useToast()`
// (lib/toast.ts says when to use a toast rather than a banner). One polite live region reads
// new toasts out; an error toast is an alert, shows the core's message, help and code, and
// stays until dismissed; an info toast leaves by itself.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { toApiError } from '../backend';
import { hintFor, titleFor } from '../lib/errorHints';
import { errorToast, INFO_MS, pushToast, ToastContext, type Toast, type ToastApi } from '../lib/toast';
import { Icon } from './Icon';
import './Toast.css';

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, number>());

  const dismiss = useCallback((id: number) => {
    const timer = timers.current.get(id);
    if (timer !== undefined) window.clearTimeout(timer);
    timers.current.delete(id);
    setToasts((list) => list.filter((t) => t.id !== id));
  }, []);

  const show = useCallback(
    (toast: Toast) => {
      setToasts((list) => pushToast(list, toast));
      if (toast.kind === 'info') timers.current.set(toast.id, window.setTimeout(() => dismiss(toast.id), INFO_MS));
      return toast.id;
    },
    [dismiss],
  );

  const api = useMemo<ToastApi>(
    () => ({
      error: (e, options) => {
        const code = toApiError(e).code;
        return show(errorToast(nextId.current++, e, options?.title ?? titleFor(code), options?.link));
      },
      info: (message, options) =>
        show({ id: nextId.current++, kind: 'info', title: options?.title ?? '', message, link: options?.link }),
      dismiss,
    }),
    [show, dismiss],
  );

  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const t of pending.values()) window.clearTimeout(t);
    };
  }, []);

  return (
    <ToastContext.Provider value={api}>
      {children}
      <Toaster toasts={toasts} onDismiss={dismiss} />
    </ToastContext.Provider>
  );
}

function Toaster({ toasts, onDismiss }: { toasts: Toast[]; onDismiss: (id: number) => void }) {
  return (
    <section className="toasts" aria-label="Notifications">
      {/* Not a list: each toast is a status or an alert, which a list item cannot be. */}
      <div className="toast-list" aria-live="polite" data-testid="toasts">
        {toasts.map((t) => (
          <ToastItem key={t.id} toast={t} onDismiss={() => onDismiss(t.id)} />
        ))}
      </div>
    </section>
  );
}

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: () => void }) {
  const { error } = toast;
  const hint = error ? hintFor(error.code) : null;
  return (
    <div
      className={`toast toast-${toast.kind}`}
      role={toast.kind === 'error' ? 'alert' : 'status'}
      data-testid="toast"
      data-kind={toast.kind}
      data-code={error?.code}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onDismiss();
        }
      }}
    >
      <div className="toast-body">
        {toast.title && <p className="toast-title">{toast.title}</p>}
        <p className="toast-message" data-testid="toast-message">
          {toast.message}
        </p>
        {error?.help && (
          <p className="toast-help" data-testid="toast-help">
            {error.help}
          </p>
        )}
        {hint && <p className="toast-hint">{hint}</p>}
        {error && error.diagnostics.length > 0 && (
          <p className="toast-hint">
            {error.diagnostics.length === 1 ? '1 problem' : `${error.diagnostics.length} problems`}: {error.diagnostics[0]?.message}
            {error.diagnostics.length > 1 && ' …'}
          </p>
        )}
        {((error && toast.kind === 'error') || toast.link) && (
          <p className="toast-meta">
            {error && toast.kind === 'error' && (
              <code className="toast-code" data-testid="toast-code">
                {error.code}
              </code>
            )}
            {toast.link && (
              <a href={toast.link.href} onClick={onDismiss} data-testid="toast-link">
                {toast.link.label}
              </a>
            )}
          </p>
        )}
      </div>
      <button type="button" className="btn-icon" onClick={onDismiss} aria-label="Dismiss notification" data-testid="toast-dismiss">
        <Icon name="close" />
      </button>
    </div>
  );
}
