import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiError } from '../bindings/ApiError';
import type { ControlStatus } from '../bindings/ControlStatus';
import { policyHref } from '../lib/route';
import { coverageReport, deferred, diagnostic, FakeBackend } from '../test/fakeBackend';
import { renderWithBackend } from '../test/render';
import { FrameworksPage } from './FrameworksPage';

const ASI = 'owasp-agentic-top10-2026';

let backend: FakeBackend;
beforeEach(() => {
  backend = new FakeBackend();
});

async function openPage() {
  renderWithBackend(backend, <FrameworksPage />);
  await screen.findByTestId('fw-tree');
}

const fwNode = (id: string) => document.querySelector<HTMLElement>(`[data-testid="fw-node"][data-framework="${id}"]`)!;
const itemNode = (fw: string, label: string) =>
  document.querySelector<HTMLElement>(`[data-testid="item-node"][data-framework="${fw}"][data-label="${label}"]`);
const cell = (control: string, label: string) =>
  document.querySelector<HTMLElement>(`[data-testid="matrix-cell"][data-control="${control}"][data-item="${label}"]`)!;
const column = (label: string) => document.querySelector<HTMLElement>(`[data-testid="matrix-col"][data-label="${label}"]`)!;

function apiError(code: ApiError['code'], message: string, over: Partial<ApiError> = {}): ApiError {
  return { code, message, help: null, diagnostics: [], ...over };
}

function expand(fw: string, ...labels: string[]) {
  const node = fwNode(fw);
  if (node.getAttribute('aria-expanded') !== 'true') fireEvent.click(node.querySelector('.fw-twisty')!);
  for (const label of labels) {
    const row = itemNode(fw, label)!;
    if (row.getAttribute('aria-expanded') !== 'true') fireEvent.click(row.querySelector('.fw-twisty')!);
  }
}

async function openControl(id: string) {
  fireEvent.click(document.querySelector(`[data-testid="matrix-control"][data-control="${id}"]`)!);
  return screen.findByTestId('control-drawer');
}

