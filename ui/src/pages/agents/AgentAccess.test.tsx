import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiError } from '../../bindings/ApiError';
import { policyHref } from '../../lib/route';
import {
  accessChange,
  accessEntry,
  accessReview,
  agent,
  agentAccessReview,
  alertRouterEntries,
  deferred,
  FakeBackend,
  inventoryView,
  policyFile,
  report,
} from '../../test/fakeBackend';
import { renderWithBackend } from '../../test/render';
import { AgentsPage } from '../AgentsPage';
import { AgentAccess } from './AgentAccess';

// jsdom has no layout: give elements a size so the virtualized agents table renders its rows.
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

let backend: FakeBackend;
beforeEach(() => {
  backend = new FakeBackend();
  backend.report = report([
    policyFile('policies/delegation.cedar', ['permit-listed-delegates', 'no-delegation-upwards', 'delegation-depth-bound']),
    policyFile('policies/grants.cedar', ['grant-tool-group']),
    policyFile('policies/tools.cedar', ['permit-allowed-tools', 'step-up-for-sensitive-tools', 'environment-separation']),
  ]);
  backend.report.links = [{ id: 'grant-incident-commander-observability', template: 'grant-tool-group', line: 6 }];
});

/** The Access tab alone, for one agent; waits for the automatic first check. */
async function renderAccess(id = 'alert-router') {
  const view = renderWithBackend(backend, <AgentAccess agent={id} />);
  await screen.findByTestId('access-result');
  return view;
}

const rows = () => screen.getAllByTestId('access-row');
const rowFor = (resource: string) => {
  const found = rows().find((r) => r.dataset.resource === resource);
  if (!found) throw new Error(`no row ${resource}`);
  return found;
};

/** incident-commander on the demo: a delegate, a grant with `when`, a step-up forbid; plus one allowed model. */
function richReview() {
  return accessReview({
    agents: [
      agentAccessReview({
        id: 'incident-commander',
        name: 'Incident commander',
        risk_tier: 'high',
        candidate: {
          agent: 'Acme::Agent::"incident-commander"',
          checked: 99,
          entries: [
            accessEntry({
              action: 'delegate',
              resource: 'Acme::Agent::"log-summariser"',
              permits: ['permit-listed-delegates'],
              unless: ['delegation-depth-bound: !((context has delegation_depth) && (context.delegation_depth <= 3))'],
              example_context: { delegation_depth: 0, env: '' },
            }),
            accessEntry({
              resource: 'Acme::Tool::"datadog.logs.search"',
              permits: ['grant-incident-commander-observability'],
              when: ['(context.env == "prod") && (context has step_up_approved) && context.step_up_approved'],
              example_context: { env: 'prod', step_up_approved: true },
            }),
            accessEntry({
              resource: 'Acme::Tool::"pagerduty.incident.create"',
              unless: [
                'environment-separation: !(context.env == "prod")',
                'step-up-for-sensitive-tools: !((context has step_up_approved) && context.step_up_approved)',
              ],
              example_context: { env: 'prod', step_up_approved: true },
            }),
            accessEntry({
              action: 'invoke_model',
              resource: 'Acme::Model::"claude-sonnet"',
              access: 'allowed',
              permits: ['permit-allowed-tools'],
              unless: [],
              example_context: undefined,
            }),
          ],
        },
      }),
    ],
  });
}

