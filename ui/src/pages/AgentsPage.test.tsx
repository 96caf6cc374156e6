import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '../bindings/Agent';
import { agent, agentRevision, diagnostic, FakeBackend, finding, insightFindings, inventoryView, taskStep } from '../test/fakeBackend';
import { renderWithBackend } from '../test/render';
import { AgentsPage } from './AgentsPage';

// jsdom has no layout: give elements a size so the virtualized table renders its rows.
const sizes = ['clientHeight', 'clientWidth'] as const;
const saved = sizes.map((k) => Object.getOwnPropertyDescriptor(HTMLElement.prototype, k));
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
});
afterAll(() => {
  sizes.forEach((k, i) => {
    const d = saved[i];
    if (d) Object.defineProperty(HTMLElement.prototype, k, d);
    else delete (HTMLElement.prototype as unknown as Record<string, unknown>)[k];
  });
});

const AGENTS: Agent[] = [
  agent({ id: 'billing-bot', name: 'Billing refunds agent', risk_tier: 'high', lifecycle: 'active' }),
  agent({
    id: 'support-triage',
    name: 'Support triage',
    purpose: 'Routes tickets',
    owner_team: 'support',
    accountable: null,
    risk_tier: 'medium',
    lifecycle: 'draft',
    approved_by: null,
    approved_on: null,
  }),
  agent({ id: 'code-reviewer', name: 'Code reviewer', risk_tier: 'low', lifecycle: 'approved', accountable: 'max' }),
];

let backend: FakeBackend;
beforeEach(() => {
  backend = new FakeBackend();
  backend.inventoryView = inventoryView({
    agents: AGENTS,
    findings: [
      finding({
        subject: 'agent:support-triage',
        code: 'accountable.missing',
        message: 'agent `support-triage` has no accountable human',
        field: 'accountable',
      }),
      finding({
        subject: 'agent:code-reviewer',
        code: 'accountable.departed',
        severity: 'warning',
        message: '`max` has left',
        field: 'accountable',
      }),
      finding({ subject: 'human:max', code: 'accountable.departed', severity: 'warning', message: 'max departed' }),
    ],
  });
});

async function renderPage() {
  const view = renderWithBackend(backend, <AgentsPage />);
  await screen.findAllByTestId('agent-row');
  return view;
}

const rowIds = () => screen.getAllByTestId('agent-row').map((r) => r.dataset.id);

async function openAgent(id: string) {
  await renderPage();
  fireEvent.click(screen.getAllByTestId('agent-row').find((r) => r.dataset.id === id)!);
  return screen.getByTestId('agent-detail');
}