describe('the framework tree', () => {
  it('shows each framework’s percentage and counts as the core computed them', async () => {
    await openPage();
    const report = coverageReport();
    for (const f of report.frameworks) {
      const node = fwNode(f.id);
      expect(within(node).getByTestId('fw-percent').textContent).toBe(`${Number.isInteger(f.percent) ? f.percent : f.percent.toFixed(1)}%`);
      const count = (what: string) => Number(within(node).getByTestId(`fw-count-${what}`).dataset.count);
      expect([count('implemented'), count('partial'), count('planned'), count('uncovered'), count('not-applicable')]).toEqual([
        f.implemented,
        f.partial,
        f.planned,
        f.uncovered,
        f.not_applicable,
      ]);
    }
    // The OWASP Agentic Top 10 of the fixture: 1 of 9 applicable implemented, one N/A.
    expect(within(fwNode(ASI)).getByTestId('fw-percent').textContent).toBe('11.1%');
    expect(within(fwNode(ASI)).getByTestId('fw-counts').textContent).toBe('1 implemented2 partial0 planned6 uncovered1 N/A');
    expect(screen.getByTestId('fw-summary-percent').textContent).toBe('11.1%');
  });

  it('never recomputes: whatever the core says is what shows', async () => {
    backend.coverageAnswer = () => {
      const r = coverageReport();
      r.frameworks[0]!.percent = 42.5;
      r.frameworks[0]!.implemented = 7;
      return r;
    };
    await openPage();
    expect(within(fwNode(ASI)).getByTestId('fw-percent').textContent).toBe('42.5%');
    expect(within(fwNode(ASI)).getByTestId('fw-count-implemented').dataset.count).toBe('7');
  });

  it('shows a MAESTRO threat by its label, never its internal key', async () => {
    await openPage();
    expand('csa-maestro', 'L7');
    const threat = itemNode('csa-maestro', 'L7: Agent Tool Misuse')!;
    expect(threat.textContent).toContain('L7: Agent Tool Misuse');
    expect(threat.dataset.status).toBe('implemented');
    fireEvent.click(threat);
    const panel = await screen.findByTestId('item-panel');
    expect(within(panel).getByTestId('item-panel-label').textContent).toBe('L7: Agent Tool Misuse');
    // The matrix shows MAESTRO now; its column says the threat under the layer.
    expect(column('L7: Agent Tool Misuse').textContent).toBe('Agent Tool Misuse');
    const page = screen.getByTestId('page-frameworks');
    for (const key of ['L7/agent-tool-misuse', 'L7/agent-goal-manipulation', 'L1/adversarial-examples']) {
      expect(page.textContent).not.toContain(key);
    }
  });

  it('walks NIST functions, categories and subcategories, and says when text is the framework’s own', async () => {
    await openPage();
    expand('nist-ai-rmf-1.0', 'GOVERN', 'GOVERN 2');
    expect(itemNode('nist-ai-rmf-1.0', 'GOVERN')!.getAttribute('aria-level')).toBe('2');
    expect(itemNode('nist-ai-rmf-1.0', 'GOVERN 2')!.getAttribute('aria-level')).toBe('3');
    const sub = itemNode('nist-ai-rmf-1.0', 'GOVERN 2.1')!;
    expect(sub.getAttribute('aria-level')).toBe('4');
    expect(sub.dataset.status).toBe('partial');
    fireEvent.click(sub);
    const panel = await screen.findByTestId('item-panel');
    expect(within(panel).getByTestId('item-text-kind').textContent).toBe('Official text');
    expect(within(panel).getByTestId('item-control').dataset.control).toBe('MND-OWN-01');

    // An OWASP item's text is Mandate's summary, and says so.
    expand(ASI);
    fireEvent.click(itemNode(ASI, 'ASI09')!);
    await waitFor(() => expect(screen.getByTestId('item-panel').dataset.label).toBe('ASI09'));
    expect(screen.getByTestId('item-text-kind').textContent).toBe('Summary');
  });

  it('flags an item the research could not confirm as unverified', async () => {
    await openPage();
    expand('csa-maestro', 'L1');
    const uncertain = coverageReport()
      .frameworks.find((f) => f.id === 'csa-maestro')!
      .items.find((i) => i.uncertain && i.parent === 'L1')!;
    expect(within(itemNode('csa-maestro', uncertain.label)!).getByText('unverified')).toBeTruthy();
  });

  it('is a keyboard tree: arrows move and open, Enter selects', async () => {
    await openPage();
    const first = fwNode(ASI);
    expect(first.getAttribute('tabindex')).toBe('0');
    expect(first.getAttribute('aria-expanded')).toBe('true');
    first.focus();
    fireEvent.keyDown(first, { key: 'ArrowDown' });
    await waitFor(() => expect(document.activeElement).toBe(itemNode(ASI, 'ASI01')));
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    await waitFor(() => expect(document.activeElement).toBe(itemNode(ASI, 'ASI02')));
    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect((await screen.findByTestId('item-panel')).dataset.label).toBe('ASI02');
    expect(itemNode(ASI, 'ASI02')!.getAttribute('aria-selected')).toBe('true');
    // Left goes to the framework, Left again closes it.
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' });
    await waitFor(() => expect(document.activeElement).toBe(fwNode(ASI)));
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' });
    expect(fwNode(ASI).getAttribute('aria-expanded')).toBe('false');
    expect(itemNode(ASI, 'ASI01')).toBeNull();
    fireEvent.keyDown(fwNode(ASI), { key: 'ArrowRight' });
    expect(itemNode(ASI, 'ASI01')).not.toBeNull();
  });
});

