import { act, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, expect, it } from 'vitest';
import { agent, diagnostic, FakeBackend, finding, inventoryView, workspace } from '../test/fakeBackend';
import { renderWithBackend } from '../test/render';
import { DashboardPage } from './DashboardPage';

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

it('shows agents by tier and lifecycle and the accountability gaps, linking to the Gaps tab', async () => {
  renderWithBackend(backend, <DashboardPage workspace={workspace()} />);
  const card = await screen.findByTestId('dashboard-agents');
  await waitFor(() => expect(within(card).getByTestId('dashboard-agent-count').textContent).toBe('3'));
  const tiers = within(card).getByTestId('dashboard-by-tier');
  expect(tiers.querySelector('[data-tier="low"]')?.textContent).toContain('2');
  expect(tiers.querySelector('[data-tier="critical"]')?.textContent).toContain('1');
  expect(tiers.querySelector('[data-tier="high"]')?.textContent).toContain('0');
  const lifecycles = within(card).getByTestId('dashboard-by-lifecycle');
  expect(lifecycles.querySelector('[data-lifecycle="draft"]')?.textContent).toContain('2');
  expect(within(card).getByTestId('dashboard-gap-errors').textContent).toBe('1 gap error');
  expect(within(card).getByTestId('dashboard-gap-warnings').textContent).toBe('2 warnings');
  expect(card.textContent).toContain('2 agents with accountability gaps');
  expect(within(card).getByTestId('dashboard-agents-link').getAttribute('href')).toBe('#/agents/gaps');
  expect(screen.queryByText('What is coming →', { selector: '[href="#/agents"]' })).toBeNull();
});

it('updates when the inventory changes on disk and reports files that did not load', async () => {
  renderWithBackend(backend, <DashboardPage workspace={workspace()} />);
  await waitFor(() => expect(screen.getByTestId('dashboard-agent-count').textContent).toBe('3'));
  backend.inventoryView = inventoryView({ diagnostics: [diagnostic({ file: 'inventory/people.toml' })] });
  act(() => backend.emitChange([{ kind: 'inventory_changed', path: 'inventory/people.toml' }]));
  await waitFor(() => expect(screen.getByTestId('dashboard-agent-count').textContent).toBe('0'));
  expect(screen.getByTestId('dashboard-file-problems').textContent).toBe('1 file not loaded');
});