describe('table', () => {
  it('lists every agent with coloured tier and lifecycle badges and the count', async () => {
    await renderPage();
    expect(rowIds()).toEqual(['billing-bot', 'code-reviewer', 'support-triage']);
    expect(screen.getByTestId('agents-count').textContent).toBe('3 of 3 agents');
    const billing = screen.getAllByTestId('agent-row')[0]!;
    expect(billing.querySelector('.tier-high')?.textContent).toBe('high');
    expect(billing.querySelector('.lifecycle-active')?.textContent).toBe('Active');
    const triage = screen.getAllByTestId('agent-row')[2]!;
    expect(within(triage).getByTestId('agent-gaps').textContent).toBe('1');
    expect(triage.textContent).toContain('none');
    expect(screen.getByTestId('page-acting').textContent).toBe('dana@acme.example');
  });

  it('filters by text, tier, lifecycle, team and gaps and says how many match', async () => {
    await renderPage();
    fireEvent.change(screen.getByTestId('agents-filter-text'), { target: { value: 'routes' } });
    await waitFor(() => expect(rowIds()).toEqual(['support-triage']));
    expect(screen.getByTestId('agents-count').textContent).toBe('1 of 3 agents');
    fireEvent.click(screen.getByTestId('agents-filter-clear'));
    fireEvent.change(screen.getByTestId('agents-filter-tier'), { target: { value: 'low' } });
    await waitFor(() => expect(rowIds()).toEqual(['code-reviewer']));
    fireEvent.change(screen.getByTestId('agents-filter-tier'), { target: { value: '' } });
    fireEvent.change(screen.getByTestId('agents-filter-team'), { target: { value: 'billing' } });
    fireEvent.click(screen.getByTestId('agents-filter-gaps'));
    await waitFor(() => expect(rowIds()).toEqual(['code-reviewer']));
    fireEvent.change(screen.getByTestId('agents-filter-lifecycle'), { target: { value: 'active' } });
    expect(await screen.findByTestId('agents-empty')).toBeTruthy();
    expect(screen.getByTestId('agents-count').textContent).toBe('0 of 3 agents');
  });

  it('sorts by a column and reports it with aria-sort', async () => {
    await renderPage();
    const header = screen.getByTestId('agents-sort-tier');
    expect(header.getAttribute('aria-sort')).toBe('none');
    expect(screen.getByTestId('agents-sort-id').getAttribute('aria-sort')).toBe('ascending');
    fireEvent.click(within(header).getByRole('button'));
    expect(header.getAttribute('aria-sort')).toBe('descending');
    expect(screen.getByTestId('agents-sort-id').getAttribute('aria-sort')).toBe('none');
    expect(rowIds()).toEqual(['billing-bot', 'support-triage', 'code-reviewer']);
    fireEvent.click(within(header).getByRole('button'));
    expect(header.getAttribute('aria-sort')).toBe('ascending');
    expect(rowIds()).toEqual(['code-reviewer', 'support-triage', 'billing-bot']);
    fireEvent.click(within(screen.getByTestId('agents-sort-gaps')).getByRole('button'));
    expect(rowIds()).toEqual(['support-triage', 'code-reviewer', 'billing-bot']);
  });

  it('moves between rows with the arrow keys and opens one with Enter', async () => {
    await renderPage();
    const rows = screen.getAllByTestId('agent-row');
    expect(rows.map((r) => r.tabIndex)).toEqual([0, -1, -1]);
    rows[0]!.focus();
    fireEvent.keyDown(rows[0]!, { key: 'ArrowDown' });
    await waitFor(() => expect(document.activeElement?.getAttribute('data-id')).toBe('code-reviewer'));
    fireEvent.keyDown(document.activeElement!, { key: 'End' });
    await waitFor(() => expect(document.activeElement?.getAttribute('data-id')).toBe('support-triage'));
    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect(screen.getByTestId('agent-detail').dataset.id).toBe('support-triage');
    expect(screen.getAllByTestId('agent-row')[2]!.getAttribute('aria-current')).toBe('true');
  });

  it('renders only the rows in view for a large inventory', async () => {
    backend.inventoryView = inventoryView({
      agents: Array.from({ length: 10_000 }, (_, i) => agent({ id: `agent-${String(i).padStart(5, '0')}` })),
    });
    await renderPage();
    expect(screen.getByTestId('agents-count').textContent).toBe('10000 of 10000 agents');
    const rendered = screen.getAllByTestId('agent-row').length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
  });
});