describe('the tab in the agent panel', () => {
  const AGENTS = [
    agent({ id: 'alert-router', name: 'Alert router', risk_tier: 'medium' }),
    agent({ id: 'billing-bot', name: 'Billing refunds agent', risk_tier: 'high' }),
  ];

  async function openAgent(id: string) {
    backend.inventoryView = inventoryView({ agents: AGENTS });
    renderWithBackend(backend, <AgentsPage />);
    await screen.findAllByTestId('agent-row');
    fireEvent.click(screen.getAllByTestId('agent-row').find((r) => r.dataset.id === id)!);
    return screen.getByTestId('agent-detail');
  }

  it('opens on Details with the existing content, and checks nothing until Access is opened', async () => {
    const panel = await openAgent('alert-router');
    const details = within(panel).getByTestId('agent-detail-tab-details');
    expect(details.getAttribute('aria-selected')).toBe('true');
    expect(within(panel).getByRole('tablist', { name: 'Agent panel' })).toBeTruthy();
    expect(within(panel).getByTestId('raci')).toBeTruthy();
    expect(within(panel).getByTestId('agent-field-name')).toBeTruthy();
    expect(panel.className).not.toContain('drawer-wide');
    expect(screen.queryByTestId('agent-access')).toBeNull();
    expect(backend.calls.agentAccess).toEqual([]);
  });

  it('runs once with the defaults the first time Access opens, and keeps the result across tab switches', async () => {
    const panel = await openAgent('alert-router');
    fireEvent.click(within(panel).getByTestId('agent-detail-tab-access'));
    await screen.findByTestId('access-result');
    expect(backend.calls.agentAccess).toEqual([{ agent: 'alert-router', baseline: 'git:HEAD', no_diff: false }]);
    expect(panel.className).toContain('drawer-wide');
    const accessPanel = screen.getByRole('tabpanel', { name: 'Access' });
    expect(within(accessPanel).getAllByTestId('access-row')).toHaveLength(3);
    // The form is hidden, not gone: its testids stay, and so do unsaved edits.
    expect((within(panel).getByTestId('agent-field-name').closest('.drawer-body') as HTMLElement).hidden).toBe(true);

    fireEvent.click(within(panel).getByTestId('agent-detail-tab-details'));
    expect(within(panel).getByTestId('agent-field-name')).toBeTruthy();
    expect((screen.getByTestId('agent-access').closest('.drawer-body') as HTMLElement).hidden).toBe(true);
    fireEvent.click(within(panel).getByTestId('agent-detail-tab-access'));
    expect(screen.getByTestId('access-result')).toBeTruthy();
    expect(backend.calls.agentAccess).toHaveLength(1);
  });

  it('stays on Access from one agent to the next, checking each', async () => {
    const panel = await openAgent('alert-router');
    fireEvent.click(within(panel).getByTestId('agent-detail-tab-access'));
    await screen.findByTestId('access-result');
    fireEvent.click(screen.getAllByTestId('agent-row').find((r) => r.dataset.id === 'billing-bot')!);
    await waitFor(() => expect(screen.getByTestId('agent-detail').dataset.id).toBe('billing-bot'));
    expect(screen.getByTestId('agent-detail-tab-access').getAttribute('aria-selected')).toBe('true');
    await waitFor(() => expect(backend.calls.agentAccess.map((r) => r.agent)).toEqual(['alert-router', 'billing-bot']));
  });

  it('says the check reads the saved inventory while the form has unsaved edits', async () => {
    const panel = await openAgent('alert-router');
    fireEvent.change(within(panel).getByTestId('agent-field-name'), { target: { value: 'Alert router 2' } });
    fireEvent.click(within(panel).getByTestId('agent-detail-tab-access'));
    await screen.findByTestId('access-result');
    expect(screen.getByTestId('access-unsaved').textContent).toMatch(/unsaved changes/);
  });

  it('has no tabs while creating an agent', async () => {
    backend.inventoryView = inventoryView({ agents: AGENTS });
    renderWithBackend(backend, <AgentsPage />);
    await screen.findAllByTestId('agent-row');
    fireEvent.click(screen.getByTestId('agents-add'));
    const panel = screen.getByTestId('agent-detail');
    expect(within(panel).queryByRole('tablist')).toBeNull();
    expect(within(panel).getByTestId('agent-field-id')).toBeTruthy();
  });
});

