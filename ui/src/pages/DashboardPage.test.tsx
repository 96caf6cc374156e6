import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, expect, it } from 'vitest';
import type { ApiError } from '../bindings/ApiError';
import { agent, deferred, diagnostic, FakeBackend, finding, inventoryView, policyFile, report, workspace } from '../test/fakeBackend';
import { renderWithBackend } from '../test/render';
import { DashboardPage } from './DashboardPage';
import { dashboardReplay, dashboardReviews, noTraffic } from './dashboard/fixtures';

let backend: FakeBackend;
beforeEach(() => {
  backend = new FakeBackend();
  backend.inventoryView = inventoryView({
    agents: [
      agent({ id: 'a', risk_tier: 'critical', lifecycle: 'active' }),
      agent({ id: 'b', risk_tier: 'low', lifecycle: 'draft' }),
      agent({ id: 'c', risk_tier: 'low', lifecycle: 'draft' }),
    ],
    findings: [
      finding({ subject: 'agent:b' }),
      finding({ subject: 'agent:b', severity: 'warning', code: 'escalation.missing' }),
      finding({ subject: 'agent:c', severity: 'warning', code: 'recertification.overdue' }),
    ],
  });
});

const card = (id: string) => screen.getByTestId(`dashboard-${id}`);
const link = (id: string) => screen.getByTestId(`dashboard-${id}-link`);

it('shows agents by tier and lifecycle and the accountability gaps, linking to the Gaps tab', async () => {
  renderWithBackend(backend, <DashboardPage workspace={workspace()} />);
  const agents = await screen.findByTestId('dashboard-agents');
  await waitFor(() => expect(within(agents).getByTestId('dashboard-agent-count').textContent).toBe('3'));
  const tiers = within(agents).getByTestId('dashboard-by-tier');
  expect(tiers.querySelector('[data-tier="low"]')?.textContent).toContain('2');
  expect(tiers.querySelector('[data-tier="critical"]')?.textContent).toContain('1');
  expect(tiers.querySelector('[data-tier="high"]')?.textContent).toContain('0');
  const lifecycles = within(agents).getByTestId('dashboard-by-lifecycle');
  expect(lifecycles.querySelector('[data-lifecycle="draft"]')?.textContent).toContain('2');
  expect(within(agents).getByTestId('dashboard-gap-errors').textContent).toBe('1 gap error');
  expect(within(agents).getByTestId('dashboard-gap-warnings').textContent).toBe('2 warnings');
  expect(agents.textContent).toContain('2 agents with accountability gaps');
  expect(link('agents').getAttribute('href')).toBe('#/agents/gaps');
});

it('updates when the inventory changes on disk and reports files that did not load', async () => {
  renderWithBackend(backend, <DashboardPage workspace={workspace()} />);
  await waitFor(() => expect(screen.getByTestId('dashboard-agent-count').textContent).toBe('3'));
  backend.inventoryView = inventoryView({ diagnostics: [diagnostic({ file: 'inventory/people.toml' })] });
  act(() => backend.emitChange([{ kind: 'inventory_changed', path: 'inventory/people.toml' }]));
  await waitFor(() => expect(screen.getByTestId('dashboard-agent-count').textContent).toBe('0'));
  expect(screen.getByTestId('dashboard-file-problems').textContent).toBe('1 file not loaded');
  expect(link('agents').getAttribute('href')).toBe('#/agents/gaps');
  expect(link('agents').textContent).toBe('Open the accountability view →');
});

it('links a failing validation to its first error, at its file and line', async () => {
  backend.report = report(
    [policyFile('policies/billing.cedar', ['permit-refunds', 'forbid-long-ttl'])],
    [
      diagnostic({ file: 'policies/billing.cedar', line: 12, message: 'unexpected token `permt`' }),
      diagnostic({ file: 'policies/tools.cedar', line: 3 }),
    ],
  );
  renderWithBackend(backend, <DashboardPage workspace={workspace()} />);
  await waitFor(() => expect(screen.getByTestId('dashboard-error-count').textContent).toBe('2 errors'));
  expect(screen.getByTestId('dashboard-policy-count').textContent).toBe('2');
  expect(screen.getByTestId('dashboard-first-error').textContent).toBe('policies/billing.cedar:12 unexpected token `permt`');
  expect(link('policies').getAttribute('href')).toBe('#/policies?file=policies%2Fbilling.cedar&line=12');
  expect(link('policies').textContent).toBe('Fix policies/billing.cedar:12 →');
});