describe('detail panel', () => {
  it('opens on row click with RACI, approval and the agent’s own findings; Escape closes it', async () => {
    const detail = await openAgent('code-reviewer');
    expect(detail.dataset.id).toBe('code-reviewer');
    expect(within(detail).getByTestId('raci-responsible').textContent).toContain('Billing');
    const accountable = within(detail).getByTestId('raci-accountable');
    expect(accountable.dataset.status).toBe('departed');
    expect(accountable.textContent).toContain('Max Weber');
    expect(accountable.textContent).toContain('max@acme.example');
    expect(within(detail).getByTestId('raci-consulted').textContent).toContain('Lee Park');
    expect(within(detail).getByTestId('raci-approval').textContent).toContain('2026-01-10');
    expect(within(detail).getAllByTestId('agent-finding').map((f) => f.dataset.code)).toEqual(['accountable.departed']);
    // Lifecycle and approval are not editable inputs.
    expect(within(detail).getByTestId('agent-field-lifecycle').tagName).not.toBe('INPUT');
    expect(within(detail).queryByTestId('agent-field-id')).toBeNull();
    expect(within(detail).getByTestId<HTMLSelectElement>('agent-field-accountable').value).toBe('max');
    expect(
      within(within(detail).getByTestId('agent-field-accountable')).getByRole('option', { name: /Max Weber \(max\) — departed/ }),
    ).toBeTruthy();
    expect(within(detail).getByLabelText('Accountable human')).toBe(within(detail).getByTestId('agent-field-accountable'));

    fireEvent.keyDown(document, { key: 'Escape' });
    expect(screen.queryByTestId('agent-detail')).toBeNull();
  });

  it('shows the agent’s recent traffic and findings from the newest request set', async () => {
    backend.agentInsightsAnswer = (id) => ({
      set: 'traffic',
      activity: {
        agent: id,
        team: 'billing',
        lifecycle: 'active',
        requests: 180,
        denies: 20,
        first_seen: '2026-11-01T00:05:00Z',
        last_seen: '2026-11-06T10:00:00Z',
        resources: 12,
      },
      // Worst first on the page, whatever order the core sends.
      findings: insightFindings()
        .filter((f) => f.agent === id)
        .reverse(),
      recent: [taskStep({ agent: id, current: 'deny', current_reasons: [] }), taskStep({ agent: id, id: 'req-2' })],
    });
    const detail = await openAgent('billing-bot');
    const traffic = await within(detail).findByTestId('agent-traffic-activity');
    expect(backend.calls.agentInsights).toEqual(['billing-bot']);
    expect(traffic.textContent).toContain('180 · 20 denied');
    expect(traffic.textContent).toContain('12 distinct');
    expect(within(detail).getAllByTestId('agent-traffic-finding').map((f) => [f.dataset.code, f.dataset.count])).toEqual([
      ['scope.tool', '1'],
      ['credential.ttl_over_ceiling', '1'],
    ]);
    const steps = within(detail).getAllByTestId('agent-traffic-step');
    expect(steps).toHaveLength(2);
    expect(steps[0]!.className).toContain('step-decision');
    expect(within(detail).getByRole('link', { name: /Open Insights/ }).getAttribute('href')).toBe('#/insights');
  });

  it('groups many task findings of one code into one line naming the tasks', async () => {
    const chain = insightFindings().find((f) => f.code === 'chain.environments')!;
    backend.agentInsightsAnswer = () => ({
      set: 'traffic',
      activity: null,
      findings: ['task-1', 'task-2', 'task-3', 'task-4', 'task-5', 'task-6', 'task-7', 'task-8'].map((task) => ({
        ...chain,
        subject: task,
      })),
      recent: [],
    });
    const detail = await openAgent('billing-bot');
    const rows = await within(detail).findAllByTestId('agent-traffic-finding');
    expect(rows.map((r) => [r.dataset.code, r.dataset.count])).toEqual([['chain.environments', '8']]);
    expect(rows[0]!.textContent).toContain('chain.environments in 8 tasks');
    expect(rows[0]!.textContent).toContain('task-1, task-2, task-3, task-4, task-5, task-6 and 2 more');
  });

  it('says nothing about traffic when none was imported, and one line when the agent made none', async () => {
    const detail = await openAgent('billing-bot');
    await waitFor(() => expect(backend.calls.agentInsights).toEqual(['billing-bot']));
    expect(within(detail).queryByTestId('agent-traffic')).toBeNull();

    backend.agentInsightsAnswer = () => ({ set: 'traffic', activity: null, findings: [], recent: [] });
    fireEvent.click(screen.getAllByTestId('agent-row').find((r) => r.dataset.id === 'code-reviewer')!);
    expect((await screen.findByTestId('agent-traffic-none')).textContent).toBe('No request from this agent in set traffic.');
  });

  it('shows a field diagnostic from validateAgentDraft under its field and disables Save', async () => {
    backend.draftDiagnostics = (a) =>
      a.spiffe_id && !a.spiffe_id.startsWith('spiffe://')
        ? [
            diagnostic({
              file: 'inventory/agents/billing-bot.toml',
              field: 'spiffe_id',
              message: '`spiffe_id` must start with spiffe://',
              help: 'e.g. spiffe://acme.example/agents/billing-bot',
            }),
          ]
        : [];
    const detail = await openAgent('billing-bot');
    const save = within(detail).getByTestId<HTMLButtonElement>('agent-save');
    expect(save.disabled).toBe(true);

    fireEvent.change(within(detail).getByTestId('agent-field-spiffe_id'), { target: { value: 'acme/billing' } });
    const error = await within(detail).findByTestId('agent-error-spiffe_id');
    expect(error.textContent).toContain('`spiffe_id` must start with spiffe://');
    expect(error.closest('[data-field]')?.getAttribute('data-field')).toBe('spiffe_id');
    expect(within(detail).getByTestId('agent-field-spiffe_id').getAttribute('aria-invalid')).toBe('true');
    expect(save.disabled).toBe(true);
    expect(backend.calls.validateDraft.at(-1)).toMatchObject({ create: false, agent: { spiffe_id: 'acme/billing' } });

    fireEvent.change(within(detail).getByTestId('agent-field-spiffe_id'), {
      target: { value: 'spiffe://acme.example/agents/billing' },
    });
    await waitFor(() => expect(within(detail).queryByTestId('agent-error-spiffe_id')).toBeNull());
    expect(save.disabled).toBe(false);
    fireEvent.click(save);
    await waitFor(() => expect(backend.calls.save).toHaveLength(1));
    expect(backend.calls.save[0]).toMatchObject({
      create: false,
      agent: { id: 'billing-bot', spiffe_id: 'spiffe://acme.example/agents/billing', lifecycle: 'active', approved_by: 'lee' },
    });
    expect(await within(detail).findByText('Saved')).toBeTruthy();
  });

  it('debounces validation: a burst of typing is checked once', async () => {
    const detail = await openAgent('billing-bot');
    const name = within(detail).getByTestId('agent-field-name');
    for (const value of ['B', 'Bi', 'Bil', 'Bill']) fireEvent.change(name, { target: { value } });
    await waitFor(() => expect(backend.calls.validateDraft).toHaveLength(1));
    expect(backend.calls.validateDraft[0]?.agent.name).toBe('Bill');
  });

  it('shows inventory_invalid diagnostics from a rejected save beside their fields', async () => {
    backend.saveError = {
      code: 'inventory_invalid',
      message: 'agent `billing-bot` has 2 problem(s); nothing was saved',
      help: null,
      diagnostics: [
        diagnostic({ field: 'max_ttl_seconds', message: 'above the high-tier ceiling of 600 s' }),
        diagnostic({ field: null, message: 'the file would not parse' }),
      ],
    };
    const detail = await openAgent('billing-bot');
    fireEvent.change(within(detail).getByTestId('agent-field-max_ttl_seconds'), { target: { value: '3600' } });
    await waitFor(() => expect(within(detail).getByTestId<HTMLButtonElement>('agent-save').disabled).toBe(false));
    fireEvent.click(within(detail).getByTestId('agent-save'));
    expect((await within(detail).findByTestId('agent-error-max_ttl_seconds')).textContent).toContain('600 s');
    const general = within(detail).getByTestId('agent-general-problems');
    expect(general.textContent).toContain('nothing was saved');
    expect(general.textContent).toContain('the file would not parse');
    expect(within(detail).getByTestId<HTMLButtonElement>('agent-save').disabled).toBe(true);
  });

  it('rejects a non-numeric lifetime locally without sending it', async () => {
    const detail = await openAgent('billing-bot');
    fireEvent.change(within(detail).getByTestId('agent-field-max_ttl_seconds'), { target: { value: '1.5' } });
    expect(within(detail).getByTestId('agent-error-max_ttl_seconds').textContent).toMatch(/whole number/);
    expect(within(detail).getByTestId<HTMLButtonElement>('agent-save').disabled).toBe(true);
  });

  it('creates a new agent as a draft with sensible defaults', async () => {
    await renderPage();
    fireEvent.click(screen.getByTestId('agents-add'));
    const detail = screen.getByTestId('agent-detail');
    expect(detail.dataset.mode).toBe('create');
    expect(within(detail).getByTestId<HTMLSelectElement>('agent-field-risk_tier').value).toBe('low');
    expect(within(detail).getByTestId<HTMLSelectElement>('agent-field-environment').value).toBe('prod');
    expect(within(detail).getByTestId<HTMLInputElement>('agent-field-max_ttl_seconds').value).toBe('900');
    expect(within(detail).queryByTestId('lifecycle-approved')).toBeNull();

    fireEvent.change(within(detail).getByTestId('agent-field-id'), { target: { value: 'invoice-summariser' } });
    fireEvent.change(within(detail).getByTestId('agent-field-name'), { target: { value: 'Invoice summariser' } });
    fireEvent.change(within(detail).getByTestId('agent-field-owner_team'), { target: { value: 'billing' } });
    fireEvent.change(within(detail).getByTestId('agent-field-accountable'), { target: { value: 'lee' } });
    const tools = within(detail).getByTestId('agent-field-tools');
    fireEvent.focus(tools);
    fireEvent.change(tools, { target: { value: 'zend' } });
    fireEvent.keyDown(tools, { key: 'Enter' });
    fireEvent.click(within(detail).getByTestId('agent-step-up-write_data'));

    await waitFor(() => expect(backend.calls.validateDraft.at(-1)?.agent.step_up_actions).toEqual(['write_data']));
    expect(backend.calls.validateDraft.every((c) => c.create)).toBe(true);
    expect(within(detail).getByTestId<HTMLButtonElement>('agent-save').disabled).toBe(false);
    fireEvent.click(within(detail).getByTestId('agent-save'));
    await waitFor(() => expect(backend.calls.save).toHaveLength(1));
    expect(backend.calls.save[0]).toEqual({
      create: true,
      // A new agent's file must not exist yet.
      revision: 'absent',
      agent: {
        id: 'invoice-summariser',
        name: 'Invoice summariser',
        owner_team: 'billing',
        accountable: 'lee',
        risk_tier: 'low',
        environment: 'prod',
        lifecycle: 'draft',
        max_ttl_seconds: 900,
        attestation_required: false,
        tools: ['zendesk.ticket.update'],
        step_up_actions: ['write_data'],
      },
    });
    // The panel now shows the saved agent, and the table lists it.
    await waitFor(() => expect(screen.getByTestId('agent-detail').dataset.mode).toBe('edit'));
    expect(screen.getByTestId('agent-detail').dataset.id).toBe('invoice-summariser');
    expect(rowIds()).toContain('invoice-summariser');
  });
});