describe('what the agent can do', () => {
  it('sums up allowed and conditional entries of the pairs looked at, and names the solver', async () => {
    backend.accessAnswer = () => richReview();
    await renderAccess('incident-commander');
    const summary = screen.getByTestId('access-summary').textContent;
    expect(summary).toMatch(/^1 allowed, 3 conditional, of 99 action × resource pairs/);
    expect(summary).toContain('under working copy · 2 solver queries in 469 ms');
    expect(screen.getByTestId('access-solver').textContent).toContain('cvc5 1.4.2');
    expect(screen.queryByTestId('access-no-solver')).toBeNull();
  });

  it('groups rows by action, each with its short resource and a coloured access badge', async () => {
    backend.accessAnswer = () => richReview();
    await renderAccess('incident-commander');
    const groups = screen.getAllByTestId('access-group');
    expect(groups.map((g) => [g.dataset.action, within(g).getAllByTestId('access-resource').map((r) => r.textContent)])).toEqual([
      ['delegate', ['Agent::"log-summariser"']],
      ['invoke_tool', ['Tool::"datadog.logs.search"', 'Tool::"pagerduty.incident.create"']],
      ['invoke_model', ['Model::"claude-sonnet"']],
    ]);
    expect(within(groups[1]!).getByRole('rowheader').textContent).toBe('invoke_tool 2');
    const model = within(rowFor('Acme::Model::"claude-sonnet"')).getByTestId('access-badge');
    expect(model.textContent).toBe('allowed');
    expect(model.className).toContain('access-badge-ok');
    const tool = within(rowFor('Acme::Tool::"datadog.logs.search"')).getByTestId('access-badge');
    expect(tool.textContent).toBe('conditional');
    expect(tool.className).toContain('access-badge-warning');
    expect(within(rowFor('Acme::Tool::"datadog.logs.search"')).getByTestId('access-resource').getAttribute('title')).toBe(
      'Acme::Tool::"datadog.logs.search"',
    );
  });

  it('links granting permits and forbids to their policy (a linked policy to its template)', async () => {
    backend.accessAnswer = () => richReview();
    await renderAccess('incident-commander');
    const grant = within(rowFor('Acme::Tool::"datadog.logs.search"')).getByTestId('access-permit');
    expect(grant.textContent).toBe('grant-incident-commander-observability');
    expect(grant.getAttribute('href')).toBe(policyHref('policies/grants.cedar', 1));
    expect(grant.getAttribute('title')).toMatch(/template grant-tool-group/);
    const forbid = within(rowFor('Acme::Tool::"pagerduty.incident.create"')).getAllByTestId('access-unless-policy');
    expect(forbid.map((f) => [f.textContent, f.getAttribute('href')])).toEqual([
      ['environment-separation', policyHref('policies/tools.cedar', 13)],
      ['step-up-for-sensitive-tools', policyHref('policies/tools.cedar', 7)],
    ]);
  });

  it('shows ids as code when the policy files cannot be read', async () => {
    backend.validateError = { code: 'io', message: 'cannot read', help: null, diagnostics: [] };
    await renderAccess();
    const permit = within(rowFor('Acme::Tool::"slack.message.post"')).getByTestId('access-permit');
    expect(permit.tagName).toBe('CODE');
    expect(permit.textContent).toBe('permit-allowed-tools');
    expect(screen.queryByTestId('error-banner')).toBeNull();
  });

  it('writes when and unless conditions and the example context as key = value', async () => {
    backend.accessAnswer = () => richReview();
    await renderAccess('incident-commander');
    const grant = rowFor('Acme::Tool::"datadog.logs.search"');
    expect(within(grant).getAllByTestId('access-when').map((w) => w.textContent)).toEqual([
      '(context.env == "prod") && (context has step_up_approved) && context.step_up_approved',
    ]);
    expect([...within(grant).getByTestId('access-example').querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      'env = "prod"',
      'step_up_approved = true',
    ]);
    const create = rowFor('Acme::Tool::"pagerduty.incident.create"');
    expect(within(create).getAllByTestId('access-unless').map((u) => [u.dataset.policy, within(u).getByTestId('access-unless-condition').textContent])).toEqual([
      ['environment-separation', '!(context.env == "prod")'],
      ['step-up-for-sensitive-tools', '!((context has step_up_approved) && context.step_up_approved)'],
    ]);
    const delegate = rowFor('Acme::Agent::"log-summariser"');
    expect([...within(delegate).getByTestId('access-example').querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      'delegation_depth = 0',
      'env = ""',
    ]);
    // Allowed whatever the context: no condition, no example needed.
    const model = rowFor('Acme::Model::"claude-sonnet"');
    expect(within(model).queryByTestId('access-when')).toBeNull();
    expect(within(model).queryByTestId('access-example')).toBeNull();
    expect(model.textContent).toContain('any context');
  });

  it('says how to grant access when the agent can do nothing', async () => {
    backend.accessAnswer = () =>
      accessReview({ agents: [agentAccessReview({ id: 'legacy-exporter', candidate: { agent: 'Acme::Agent::"legacy-exporter"', entries: [], checked: 99 } })] });
    await renderAccess('legacy-exporter');
    expect(screen.queryByTestId('access-entries')).toBeNull();
    const empty = screen.getByTestId('access-empty');
    expect(empty.textContent).toMatch(/legacy-exporter can do nothing/);
    expect(empty.textContent).toMatch(/None of the 99 action × resource pairs is allowed under any context/);
    expect(empty.textContent).toMatch(/Details tab/);
    expect(screen.getByTestId('access-summary').textContent).toMatch(/^0 allowed, 0 conditional, of 99/);
  });
});