describe('the heatmap', () => {
  it('colours a cell by the control’s status where it maps, and a column by the item’s status', async () => {
    await openPage();
    expect(screen.getByTestId('fw-matrix').dataset.columns).toBe('10');
    expect(cell('MND-STEPUP-01', 'ASI09').className).toBe('fw-cell cell-implemented');
    expect(cell('MND-AUTHZ-01', 'ASI02').className).toBe('fw-cell cell-partial');
    expect(cell('MND-CRED-04', 'ASI03').className).toBe('fw-cell cell-implemented');
    expect(cell('MND-CRED-01', 'ASI01').className).toBe('fw-cell cell-empty');
    expect(cell('MND-CRED-01', 'ASI01').dataset.status).toBe('');
    // ASI03: one implemented and one partial control → partial.
    expect(column('ASI03').closest('th')!.className).toContain('col-partial');
    expect(column('ASI05').closest('th')!.className).toContain('col-not-applicable');
    expect(column('ASI01').closest('th')!.className).toContain('col-uncovered');
    expect(column('ASI09').closest('th')!.className).toContain('col-implemented');

    // A planned control's cell, in MAESTRO.
    fireEvent.click(fwNode('csa-maestro'));
    await waitFor(() => expect(screen.getByTestId('fw-matrix').dataset.framework).toBe('csa-maestro'));
    expect(cell('ACME-REDTEAM-01', 'L7: Agent Goal Manipulation').className).toBe('fw-cell cell-planned');
  });

  it('keeps NIST’s 72 columns under their functions', async () => {
    await openPage();
    fireEvent.click(fwNode('nist-ai-rmf-1.0'));
    await waitFor(() => expect(screen.getByTestId('fw-matrix').dataset.columns).toBe('72'));
    const groups = [...document.querySelectorAll('.fw-matrix-groups th[scope="colgroup"]')].map((th) => [
      th.textContent,
      th.getAttribute('colspan'),
    ]);
    expect(groups).toEqual([
      ['GOVERN', '19'],
      ['MAP', '18'],
      ['MEASURE', '22'],
      ['MANAGE', '13'],
    ]);
    expect(cell('MND-STEPUP-01', 'MANAGE 2.4').className).toBe('fw-cell cell-implemented');
  });

  it('opens the item from its column and the control from its row or a cell', async () => {
    await openPage();
    fireEvent.click(column('ASI07'));
    expect((await screen.findByTestId('item-panel')).dataset.label).toBe('ASI07');
    fireEvent.click(cell('MND-DELEG-01', 'ASI07'));
    const drawer = await screen.findByTestId('control-drawer');
    expect(drawer.dataset.control).toBe('MND-DELEG-01');
    // The cell's item is ready to map.
    const option = within(drawer).getByRole('radio', { checked: true });
    expect(option.dataset.label).toBe('ASI07');
  });
});

