// The audit search as the fake backend plays it in tests: the core's rules (actor ignoring
// case, an action or `prefix*`, subject text ignoring case, since ≤ at < until, newest
// first by id, a cursor), over an in-memory log. Never used by the app itself.
import type { ApiError } from '../../bindings/ApiError';
import type { AuditEntry } from '../../bindings/AuditEntry';
import type { AuditFacets } from '../../bindings/AuditFacets';
import type { AuditListing } from '../../bindings/AuditListing';
import type { AuditQuery } from '../../bindings/AuditQuery';

export const EMPTY_QUERY: AuditQuery = { actor: null, action: null, subject: null, since: null, until: null, before: null, limit: null };

function bound(which: string, text: string | null): number | null {
  const t = text?.trim();
  if (!t) return null;
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) {
    const err: ApiError = {
      code: 'invalid_argument',
      message: `${which} \`${t}\` is not a time`,
      help: 'give an RFC 3339 time (`2026-05-01T09:30:00Z`), a date (`2026-05-01`, midnight UTC) or a span back from now (`7d`, `12h`, `30m`)',
      diagnostics: [],
    };
    throw err;
  }
  return ms;
}

/** The entries `query` matches, newest first, ignoring its cursor and limit. */
export function matching(log: AuditEntry[], query: AuditQuery): AuditEntry[] {
  const since = bound('since', query.since);
  const until = bound('until', query.until);
  const actor = query.actor?.trim().toLowerCase() || null;
  const action = query.action?.trim() || null;
  const subject = query.subject?.trim().toLowerCase() || null;
  return [...log]
    .sort((a, b) => b.id - a.id)
    .filter((e) => {
      if (actor && e.actor.toLowerCase() !== actor) return false;
      if (action) {
        if (action.endsWith('*') ? !e.action.startsWith(action.slice(0, -1)) : e.action !== action) return false;
      }
      if (subject && !e.subject.toLowerCase().includes(subject)) return false;
      const at = Date.parse(e.at);
      if (since !== null && at < since) return false;
      if (until !== null && at >= until) return false;
      return true;
    });
}

export function searchAudit(log: AuditEntry[], query: AuditQuery): AuditListing {
  const all = matching(log, query);
  const limit = query.limit ?? 200;
  const from = query.before === null ? all : all.filter((e) => e.id < (query.before ?? 0));
  const entries = from.slice(0, limit);
  const next = from.length > limit ? (entries[entries.length - 1]?.id ?? null) : null;
  return { entries, total: all.length, next };
}

export function facetsOf(log: AuditEntry[]): AuditFacets {
  const sorted = (xs: string[]) => [...new Set(xs)].sort();
  return { actions: sorted(log.map((e) => e.action)), actors: sorted(log.map((e) => e.actor)) };
}

export function auditEntry(over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: 1,
    at: '2026-03-04T10:00:00.000Z',
    actor: 'dana@acme.example',
    action: 'agent.lifecycle',
    subject: 'agent:billing-bot',
    before: '{"lifecycle":"approved"}',
    after: '{"lifecycle":"active","reason":"go live"}',
    ...over,
  };
}