describe('without a solver', () => {
  it('warns that the conditions are unsettled, leaves the examples out and lists the problem', async () => {
    backend.accessAnswer = (request) => ({
      ...accessReview({ baseline: request.baseline ?? 'git:HEAD', queries: 0 }),
      solver: undefined,
      agents: [
        agentAccessReview({
          candidate: {
            agent: 'Acme::Agent::"alert-router"',
            checked: 99,
            entries: alertRouterEntries().map((e) => ({ ...e, example_context: undefined })),
          },
        }),
      ],
      problems: [
        {
          environment: 'every environment',
          query: 'access conditions',
          message: '2 condition(s) on the context were not checked: no solver',
          help: 'install one (`bash scripts/deps.sh`) or name it (`--solver`, `$CVC5`, `[analysis] solver`)',
        },
      ],
    });
    await renderAccess();
    const warning = screen.getByTestId('access-no-solver');
    expect(warning.textContent).toMatch(/No SMT solver was found: the conditions are not settled/);
    expect(warning.textContent).toContain('bash scripts/deps.sh');
    expect(screen.queryByTestId('access-solver')).toBeNull();
    expect(within(rowFor('Acme::Tool::"slack.message.post"')).queryByTestId('access-example')).toBeNull();
    expect(within(rowFor('Acme::Tool::"slack.message.post"')).getByTestId('access-example-none').textContent).toBe('not settled: no solver');
    const problems = screen.getAllByTestId('access-problem');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.textContent).toContain('2 condition(s) on the context were not checked: no solver');
  });
});

describe('changes from the baseline', () => {
  it('says there is no change in access when nothing moved', async () => {
    await renderAccess();
    expect(screen.getByTestId('access-changes-none').textContent).toBe('No change in access from git:HEAD.');
    expect(screen.queryByTestId('access-change-row')).toBeNull();
  });

  it('lists each change with a coloured kind and before → after', async () => {
    const before = accessEntry({ resource: 'Acme::Tool::"stripe.refund"', access: 'allowed', unless: [] });
    const after = accessEntry({
      resource: 'Acme::Tool::"stripe.refund"',
      unless: ['step-up-for-sensitive-tools: !((context has step_up_approved) && context.step_up_approved)'],
    });
    backend.accessAnswer = () =>
      accessReview({
        baseline: '@published',
        agents: [
          agentAccessReview({
            changes: [
              accessChange(),
              accessChange({ change: 'lost', baseline: accessEntry({ resource: 'Acme::Tool::"jira.issue.create"' }), candidate: null }),
              accessChange({ change: 'changed', baseline: before, candidate: after }),
            ],
          }),
        ],
      });
    await renderAccess();
    const section = screen.getByTestId('access-changes');
    expect(section.querySelector('h2')?.textContent).toBe('Changes from baseline @published3');
    expect(screen.getByTestId('access-change-counts').textContent).toBe('1 gained · 1 lost · 1 changed');
    const changeRows = screen.getAllByTestId('access-change-row');
    expect(
      changeRows.map((r) => [
        within(r).getByTestId('access-change-kind').textContent,
        within(r).getByTestId('access-change-kind').className.split(' ').pop(),
        within(r).getByTestId('access-change-before').textContent,
        within(r).getByTestId('access-change-after').textContent,
      ]),
    ).toEqual([
      ['gained', 'access-badge-error', 'denied', 'conditional'],
      ['lost', 'access-badge-warning', 'conditional', 'denied'],
      ['changed', 'access-badge-warning', 'allowed', 'conditional'],
    ]);
    expect(changeRows[0]!.textContent).toContain('Tool::"pagerduty.incident.ack"');
    expect(within(changeRows[0]!).getByTestId('access-change-permit').getAttribute('href')).toBe(policyHref('policies/tools.cedar', 1));
    expect(within(changeRows[2]!).getByTestId('access-change-details').textContent).toBe(
      'unless added: step-up-for-sensitive-tools: !((context has step_up_approved) && context.step_up_approved)',
    );
  });

  it('sends another baseline, or none, and says when it did not compare', async () => {
    await renderAccess();
    fireEvent.change(screen.getByLabelText('Baseline'), { target: { value: '@published' } });
    fireEvent.click(screen.getByTestId('access-check'));
    await screen.findByTestId('access-result');
    fireEvent.click(screen.getByLabelText('Compare with baseline'));
    expect(screen.getByLabelText<HTMLInputElement>('Baseline').disabled).toBe(true);
    fireEvent.click(screen.getByTestId('access-check'));
    await screen.findByTestId('access-changes-skipped');
    expect(backend.calls.agentAccess).toEqual([
      { agent: 'alert-router', baseline: 'git:HEAD', no_diff: false },
      { agent: 'alert-router', baseline: '@published', no_diff: false },
      { agent: 'alert-router', no_diff: true },
    ]);
    expect(screen.getByTestId('access-changes').querySelector('h2')?.textContent).toBe('Changes from baseline');
  });
});