describe('the control drawer', () => {
  it('shows the statement, the status and the evidence, policies linking to the editor at their line', async () => {
    await openPage();
    const drawer = await openControl('MND-LIFECYCLE-01');
    expect(within(drawer).getByTestId('control-statement').textContent).toBe(
      'Suspended, retired and never-approved agents are denied every action.',
    );
    expect(drawer.dataset.status).toBe('partial');
    const evidence = within(drawer).getAllByTestId('evidence');
    expect(evidence.map((e) => [e.dataset.kind, e.dataset.state])).toEqual([
      ['policy', 'holds'],
      ['policy', 'holds'],
      ['check', 'failing'],
      ['check', 'failing'],
    ]);
    const link = within(evidence[1]!).getByTestId('evidence-policy-link');
    expect(link.textContent).toBe('deny-inactive-agents');
    expect(link.getAttribute('href')).toBe(policyHref('policies/lifecycle.cedar', 3));
    expect(evidence[2]!.textContent).toContain('1 finding(s): agent:ticket-tagger');
  });

  it('adds a mapping and saves the control’s full list, then reloads coverage', async () => {
    await openPage();
    const drawer = await openControl('MND-AUTHZ-01');
    expect(within(drawer).getAllByTestId('mapping').map((m) => m.dataset.label)).toEqual(['ASI03', 'NHI5:2025', 'ASI02']);
    // The items it already maps to are not offered again.
    const offered = () => within(drawer).queryAllByTestId('adder-option').map((o) => o.dataset.label);
    expect(offered()).not.toContain('ASI03');
    fireEvent.change(within(drawer).getByTestId('adder-search'), { target: { value: 'goal hijack' } });
    expect(offered()).toEqual(['ASI01']);
    expect(within(drawer).getByTestId<HTMLButtonElement>('adder-add').disabled).toBe(true);
    fireEvent.click(within(drawer).getByTestId('adder-option'));
    fireEvent.change(within(drawer).getByTestId('adder-relevance'), { target: { value: 'Grants are checked per call.' } });
    fireEvent.click(within(drawer).getByTestId('adder-add'));
    expect(drawer.dataset.dirty).toBe('true');
    expect(within(drawer).getAllByTestId('mapping').map((m) => m.dataset.state)).toEqual(['exact', 'exact', 'exact', 'added']);
    expect(backend.calls.setControlMappings).toEqual([]);

    const loads = backend.calls.coverage;
    fireEvent.click(within(drawer).getByTestId('control-save'));
    await waitFor(() => expect(backend.calls.setControlMappings).toHaveLength(1));
    expect(backend.calls.setControlMappings[0]).toEqual({
      control: 'MND-AUTHZ-01',
      mappings: [
        { framework: ASI, item: 'ASI03', relevance: "Each call is authorized against the agent's own grants." },
        { framework: 'owasp-nhi-top10-2025', item: 'NHI5:2025', relevance: 'Grants are per agent and per tool, never broad roles.' },
        { framework: ASI, item: 'ASI02', relevance: 'Only listed tools can be called.' },
        { framework: ASI, item: 'ASI01', relevance: 'Grants are checked per call.' },
      ],
    });
    await waitFor(() => expect(backend.calls.coverage).toBe(loads + 1));
    await waitFor(() => expect(drawer.dataset.dirty).toBe('false'));
    expect(within(drawer).getByTestId('control-form-status').textContent).toMatch(/Saved/);
  });

  it('removes a mapping; a save refused by the core is shown with its code, nothing lost', async () => {
    await openPage();
    const drawer = await openControl('MND-STEPUP-01');
    const [, maestro] = within(drawer).getAllByTestId('mapping-remove');
    fireEvent.click(maestro!);
    expect(within(drawer).getAllByTestId('mapping').map((m) => m.dataset.label)).toEqual(['ASI09', 'MANAGE 2.4']);
    backend.controlsEditError = apiError('controls_invalid', '1 mapping(s) name no official item', {
      diagnostics: [
        diagnostic({
          file: 'controls/controls.toml',
          line: 0,
          column: 0,
          code: 'controls::mapping',
          message: 'mapping 2: `X` is not an item of `nist-ai-rmf-1.0`',
        }),
      ],
    });
    fireEvent.click(within(drawer).getByTestId('control-save'));
    const banner = await within(drawer).findByTestId('error-banner');
    expect(banner.dataset.code).toBe('controls_invalid');
    expect(banner.textContent).toContain('mapping 2');
    expect(backend.calls.setControlMappings[0]!.mappings.map((m) => m.item)).toEqual(['ASI09', 'MANAGE 2.4']);
    expect(drawer.dataset.dirty).toBe('true');
  });

  it('edits a saved mapping’s relevance and saves the whole list with only that sentence changed', async () => {
    await openPage();
    const drawer = await openControl('MND-STEPUP-01');
    const before = coverageReport().controls.find((c) => c.id === 'MND-STEPUP-01')!.mappings;
    const [first] = within(drawer).getAllByTestId('mapping');
    fireEvent.click(within(first!).getByTestId('mapping-edit-relevance'));
    const field = within(first!).getByTestId<HTMLInputElement>('mapping-relevance');
    expect(field.value).toBe(before[0]!.relevance);
    fireEvent.change(field, { target: { value: 'Step-up puts a human between a hijacked goal and its effect.' } });
    expect(drawer.dataset.dirty).toBe('true');
    fireEvent.click(within(drawer).getByTestId('control-save'));
    await waitFor(() => expect(backend.calls.setControlMappings).toHaveLength(1));
    const saved = backend.calls.setControlMappings[0]!.mappings;
    expect(saved.map((m) => m.relevance)).toEqual([
      'Step-up puts a human between a hijacked goal and its effect.',
      ...before.slice(1).map((m) => m.relevance),
    ]);
    // The same items as before: editing the sentence never moves a mapping.
    expect(saved.map((m) => m.item)).toEqual(before.map((m) => m.label));
  });

  it('keeps an open relevance editor on its mapping when a row above is removed, and closes it on Discard', async () => {
    await openPage();
    const drawer = await openControl('MND-STEPUP-01');
    const rows = () => within(drawer).getAllByTestId('mapping');
    expect(rows().map((m) => m.dataset.label)).toEqual(['ASI09', 'L7: Agent Tool Misuse', 'MANAGE 2.4']);
    fireEvent.click(within(rows()[1]!).getByTestId('mapping-edit-relevance'));
    fireEvent.change(within(rows()[1]!).getByTestId('mapping-relevance'), { target: { value: 'Tool misuse is stepped up.' } });
    fireEvent.click(within(rows()[0]!).getAllByTestId('mapping-remove')[0]!);
    expect(rows().map((m) => m.dataset.label)).toEqual(['L7: Agent Tool Misuse', 'MANAGE 2.4']);
    // The editor stayed with L7, holding what was typed; MANAGE 2.4 has none open.
    expect(within(rows()[0]!).getByTestId<HTMLInputElement>('mapping-relevance').value).toBe('Tool misuse is stepped up.');
    expect(within(rows()[1]!).queryByTestId('mapping-relevance')).toBeNull();
    fireEvent.click(within(drawer).getByTestId('control-discard'));
    expect(rows().map((m) => m.dataset.label)).toEqual(['ASI09', 'L7: Agent Tool Misuse', 'MANAGE 2.4']);
    expect(within(drawer).queryByTestId('mapping-relevance')).toBeNull();
  });

  it('flags an unresolved citation with its reason and replaces it with a suggestion picked', async () => {
    await openPage();
    const drawer = await openControl('MND-DELEG-02');
    const unresolved = within(drawer).getByTestId('mapping-unresolved');
    expect(unresolved.textContent).toContain('CSA MAESTRO T1');
    expect(unresolved.textContent).toContain('MAESTRO gives its threats no ids');
    const suggestion = within(unresolved).getByTestId('mapping-suggestion');
    expect(suggestion.textContent).toBe('Use T1 Memory Poisoning (OWASP Agentic Threats & Mitigations)');
    fireEvent.click(suggestion);
    expect(within(drawer).getAllByTestId('mapping').map((m) => [m.dataset.state, m.dataset.label])).toEqual([['added', 'T1']]);
    fireEvent.click(within(drawer).getByTestId('control-save'));
    await waitFor(() => expect(backend.calls.setControlMappings).toHaveLength(1));
    expect(backend.calls.setControlMappings[0]).toEqual({
      control: 'MND-DELEG-02',
      mappings: [
        {
          framework: 'owasp-agentic-threats-mitigations',
          item: 'T1',
          relevance: 'Delegation never escalates risk.',
          cited: 'CSA MAESTRO T1',
        },
      ],
    });
  });

  it('keeps an unresolved citation as a citation when another mapping is saved', async () => {
    await openPage();
    const drawer = await openControl('MND-DELEG-02');
    fireEvent.change(within(drawer).getByTestId('adder-search'), { target: { value: 'ASI07' } });
    fireEvent.click(within(drawer).getByTestId('adder-option'));
    fireEvent.click(within(drawer).getByTestId('adder-add'));
    fireEvent.click(within(drawer).getByTestId('control-save'));
    await waitFor(() => expect(backend.calls.setControlMappings).toHaveLength(1));
    expect(backend.calls.setControlMappings[0]!.mappings).toEqual([
      { framework: '', item: '', relevance: 'Delegation never escalates risk.', cited: 'CSA MAESTRO T1' },
      { framework: ASI, item: 'ASI07', relevance: '' },
    ]);
  });

  it('asks before Escape throws away unsaved mappings', async () => {
    await openPage();
    const drawer = await openControl('MND-ENV-01');
    fireEvent.click(within(drawer).getAllByTestId('adder-option')[0]!);
    fireEvent.click(within(drawer).getByTestId('adder-add'));
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(screen.getByTestId('control-drawer')).toBeTruthy();
    expect(within(drawer).getByTestId('control-form-status').textContent).toMatch(/press Escape again/);
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(screen.queryByTestId('control-drawer')).toBeNull();
  });
});