describe('lifecycle', () => {
  it('offers only the moves allowed from the current state', async () => {
    let detail = await openAgent('billing-bot');
    expect(within(detail).getByTestId('lifecycle-current').textContent).toBe('Active');
    expect(
      within(detail)
        .getAllByRole('button')
        .map((b) => b.dataset.testid)
        .filter((t) => t?.startsWith('lifecycle-')),
    ).toEqual(['lifecycle-suspended', 'lifecycle-retired']);
    fireEvent.click(within(detail).getByRole('button', { name: 'Close details' }));
    fireEvent.click(screen.getAllByTestId('agent-row').find((r) => r.dataset.id === 'support-triage')!);
    detail = screen.getByTestId('agent-detail');
    expect(within(detail).getByTestId('lifecycle-approved')).toBeTruthy();
    expect(within(detail).queryByTestId('lifecycle-active')).toBeNull();
    expect(within(detail).getByTestId('acting-identity').textContent).toContain('dana@acme.example');
  });

  it('asks for a reason, then calls agentLifecycle with it and shows the new state', async () => {
    const detail = await openAgent('billing-bot');
    fireEvent.click(within(detail).getByTestId('lifecycle-suspended'));
    const confirm = screen.getByTestId<HTMLButtonElement>('lifecycle-confirm');
    expect(confirm.disabled).toBe(true);
    expect(document.activeElement).toBe(screen.getByTestId('lifecycle-reason'));
    fireEvent.change(screen.getByTestId('lifecycle-reason'), { target: { value: '   ' } });
    expect(confirm.disabled).toBe(true);
    fireEvent.change(screen.getByTestId('lifecycle-reason'), { target: { value: ' incident INC-7 ' } });
    expect(confirm.disabled).toBe(false);
    fireEvent.click(confirm);
    await waitFor(() => expect(screen.queryByTestId('lifecycle-modal')).toBeNull());
    expect(backend.calls.lifecycle).toEqual([{ id: 'billing-bot', to: 'suspended', reason: 'incident INC-7' }]);
    await waitFor(() => expect(within(detail).getByTestId('lifecycle-current').textContent).toBe('Suspended'));
    expect(within(detail).getByTestId('lifecycle-active')).toBeTruthy();
  });

  it('shows a refusal with its message and help, and Escape closes only the modal', async () => {
    backend.lifecycleError = {
      code: 'lifecycle_refused',
      message: '`dana` is the accountable human of high agent `billing-bot` and cannot also approve it',
      help: 'a high or critical agent is approved by a second person: ask its sponsor',
      diagnostics: [],
    };
    const detail = await openAgent('billing-bot');
    fireEvent.click(within(detail).getByTestId('lifecycle-retired'));
    fireEvent.change(screen.getByTestId('lifecycle-reason'), { target: { value: 'done' } });
    fireEvent.click(screen.getByTestId('lifecycle-confirm'));
    const error = await screen.findByTestId('lifecycle-error');
    expect(error.dataset.code).toBe('lifecycle_refused');
    expect(screen.getByTestId('lifecycle-error-message').textContent).toContain('cannot also approve it');
    expect(screen.getByTestId('lifecycle-error-help').textContent).toContain('ask its sponsor');
    fireEvent.keyDown(screen.getByTestId('lifecycle-reason'), { key: 'Escape' });
    expect(screen.queryByTestId('lifecycle-modal')).toBeNull();
    expect(screen.getByTestId('agent-detail')).toBeTruthy();
  });
});

