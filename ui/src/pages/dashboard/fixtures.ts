// Test data for the Dashboard's cards, shaped as the core's dashboard calls answer (the
// fake backend's defaults, and what the tests override). Never used by the app itself.
import type { DashboardBundle } from '../../bindings/DashboardBundle';
import type { DashboardCoverage } from '../../bindings/DashboardCoverage';
import type { DashboardReplay } from '../../bindings/DashboardReplay';
import type { DashboardReview } from '../../bindings/DashboardReview';
import type { DashboardReviews } from '../../bindings/DashboardReviews';
import type { DashboardRun } from '../../bindings/DashboardRun';
import type { DashboardTraffic } from '../../bindings/DashboardTraffic';
import type { DraftAwaiting } from '../../bindings/DraftAwaiting';
import type { BundleEntry } from '../../bindings/BundleEntry';

export function dashboardTraffic(over: Partial<DashboardTraffic> = {}): DashboardTraffic {
  return {
    set: 'traffic',
    requests: 50_000,
    denies: 4_210,
    agents: 26,
    tasks: 8_470,
    first_seen: '2026-10-01T00:00:00Z',
    last_seen: '2026-10-31T23:59:00Z',
    findings: 12,
    by_level: [
      { level: 'critical', findings: 1 },
      { level: 'high', findings: 4 },
      { level: 'medium', findings: 5 },
      { level: 'low', findings: 2 },
    ],
    top: [
      { code: 'shadow.unregistered', level: 'critical', findings: 1 },
      { code: 'scope.tool', level: 'high', findings: 3 },
      { code: 'credential.ttl_over_ceiling', level: 'high', findings: 1 },
    ],
    ...over,
  };
}

/** No traffic imported: the card's empty state. */
export function noTraffic(): DashboardTraffic {
  return dashboardTraffic({
    set: null,
    requests: 0,
    denies: 0,
    agents: 0,
    tasks: 0,
    first_seen: null,
    last_seen: null,
    findings: 0,
    by_level: [],
    top: [],
  });
}

export function dashboardCoverage(over: Partial<DashboardCoverage> = {}): DashboardCoverage {
  return {
    frameworks: [
      { id: 'owasp-agentic-top10-2026', short_title: 'OWASP Agentic Top 10', percent: 70, implemented: 7, partial: 2, applicable: 10 },
      { id: 'nist-ai-rmf-1.0', short_title: 'NIST AI RMF', percent: 12.5, implemented: 9, partial: 20, applicable: 72 },
    ],
    gaps: 41,
    traffic_set: 'traffic',
    ...over,
  };
}

export function dashboardRun(over: Partial<DashboardRun> = {}): DashboardRun {
  return {
    id: 7,
    set: 'traffic',
    baseline: 'git:HEAD',
    candidate: 'working copy',
    actor: 'dana@acme.example',
    started_at: '2026-11-02T10:00:00Z',
    completed_at: '2026-11-02T10:00:03Z',
    requests: 50_000,
    changed: 312,
    allow_to_deny: 300,
    deny_to_allow: 12,
    new_errors: 0,
    ...over,
  };
}

export function dashboardReplay(over: Partial<DashboardReplay> = {}): DashboardReplay {
  return { run: dashboardRun(), has_traffic: true, ...over };
}

export function dashboardReview(over: Partial<DashboardReview> = {}): DashboardReview {
  return {
    name: '2026-11-02-traffic',
    run_id: 7,
    set: 'traffic',
    changed: 312,
    unacknowledged: 2,
    opened_by: 'dana@acme.example',
    opened_at: '2026-11-02T10:05:00Z',
    stale: false,
    ...over,
  };
}

export function draftAwaiting(over: Partial<DraftAwaiting> = {}): DraftAwaiting {
  return {
    version: '1.3.0',
    path: '.mandate/drafts/1.3.0',
    author: 'dana@acme.example',
    created_at: '2026-11-02T11:00:00Z',
    signed: true,
    approvals: 0,
    required: 2,
    ...over,
  };
}

export function dashboardReviews(over: Partial<DashboardReviews> = {}): DashboardReviews {
  return { open: [dashboardReview()], awaiting: [draftAwaiting()], problems: [], ...over };
}

export function bundleEntry(over: Partial<BundleEntry> = {}): BundleEntry {
  return {
    version: '1.2.0',
    hash: 'sha256:4f1c0a9d',
    parent: 'sha256:0b8e77aa',
    created_at: '2026-10-30T09:00:00Z',
    author: 'dana@acme.example',
    summary: 'Tighten refunds',
    approvals: 2,
    required_approvals: 2,
    published_at: '2026-10-30T12:00:00Z',
    published_by: 'ben@acme.example',
    verified: true,
    problems: [],
    ...over,
  };
}

export function dashboardBundle(over: Partial<DashboardBundle> = {}): DashboardBundle {
  return { last: bundleEntry(), published: 3, ...over };
}