describe('applicability', () => {
  it('marks an item not applicable only with a justification', async () => {
    await openPage();
    fireEvent.click(itemNode(ASI, 'ASI04')!);
    const panel = await screen.findByTestId('item-panel');
    expect(within(panel).queryByTestId('item-na-justification')).toBeNull();
    fireEvent.click(within(panel).getByTestId('item-na-toggle'));
    const save = within(panel).getByTestId<HTMLButtonElement>('item-na-save');
    expect(save.disabled).toBe(true);
    const why = within(panel).getByTestId('item-na-justification');
    fireEvent.change(why, { target: { value: '   ' } });
    expect(save.disabled).toBe(true);
    fireEvent.submit(save.closest('form')!);
    expect(backend.calls.setNotApplicable).toEqual([]);
    fireEvent.change(why, { target: { value: ' We ship no third-party agents or tools. ' } });
    expect(save.disabled).toBe(false);
    const loads = backend.calls.coverage;
    fireEvent.click(save);
    await waitFor(() => expect(backend.calls.setNotApplicable).toHaveLength(1));
    expect(backend.calls.setNotApplicable[0]).toEqual({ framework: ASI, item: 'ASI04', justification: 'We ship no third-party agents or tools.' });
    await waitFor(() => expect(backend.calls.coverage).toBe(loads + 1));
  });

  it('shows why an item does not apply, and makes it applicable again', async () => {
    await openPage();
    fireEvent.click(itemNode(ASI, 'ASI05')!);
    const panel = await screen.findByTestId('item-panel');
    expect(panel.dataset.status).toBe('not-applicable');
    expect(within(panel).getByTestId('item-justification').textContent).toContain('No agent executes generated code');
    fireEvent.click(within(panel).getByTestId('item-applicable-again'));
    await waitFor(() => expect(backend.calls.setNotApplicable).toEqual([{ framework: ASI, item: 'ASI05', justification: null }]));
  });
});