it('shows every card with the core’s numbers and a link to the page that fixes it', async () => {
  renderWithBackend(backend, <DashboardPage workspace={workspace()} />);

  await waitFor(() => expect(within(card('traffic')).getByTestId('dashboard-traffic-findings').textContent).toBe('12'));
  expect(within(card('traffic')).getByTestId('dashboard-traffic-requests').textContent).toBe('50,000 requests by 26 agents in set traffic · 4,210 denied');
  const levels = within(card('traffic')).getByTestId('dashboard-traffic-levels');
  expect(levels.querySelector('[data-level="critical"]')?.textContent).toContain('1');
  expect(levels.querySelector('[data-level="medium"]')?.textContent).toContain('5');
  expect(card('traffic').textContent).toContain('shadow.unregistered');
  expect(link('traffic').getAttribute('href')).toBe('#/insights');
  expect(link('traffic').textContent).toBe('Review 12 findings in Insights →');

  await waitFor(() => expect(within(card('coverage')).getAllByTestId('dashboard-coverage-percent').map((e) => e.textContent)).toEqual(['70%', '12.5%']));
  expect(card('coverage').textContent).toContain('7 of 10 applicable items implemented');
  expect(link('coverage').getAttribute('href')).toBe('#/frameworks');
  expect(link('coverage').textContent).toBe('Close 41 coverage gaps in Frameworks →');

  await waitFor(() => expect(within(card('replay')).getByTestId('dashboard-replay-changed').textContent).toBe('312'));
  expect(card('replay').textContent).toContain('300 allow → deny');
  expect(within(card('replay')).getByTestId('dashboard-replay-sides').textContent).toContain('git:HEAD → working copy on traffic');
  expect(link('replay').getAttribute('href')).toBe('#/simulate/run-7');

  await waitFor(() => expect(within(card('reviews')).getByTestId('dashboard-waiting-count').textContent).toBe('2'));
  const open = within(card('reviews')).getByTestId('dashboard-open-reviews');
  expect(within(open).getByRole('link', { name: '2026-11-02-traffic' }).getAttribute('href')).toBe('#/simulate/run-7');
  expect(open.textContent).toContain('2 groups to acknowledge');
  expect(within(card('reviews')).getByTestId('dashboard-awaiting').textContent).toContain('0 of 2 approvals');
  expect(link('reviews').getAttribute('href')).toBe('#/simulate/run-7');

  await waitFor(() => expect(within(card('bundle')).getByTestId('dashboard-bundle-version').textContent).toBe('1.2.0'));
  expect(within(card('bundle')).getByTestId('dashboard-bundle-verified').textContent).toBe('verified');
  expect(within(card('bundle')).getByTestId('dashboard-bundle-published').textContent).toContain('by ben@acme.example');
  expect(link('bundle').getAttribute('href')).toBe('#/publish/history');
  expect(screen.getByTestId('dashboard-audit-link').getAttribute('href')).toBe('#/audit');
});

it('shows a slow card’s progress with Cancel while the others load, and asks coverage after traffic', async () => {
  const slow = deferred();
  backend.dashboardGates.traffic = slow.promise;
  renderWithBackend(backend, <DashboardPage workspace={workspace()} />);
  const progress = await screen.findByTestId('dashboard-traffic-progress');
  expect(card('traffic').getAttribute('aria-busy')).toBe('true');
  // The core's progress events of the insights analysis move the bar.
  act(() => backend.emitOperationProgress({ operation: 'insights', phase: 'Reading recorded requests', done: 4096, total: 50000 }));
  await waitFor(() => expect(within(progress).getByTestId('dashboard-traffic-progress-text').textContent).toContain('Reading recorded requests: 4,096 of 50,000'));
  // The quick cards are in while traffic still computes.
  await waitFor(() => expect(within(card('replay')).getByTestId('dashboard-replay-changed').textContent).toBe('312'));
  await waitFor(() => expect(within(card('bundle')).getByTestId('dashboard-bundle-version').textContent).toBe('1.2.0'));
  expect(screen.getByTestId('dashboard-coverage-computing')).toBeTruthy();
  expect(backend.calls.dashboard).not.toContain('coverage');

  act(() => slow.resolve());
  await waitFor(() => expect(within(card('traffic')).getByTestId('dashboard-traffic-findings').textContent).toBe('12'));
  await waitFor(() => expect(within(card('coverage')).getAllByTestId('dashboard-coverage-percent')).toHaveLength(2));
  expect(backend.calls.dashboard.filter((c) => c === 'coverage')).toHaveLength(1);
  expect(screen.queryByTestId('dashboard-traffic-progress')).toBeNull();
});

