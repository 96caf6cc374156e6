// The agent drawer's traffic section while the set's insights are computed: progress after a
// moment, Cancel, and loading again.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { deferred, FakeBackend } from '../../test/fakeBackend';
import { renderWithBackend } from '../../test/render';
import { AgentTraffic } from './AgentTraffic';

let backend: FakeBackend;
beforeEach(() => {
  backend = new FakeBackend();
});

describe('a slow load', () => {
  it('shows progress with Cancel, a cancelled notice, and loads again', async () => {
    const gate = deferred();
    backend.agentInsightsGate = gate.promise;
    renderWithBackend(backend, <AgentTraffic agent="billing-bot" />);
    // Quick loads stay quiet; this one shows its progress after a moment.
    expect(screen.queryByTestId('agent-traffic-progress')).toBeNull();
    const row = await screen.findByTestId('agent-traffic-progress');
    act(() => backend.emitOperationProgress({ operation: 'agent_insights', phase: 'Reading recorded requests', done: 4096, total: 8192 }));
    expect(within(row).getByTestId('agent-traffic-progress-text').textContent).toBe('Reading recorded requests: 4,096 of 8,192 (50%)');

    fireEvent.click(within(row).getByTestId('agent-traffic-progress-cancel'));
    expect(backend.calls.cancelInsights).toBe(1);
    const notice = await screen.findByTestId('agent-traffic-cancelled');
    expect(notice.textContent).toContain("Cancelled — reading the agent's traffic stopped");

    backend.agentInsightsGate = null;
    backend.agentInsightsAnswer = () => ({ set: 'traffic', activity: null, findings: [], recent: [] });
    fireEvent.click(within(notice).getByTestId('agent-traffic-cancelled-again'));
    await screen.findByTestId('agent-traffic-none');
    expect(backend.calls.agentInsights).toEqual(['billing-bot', 'billing-bot']);
  });

  it('cancels when the drawer closes', async () => {
    const gate = deferred();
    backend.agentInsightsGate = gate.promise;
    const { unmount } = renderWithBackend(backend, <AgentTraffic agent="billing-bot" />);
    await waitFor(() => expect(backend.calls.agentInsights).toHaveLength(1));
    unmount();
    expect(backend.calls.cancelInsights).toBe(1);
  });
});