describe('gaps', () => {
  it('groups the gaps by code with counts, for the framework shown or for all', async () => {
    await openPage();
    const groups = () => screen.getAllByTestId('gap-group').map((g) => [g.dataset.code, g.dataset.count]);
    expect(groups()).toEqual([
      ['check.failing', '13'],
      ['policy.never_fired', '2'],
      ['control.no_evidence', '1'],
      ['mapping.unresolved', '1'],
      ['item.no_control', '6'],
    ]);
    fireEvent.click(screen.getByTestId('gaps-all'));
    expect(groups().at(-1)).toEqual(['item.no_control', '156']);
  });

  it('links a gap to its control, its item and its policy', async () => {
    await openPage();
    const unresolved = document.querySelector<HTMLElement>('[data-testid="gap-group"][data-code="mapping.unresolved"]')!;
    const gap = within(unresolved).getByTestId('gap');
    expect(gap.textContent).toContain('did you mean T1 (owasp-agentic-threats-mitigations)?');
    fireEvent.click(within(gap).getByTestId('gap-control'));
    expect((await screen.findByTestId('control-drawer')).dataset.control).toBe('MND-DELEG-02');

    const never = document.querySelector<HTMLElement>('[data-testid="gap-group"][data-code="policy.never_fired"]')!;
    expect(within(never).getAllByTestId('gap-policy')[0]!.getAttribute('href')).toBe(policyHref('policies/billing.cedar', 2));

    const items = document.querySelector<HTMLElement>('[data-testid="gap-group"][data-code="item.no_control"]')!;
    fireEvent.click(within(items).getAllByTestId('gap-item')[0]!);
    expect((await screen.findByTestId('item-panel')).dataset.label).toBe('ASI01');
  });
});

describe('exports', () => {
  it('asks where to save, then has the core write the file and lists what it wrote', async () => {
    backend.savePath = '/home/ana/acme-alignment.csv';
    await openPage();
    fireEvent.click(screen.getByTestId('export-csv-alignment'));
    const result = await screen.findByTestId('export-result');
    expect(backend.calls.pickSavePath).toEqual([
      { title: 'Export coverage: CSV: alignment table', defaultName: 'coverage-alignment.csv', filters: [{ name: 'CSV', extensions: ['csv'] }] },
    ]);
    expect(backend.calls.exportCoverage).toEqual([{ format: 'csv', framework: null, table: 'alignment', out: '/home/ana/acme-alignment.csv' }]);
    expect(within(result).getByTestId('export-file').textContent).toBe('/home/ana/acme-alignment.csv');

    // One framework, OSCAL: the catalogs are written beside the component definition.
    backend.savePath = '/tmp/nist.json';
    backend.exportAnswer = (r) => ({ files: [r.out, '/tmp/catalog-nist-ai-rmf-1.0.json'] });
    fireEvent.change(screen.getByTestId('export-scope'), { target: { value: 'nist-ai-rmf-1.0' } });
    fireEvent.click(screen.getByTestId('export-oscal'));
    await waitFor(() => expect(backend.calls.exportCoverage).toHaveLength(2));
    expect(backend.calls.pickSavePath[1]!.defaultName).toBe('coverage-nist-ai-rmf-1.0-oscal.json');
    expect(backend.calls.exportCoverage[1]).toEqual({ format: 'oscal', framework: 'nist-ai-rmf-1.0', table: null, out: '/tmp/nist.json' });
    await waitFor(() => expect(screen.getAllByTestId('export-file').map((f) => f.textContent)).toEqual(['/tmp/nist.json', '/tmp/catalog-nist-ai-rmf-1.0.json']));
  });

  it('writes nothing when the dialog is cancelled, and shows a failed export by its code', async () => {
    await openPage();
    fireEvent.click(screen.getByTestId('export-html'));
    await waitFor(() => expect(backend.calls.pickSavePath).toHaveLength(1));
    expect(backend.calls.exportCoverage).toEqual([]);
    expect(screen.queryByTestId('export-result')).toBeNull();

    backend.savePath = '/readonly/coverage.md';
    backend.exportAnswer = () => {
      throw apiError('io', 'cannot write `/readonly/coverage.md`: permission denied');
    };
    fireEvent.click(screen.getByTestId('export-md'));
    const banner = await within(screen.getByTestId('fw-export')).findByTestId('error-banner');
    expect(banner.dataset.code).toBe('io');
    expect(banner.textContent).toContain('permission denied');
  });
});