it('cancels a slow card and computes it again on request', async () => {
  backend.dashboardGates.traffic = deferred().promise;
  renderWithBackend(backend, <DashboardPage workspace={workspace()} />);
  fireEvent.click(await screen.findByTestId('dashboard-traffic-progress-cancel'));
  const notice = await screen.findByTestId('dashboard-traffic-cancelled');
  expect(backend.calls.cancelInsights).toBe(1);
  expect(notice.textContent).toContain('Cancelled — the traffic analysis stopped');
  expect(screen.queryByTestId('dashboard-traffic-error')).toBeNull();
  // Coverage does not wait for a cancelled traffic card.
  await waitFor(() => expect(within(card('coverage')).getAllByTestId('dashboard-coverage-percent')).toHaveLength(2));

  delete backend.dashboardGates.traffic;
  fireEvent.click(within(notice).getByTestId('dashboard-traffic-cancelled-again'));
  await waitFor(() => expect(within(card('traffic')).getByTestId('dashboard-traffic-findings').textContent).toBe('12'));
  expect(screen.queryByTestId('dashboard-traffic-cancelled')).toBeNull();
});

it("shows a card's error with the backend's message and help, and the others still work", async () => {
  const broken: ApiError = {
    code: 'inventory_invalid',
    message: 'the inventory has 1 problem(s)',
    help: 'fix them first (`mandate check`): insights join the traffic with the inventory',
    diagnostics: [diagnostic({ file: 'inventory/agents/x.toml', line: 4, message: 'unknown field `ownr`' })],
  };
  let failing = true;
  backend.dashboard.traffic = () => {
    if (failing) throw broken;
    return noTraffic();
  };
  renderWithBackend(backend, <DashboardPage workspace={workspace()} />);
  const error = await screen.findByTestId('dashboard-traffic-error');
  expect(error.getAttribute('data-code')).toBe('inventory_invalid');
  expect(error.textContent).toContain('the inventory has 1 problem(s)');
  expect(error.textContent).toContain('fix them first (`mandate check`)');
  expect(error.textContent).toContain('inventory/agents/x.toml:4 unknown field `ownr`');
  // Coverage still runs after a failed traffic card, and the rest is unaffected.
  await waitFor(() => expect(within(card('coverage')).getAllByTestId('dashboard-coverage-percent')).toHaveLength(2));
  await waitFor(() => expect(within(card('replay')).getByTestId('dashboard-replay-changed').textContent).toBe('312'));

  failing = false;
  fireEvent.click(within(error).getByRole('button', { name: 'Try again' }));
  expect(await screen.findByTestId('dashboard-traffic-empty')).toBeTruthy();
  expect(screen.queryByTestId('dashboard-traffic-error')).toBeNull();
});

it('says what to do next when there is nothing yet', async () => {
  backend.dashboard.traffic = () => noTraffic();
  backend.dashboard.replay = () => dashboardReplay({ run: null, has_traffic: false });
  backend.dashboard.reviews = () => dashboardReviews({ open: [], awaiting: [] });
  backend.dashboard.bundle = () => ({ last: null, published: 0 });
  renderWithBackend(backend, <DashboardPage workspace={workspace()} />);
  expect((await screen.findByTestId('dashboard-traffic-empty')).textContent).toBe(
    'No traffic imported yet — import recorded requests on Simulate to see what agents actually do.',
  );
  expect(link('traffic').getAttribute('href')).toBe('#/simulate');
  expect((await screen.findByTestId('dashboard-replay-empty')).textContent).toContain('No traffic imported yet');
  expect(link('replay').getAttribute('href')).toBe('#/simulate');
  expect((await screen.findByTestId('dashboard-reviews-empty')).textContent).toContain('Nothing waiting');
  expect(link('reviews').getAttribute('href')).toBe('#/simulate');
  expect((await screen.findByTestId('dashboard-bundle-empty')).textContent).toContain('No bundle published yet');
  expect(link('bundle').getAttribute('href')).toBe('#/publish');

  // Traffic imported, never replayed: the replay card says so differently.
  backend.dashboard.replay = () => dashboardReplay({ run: null, has_traffic: true });
  fireEvent.click(screen.getByTestId('dashboard-refresh'));
  await waitFor(() => expect(screen.getByTestId('dashboard-replay-empty').textContent).toContain('No replay yet'));
});

it('Refresh asks every card again', async () => {
  renderWithBackend(backend, <DashboardPage workspace={workspace()} />);
  await waitFor(() => expect(backend.calls.dashboard.filter((c) => c === 'coverage')).toHaveLength(1));
  const validations = backend.calls.validate;
  fireEvent.click(screen.getByTestId('dashboard-refresh'));
  await waitFor(() => expect(backend.calls.dashboard.filter((c) => c === 'coverage')).toHaveLength(2));
  for (const name of ['traffic', 'replay', 'reviews', 'bundle']) {
    expect(backend.calls.dashboard.filter((c) => c === name)).toHaveLength(2);
  }
  expect(backend.calls.validate).toBe(validations + 1);
});
