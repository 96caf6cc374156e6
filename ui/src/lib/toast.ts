// Toasts: short notices about an action that finished or failed, shown in one live region
// (components/Toast.tsx) at the window's corner. `useToast()` is the one way to raise them.
//
// When to use which (for every page):
// - a failed *action* that has no place of its own on the page — the palette's actions,
//   opening a workspace, a background save — `toast.error(e)`: the core's message, code and
//   help stay until dismissed;
// - an error about what a page shows (it could not load, a form's fields are wrong) stays a
//   banner or an inline message beside it (`ErrorBanner`), where the user fixes it;
// - a quiet confirmation (`Validated: 11 policies`) — `toast.info(…)`: gone after a few
//   seconds, and never the only place a result is kept.
import { createContext, useContext } from 'react';
import type { ApiError } from '../bindings/ApiError';
import { toApiError } from '../backend';

export type ToastKind = 'error' | 'info';

export interface ToastLink {
  label: string;
  href: string;
}

export interface Toast {
  id: number;
  kind: ToastKind;
  /** Short: what happened (`Not a Mandate workspace`, `Validated`). */
  title: string;
  message: string;
  /** The core's error, for error toasts: its code and help are shown. */
  error?: ApiError;
  link?: ToastLink;
}

export interface ToastApi {
  /**
   * Shows a failed action until dismissed: anything a rejected backend call produced (an
   * `ApiError` or not; `toApiError` makes it one). `title` overrides the code's title. A
   * `cancelled` error is the user's own doing and shows as an info toast.
   */
  error(e: unknown, options?: { title?: string; link?: ToastLink }): number;
  /** Shows a notice that goes away by itself after `INFO_MS`. */
  info(message: string, options?: { title?: string; link?: ToastLink }): number;
  dismiss(id: number): void;
}

/** How long an info toast stays. */
export const INFO_MS = 6_000;
/** At most this many toasts at once; the oldest info toast (else the oldest) makes room. */
export const MAX_TOASTS = 4;

export const ToastContext = createContext<ToastApi | null>(null);

export function useToast(): ToastApi {
  const api = useContext(ToastContext);
  if (api === null) throw new Error('useToast() called outside <ToastProvider>');
  return api;
}

/** `list` with `next` added, trimmed to `MAX_TOASTS` (info toasts leave first). */
export function pushToast(list: readonly Toast[], next: Toast, max = MAX_TOASTS): Toast[] {
  const out = [...list, next];
  while (out.length > max) {
    const info = out.findIndex((t) => t.kind === 'info' && t !== next);
    out.splice(info >= 0 ? info : 0, 1);
  }
  return out;
}

/** The toast for a failed action (see `ToastApi.error`). */
export function errorToast(id: number, e: unknown, title: string, link?: ToastLink): Toast {
  const error = toApiError(e);
  return { id, kind: error.code === 'cancelled' ? 'info' : 'error', title, message: error.message, error, link };
}