describe('live inventory', () => {
  it('refetches when inventory files change on disk, not for unrelated changes', async () => {
    await renderPage();
    expect(backend.calls.inventory).toBe(1);
    act(() => backend.emitChange([{ kind: 'schema_changed', path: 'schema.cedarschema' }]));
    await act(async () => {});
    expect(backend.calls.inventory).toBe(1);

    backend.inventoryView = { ...backend.inventoryView, agents: [...AGENTS, agent({ id: 'new-from-disk' })] };
    act(() => backend.emitChange([{ kind: 'inventory_changed', path: 'inventory/agents/new-from-disk.toml' }]));
    await waitFor(() => expect(rowIds()).toContain('new-from-disk'));
    expect(backend.calls.inventory).toBe(2);
    expect(screen.getByTestId('agents-updated')).toBeTruthy();
  });

  it('an open, untouched form follows an edit made on disk', async () => {
    const detail = await openAgent('billing-bot');
    backend.inventoryView = {
      ...backend.inventoryView,
      agents: backend.inventoryView.agents.map((a) => (a.id === 'billing-bot' ? { ...a, name: 'Renamed in vim' } : a)),
    };
    act(() => backend.emitChange([{ kind: 'inventory_changed', path: 'inventory/agents/billing-bot.toml' }]));
    await waitFor(() =>
      expect(within(detail).getByTestId<HTMLInputElement>('agent-field-name').value).toBe('Renamed in vim'),
    );
  });

  /** Edits billing-bot's file "outside the app": its revision changes with its content. */
  function editOnDisk(patch: Partial<Agent>): Agent {
    const theirs = { ...backend.inventoryView.agents.find((a) => a.id === 'billing-bot')!, ...patch };
    backend.inventoryView = {
      ...backend.inventoryView,
      agents: backend.inventoryView.agents.map((a) => (a.id === 'billing-bot' ? theirs : a)),
    };
    return theirs;
  }

  it('a save over a file changed on disk is refused: the conflict banner, nothing written, then an explicit overwrite', async () => {
    const detail = await openAgent('billing-bot');
    const opened = agentRevision(backend.inventoryView.agents.find((a) => a.id === 'billing-bot')!);
    fireEvent.change(within(detail).getByTestId('agent-field-name'), { target: { value: 'Mine' } });
    await waitFor(() => expect(within(detail).getByTestId<HTMLButtonElement>('agent-save').disabled).toBe(false));
    // Edited outside while the form is open; the watcher has not reported it yet.
    const theirs = editOnDisk({ purpose: 'Changed in vim' });
    fireEvent.click(within(detail).getByTestId('agent-save'));

    const banner = await within(detail).findByTestId('agent-conflict');
    expect(banner.dataset.refused).toBe('true');
    expect(banner.textContent).toContain('inventory/agents/billing-bot.toml');
    expect(within(detail).queryByTestId('error-banner')).toBeNull();
    expect(backend.calls.save.map((c) => c.revision)).toEqual([opened]);
    expect(backend.inventoryView.agents.find((a) => a.id === 'billing-bot')).toEqual(theirs);
    expect(within(detail).getByTestId<HTMLInputElement>('agent-field-name').value).toBe('Mine');

    // Their change, field by field (the page read the inventory again).
    fireEvent.click(within(detail).getByTestId('agent-show-theirs'));
    await waitFor(() =>
      expect(within(detail).getAllByTestId('agent-theirs-field').map((f) => f.dataset.field)).toEqual(['purpose']),
    );

    fireEvent.click(within(detail).getByTestId('agent-overwrite'));
    await waitFor(() => expect(within(detail).queryByTestId('agent-conflict')).toBeNull());
    expect(backend.calls.save.map((c) => c.revision)).toEqual([opened, agentRevision(theirs)]);
    expect(backend.inventoryView.agents.find((a) => a.id === 'billing-bot')?.name).toBe('Mine');
    expect(await within(detail).findByText('Saved')).toBeTruthy();
  });

  it('an edited form shows the conflict early when the watcher reports the change; reload takes theirs', async () => {
    const detail = await openAgent('billing-bot');
    fireEvent.change(within(detail).getByTestId('agent-field-name'), { target: { value: 'Mine' } });
    editOnDisk({ name: 'Renamed in vim' });
    act(() => backend.emitChange([{ kind: 'inventory_changed', path: 'inventory/agents/billing-bot.toml' }]));
    const banner = await within(detail).findByTestId('agent-conflict');
    expect(banner.dataset.refused).toBe('false');
    expect(within(detail).getByTestId<HTMLInputElement>('agent-field-name').value).toBe('Mine');
    fireEvent.click(within(detail).getByTestId('agent-reload'));
    expect(within(detail).getByTestId<HTMLInputElement>('agent-field-name').value).toBe('Renamed in vim');
    expect(within(detail).queryByTestId('agent-conflict')).toBeNull();
    expect(backend.calls.save).toEqual([]);
  });
});