describe('running, cancelling and failing', () => {
  it('shows progress while checking and cancels on request', async () => {
    const gate = deferred();
    backend.accessGate = gate.promise;
    renderWithBackend(backend, <AgentAccess agent="alert-router" />);
    await screen.findByTestId('access-progress');
    expect(screen.getByTestId<HTMLButtonElement>('access-check').disabled).toBe(true);
    expect(screen.getByTestId('access-check').textContent).toBe('Checking…');
    expect(screen.getByRole('progressbar', { name: 'Access check progress' })).toBeTruthy();
    fireEvent.click(screen.getByTestId('access-cancel'));
    expect(screen.getByTestId('access-cancel').textContent).toBe('Cancelling…');
    await screen.findByTestId('access-cancelled');
    expect(backend.calls.cancelAccess).toBe(1);
    expect(screen.queryByTestId('access-progress')).toBeNull();
    expect(screen.queryByTestId('access-result')).toBeNull();
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect(screen.getByTestId<HTMLButtonElement>('access-check').disabled).toBe(false);
  });

  it('cancels a check still running when the panel closes', async () => {
    const gate = deferred();
    backend.accessGate = gate.promise;
    const view = renderWithBackend(backend, <AgentAccess agent="alert-router" />);
    await screen.findByTestId('access-progress');
    await waitFor(() => expect(backend.calls.agentAccess).toHaveLength(1));
    view.unmount();
    expect(backend.calls.cancelAccess).toBe(1);
  });

  it('shows a missing solver that was asked for in the error banner, by its code', async () => {
    const missing: ApiError = {
      code: 'solver_unavailable',
      message: 'no SMT solver could be started: `/opt/cvc5` ($CVC5): not found',
      help: 'run `bash scripts/deps.sh` (it installs cvc5 1.4 and Z3 from PyPI into target/solver-venv)',
      diagnostics: [],
    };
    backend.accessAnswer = () => {
      throw missing;
    };
    renderWithBackend(backend, <AgentAccess agent="alert-router" />);
    const banner = await screen.findByTestId('error-banner');
    expect(banner.dataset.code).toBe('solver_unavailable');
    expect(banner.textContent).toContain('No SMT solver for the analysis');
    expect(banner.textContent).toContain('bash scripts/deps.sh');
    expect(screen.queryByTestId('access-result')).toBeNull();
  });

  it('shows a baseline outside git as the core explains it', async () => {
    backend.accessAnswer = () => {
      const error: ApiError = {
        code: 'invalid_argument',
        message: 'git ls-tree -r --name-only HEAD -- policies: fatal: not a git repository',
        help: '`git:REV` needs the workspace in a git repository and a revision that exists (e.g. `git:HEAD`, `git:main~3`); or give a policy folder',
        diagnostics: [],
      };
      throw error;
    };
    renderWithBackend(backend, <AgentAccess agent="alert-router" />);
    const banner = await screen.findByTestId('error-banner');
    expect(banner.dataset.code).toBe('invalid_argument');
    expect(banner.textContent).toContain('not a git repository');
    expect(screen.getByTestId('access-baseline-advice').textContent).toMatch(/untick Compare with baseline/);
    fireEvent.click(screen.getByLabelText('Compare with baseline'));
    expect(screen.queryByTestId('access-baseline-advice')).toBeNull();
    // Dismissed, the tab says what to do next.
    fireEvent.click(within(banner).getByRole('button', { name: 'Dismiss error' }));
    expect(screen.getByTestId('access-idle').textContent).toMatch(/Press Check/);
  });

  it('marks the result out of date when the workspace changes on disk', async () => {
    await renderAccess();
    act(() => backend.emitChange([{ kind: 'controls_changed', path: 'controls/controls.toml' }]));
    expect(screen.queryByTestId('access-stale')).toBeNull();
    act(() => backend.emitChange([{ kind: 'inventory_changed', path: 'inventory/agents/alert-router.toml' }]));
    expect(screen.getByTestId('access-stale')).toBeTruthy();
  });
});