describe('loading, errors and empty workspaces', () => {
  it('shows progress while the core computes', async () => {
    const gate = deferred();
    backend.coverageGate = gate.promise;
    renderWithBackend(backend, <FrameworksPage />);
    expect(screen.getByTestId('fw-loading')).toBeTruthy();
    gate.resolve();
    await screen.findByTestId('fw-tree');
    expect(screen.queryByTestId('fw-loading')).toBeNull();
  });

  it('shows controls_invalid with each problem’s file and line, and what to do', async () => {
    backend.coverageAnswer = () => {
      throw apiError('controls_invalid', 'the controls or framework files have 1 problem(s)', {
        help: 'fix them first (`mandate check`): coverage is computed from them',
        diagnostics: [
          diagnostic({ file: 'controls/controls.toml', line: 7, column: 1, code: 'controls::duplicate_id', message: 'duplicate control `A`' }),
        ],
      });
    };
    renderWithBackend(backend, <FrameworksPage />);
    const banner = await screen.findByTestId('error-banner');
    expect(banner.dataset.code).toBe('controls_invalid');
    expect(banner.textContent).toContain('controls/controls.toml:7:1');
    expect(banner.textContent).toContain('duplicate control `A`');
    expect(screen.getByTestId('error-hint').textContent).toMatch(/says where it is/);
    expect(screen.getByTestId('fw-controls-invalid').textContent).toMatch(/mandate check/);
    expect(screen.queryByTestId('fw-tree')).toBeNull();

    // Fixed on disk: the watcher brings coverage back.
    backend.coverageAnswer = () => coverageReport();
    act(() => backend.emitChange([{ kind: 'controls_changed', path: 'controls/controls.toml' }]));
    await screen.findByTestId('fw-tree');
    expect(screen.queryByTestId('error-banner')).toBeNull();
  });

  it('says there are no controls yet, and maps a library control, which adds it', async () => {
    backend.coverageAnswer = () => ({ ...coverageReport(), controls: [] });
    const lib: ControlStatus = {
      id: 'MND-STEPUP-01',
      title: 'Step-up approval for high-risk actions',
      statement: 'High and critical sensitivity tools need a human’s step-up approval per call.',
      rationale: '',
      checks: [],
      in_workspace: false,
      library_policies: ['step-up-for-sensitive-tools'],
      enforced_by: [],
    };
    backend.controlsView = { controls: [lib], diagnostics: [] };
    await openPage();
    const empty = screen.getByTestId('fw-empty');
    expect(empty.textContent).toMatch(/No controls yet/);
    fireEvent.change(within(empty).getByTestId('fw-library-control'), { target: { value: 'MND-STEPUP-01' } });
    fireEvent.click(within(empty).getByTestId('fw-library-map'));
    const drawer = await screen.findByTestId('control-drawer');
    expect(drawer.textContent).toContain('library control');
    fireEvent.click(within(drawer).getAllByTestId('adder-option')[0]!);
    fireEvent.click(within(drawer).getByTestId('adder-add'));
    fireEvent.click(within(drawer).getByTestId('control-save'));
    await waitFor(() =>
      expect(backend.calls.setControlMappings).toEqual([{ control: 'MND-STEPUP-01', mappings: [{ framework: ASI, item: 'ASI01', relevance: '' }] }]),
    );
  });

  it('recomputes when the workspace changes on disk', async () => {
    await openPage();
    expect(backend.calls.coverage).toBe(1);
    backend.coverageAnswer = () => {
      const r = coverageReport();
      r.frameworks[0]!.percent = 22.2;
      return r;
    };
    act(() => backend.emitChange([{ kind: 'policy_changed', path: 'policies/tools.cedar' }]));
    await waitFor(() => expect(within(fwNode(ASI)).getByTestId('fw-percent').textContent).toBe('22.2%'));
    expect(backend.calls.coverage).toBe(2);
  });
});