describe('gaps', () => {
  it('groups findings by severity then subject', async () => {
    await renderPage();
    fireEvent.click(screen.getByTestId('agents-tab-gaps'));
    const panel = screen.getByTestId('gaps-panel');
    expect(within(panel).getAllByTestId('gaps-group').map((g) => g.dataset.severity)).toEqual(['error', 'warning']);
    expect(within(panel).getAllByTestId('finding').map((f) => [f.dataset.code, f.dataset.subject])).toEqual([
      ['accountable.missing', 'agent:support-triage'],
      ['accountable.departed', 'agent:code-reviewer'],
      ['accountable.departed', 'human:max'],
    ]);
    expect(within(panel).getAllByTestId('finding')[0]?.textContent).toContain('set `accountable` to a human id');
    expect(within(panel).queryByTestId('file-problems')).toBeNull();
  });

  it('opens the agent of a finding and focuses and highlights the field at fault', async () => {
    await renderPage();
    fireEvent.click(screen.getByTestId('agents-tab-gaps'));
    fireEvent.click(within(screen.getAllByTestId('finding')[0]!).getByRole('button'));
    const detail = screen.getByTestId('agent-detail');
    expect(detail.dataset.id).toBe('support-triage');
    const field = within(detail).getByTestId('agent-field-accountable');
    await waitFor(() => expect(document.activeElement).toBe(field));
    expect(field.dataset.highlighted).toBe('true');
    expect(field.closest('.field')?.classList.contains('field-highlight')).toBe(true);
    expect(within(detail).getByTestId('raci-accountable').dataset.status).toBe('missing');
  });

  it('lists inventory files that did not load, apart from the findings', async () => {
    backend.inventoryView = {
      ...backend.inventoryView,
      diagnostics: [
        diagnostic({
          file: 'inventory/agents/broken.toml',
          line: 3,
          code: 'inventory::parse',
          message: 'unknown field `owner`',
          help: 'did you mean `owner_team`?',
        }),
      ],
    };
    await renderPage();
    expect(screen.getByTestId('agents-load-problems').textContent).toMatch(/1 inventory file did not load/);
    fireEvent.click(screen.getByTestId('agents-tab-gaps'));
    const problem = within(screen.getByTestId('file-problems')).getByTestId('file-problem');
    expect(problem.textContent).toContain('inventory/agents/broken.toml:3');
    expect(problem.textContent).toContain('unknown field `owner`');
    expect(problem.textContent).toContain('did you mean `owner_team`?');
  });
});
