import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiError } from '../../bindings/ApiError';
import { policyHref } from '../../lib/route';
import { analysis, deferred, FakeBackend } from '../../test/fakeBackend';
import { renderWithBackend } from '../../test/render';
import { AnalysisView, forgetAnalyses } from './AnalysisView';

let backend: FakeBackend;
beforeEach(() => {
  backend = new FakeBackend();
  forgetAnalyses();
});

async function runAnalysis() {
  renderWithBackend(backend, <AnalysisView />);
  fireEvent.click(screen.getByTestId('analysis-run'));
  await screen.findByTestId('analysis-result');
}

const row = (label: string) => {
  const found = screen.getAllByTestId('analysis-env-row').find((r) => r.dataset.env === label);
  if (!found) throw new Error(`no row ${label}`);
  return found;
};

describe('the form', () => {
  it('starts with git:HEAD against the working copy, both kinds ticked, and says what to do', () => {
    renderWithBackend(backend, <AnalysisView />);
    expect(screen.getByLabelText<HTMLInputElement>('Baseline').value).toBe('git:HEAD');
    expect(screen.getByLabelText<HTMLInputElement>('Candidate').placeholder).toBe('working copy');
    expect(screen.getByLabelText<HTMLInputElement>('Time limit per query (ms)').value).toBe('');
    expect(screen.getByTestId<HTMLInputElement>('analysis-diff').checked).toBe(true);
    expect(screen.getByTestId<HTMLInputElement>('analysis-findings-check').checked).toBe(true);
    expect(screen.getByTestId('analysis-empty').textContent).toMatch(/press Run analysis/);
  });

  it('sends what was filled in', async () => {
    renderWithBackend(backend, <AnalysisView />);
    fireEvent.change(screen.getByLabelText('Baseline'), { target: { value: '@none' } });
    fireEvent.change(screen.getByLabelText('Candidate'), { target: { value: 'policies-next/' } });
    fireEvent.change(screen.getByLabelText('Time limit per query (ms)'), { target: { value: '5000' } });
    fireEvent.click(screen.getByTestId('analysis-findings-check'));
    fireEvent.click(screen.getByTestId('analysis-run'));
    await screen.findByTestId('analysis-result');
    expect(backend.calls.analyze).toEqual([
      { baseline: '@none', candidate: 'policies-next/', time_limit_ms: 5000, no_diff: false, no_findings: true },
    ]);
    expect(screen.getByTestId('analysis-findings-skipped')).toBeTruthy();
    expect(screen.queryByTestId('analysis-findings')).toBeNull();
  });

  it('refuses to run with nothing to prove or a bad time limit, and skips the baseline without a diff', async () => {
    renderWithBackend(backend, <AnalysisView />);
    const runButton = screen.getByTestId<HTMLButtonElement>('analysis-run');
    fireEvent.change(screen.getByLabelText('Time limit per query (ms)'), { target: { value: '10s' } });
    expect(runButton.disabled).toBe(true);
    expect(screen.getByTestId('analysis-form-problem').textContent).toMatch(/whole number of milliseconds/);
    fireEvent.change(screen.getByLabelText('Time limit per query (ms)'), { target: { value: '' } });
    fireEvent.click(screen.getByTestId('analysis-diff'));
    fireEvent.click(screen.getByTestId('analysis-findings-check'));
    expect(runButton.disabled).toBe(true);
    expect(screen.getByTestId('analysis-form-problem').textContent).toBe('Choose Diff, Findings or both.');
    fireEvent.click(screen.getByTestId('analysis-findings-check'));
    expect(screen.getByLabelText<HTMLInputElement>('Baseline').disabled).toBe(true);
    fireEvent.click(runButton);
    await screen.findByTestId('analysis-result');
    expect(backend.calls.analyze).toEqual([{ no_diff: true, no_findings: false }]);
    expect(screen.getByTestId('analysis-diff-skipped')).toBeTruthy();
    expect(screen.queryByTestId('analysis-envs')).toBeNull();
  });
});

describe('the result', () => {
  it('shows the solver, a count per relation and one row per environment with its relation and time', async () => {
    await runAnalysis();
    const solver = screen.getByTestId('analysis-solver');
    expect(solver.textContent).toContain('cvc5 1.4.2');
    expect(solver.textContent).toContain('/work/main/target/solver-venv/bin/cvc5');
    expect(screen.queryByTestId('analysis-solver-caveat')).toBeNull();
    expect(screen.getByTestId('analysis-title').textContent).toMatch(/git:HEAD → working copy · 41 solver queries in 12\.5 s/);

    const rows = screen.getAllByTestId('analysis-env-row');
    expect(rows.map((r) => [r.dataset.env, r.dataset.relation])).toEqual([
      ['Agent × invoke_model × Model', 'equivalent'],
      ['Agent × invoke_tool × Tool', 'more-permissive'],
      ['Agent × read_data × Dataset', 'less-permissive'],
      ['Agent × write_data × Dataset', 'unknown'],
    ]);
    const badge = within(row('Agent × invoke_tool × Tool')).getByTestId('analysis-relation');
    expect(badge.textContent).toBe('more-permissive');
    expect(badge.className).toContain('relation-error');
    expect(within(row('Agent × invoke_model × Model')).getByTestId('analysis-relation').className).toContain('relation-ok');
    expect(row('Agent × invoke_tool × Tool').textContent).toContain('245 ms');
    // Nothing to expand on an equivalent row; an unknown one says why.
    expect(within(row('Agent × invoke_model × Model')).queryByTestId('analysis-env-toggle')).toBeNull();
    expect(within(row('Agent × write_data × Dataset')).getByTestId('analysis-env-problem').textContent).toBe(
      'cvc5 1.4.2 gave no answer within 10000 ms',
    );
    expect(within(screen.getByTestId('analysis-metric-more-permissive')).getByText('1')).toBeTruthy();
    expect(within(screen.getByTestId('analysis-metric-incomparable')).getByText('0')).toBeTruthy();
    expect(within(screen.getByTestId('analysis-metric-findings')).getByText('3')).toBeTruthy();
  });

  it('expands a row to its counterexample: direction, the request readably, and the replay of both sides', async () => {
    await runAnalysis();
    const toggle = within(row('Agent × invoke_tool × Tool')).getByTestId('analysis-env-toggle');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByTestId('analysis-cex')).toBeNull();
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const detail = screen.getByTestId('analysis-env-detail');
    expect(toggle.getAttribute('aria-controls')).toBe(detail.id);

    const cex = within(detail).getByTestId('analysis-cex');
    expect(within(cex).getByTestId('analysis-cex-direction').textContent).toBe('Candidate allows, baseline denies');
    expect(within(cex).getByTestId('witness-principal').textContent).toBe('Acme::Agent::"billing-bot"');
    expect([...within(cex).getByTestId('witness-context').querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      'env = "prod"',
      'issuance_path = "workload"',
      'step_up_approved = true',
    ]);
    const entities = within(cex).getAllByTestId('witness-entity');
    expect(entities[0]!.textContent).toContain('accountable = Acme::Human::"dana"');
    expect(entities[1]!.textContent).toContain('Acme::Tool::"stripe.refund" in Acme::ToolGroup::"observability"');
    expect(entities[1]!.textContent).toContain('sensitivity = "high"');
    // The entities the request does not name wait behind a disclosure.
    expect(within(cex).getByText('2 more entities')).toBeTruthy();

    const baseline = within(cex).getByTestId('analysis-cex-baseline');
    const candidate = within(cex).getByTestId('analysis-cex-candidate');
    expect(baseline.dataset.decision).toBe('deny');
    expect(within(baseline).getByTestId('analysis-decision').textContent).toBe('Deny');
    expect(baseline.textContent).toContain('default deny');
    expect(candidate.dataset.decision).toBe('allow');
    expect(within(candidate).getAllByTestId('analysis-reason').map((r) => r.textContent)).toEqual(['permit-allowed-tools']);
    expect(within(cex).getByTestId('analysis-confirmed').dataset.confirmed).toBe('true');

    fireEvent.click(toggle);
    expect(screen.queryByTestId('analysis-cex')).toBeNull();
  });

  it('marks a counterexample the replay did not confirm', async () => {
    await runAnalysis();
    fireEvent.click(within(row('Agent × read_data × Dataset')).getByTestId('analysis-env-toggle'));
    const cex = screen.getByTestId('analysis-cex');
    expect(cex.dataset.direction).toBe('candidate-denies');
    expect(within(cex).getByTestId('analysis-cex-direction').textContent).toBe('Candidate denies, baseline allows');
    const mark = within(cex).getByTestId('analysis-confirmed');
    expect(mark.dataset.confirmed).toBe('false');
    expect(mark.textContent).toBe('not confirmed');
    expect(within(cex).getByText('none')).toBeTruthy();
  });

  it('lists the findings with severity, ids, environments and a link to the policy at its line', async () => {
    await runAnalysis();
    const findings = screen.getAllByTestId('analysis-finding');
    expect(findings.map((f) => [f.dataset.kind, f.dataset.policy])).toEqual([
      ['fail-open', 'forbid-long-ttl'],
      ['shadowed-permit', 'permit-billing-refunds'],
      ['never-matches', 'legacy-exporter-writes-nothing'],
    ]);
    const [failOpen, shadowed, dead] = findings as [HTMLElement, HTMLElement, HTMLElement];
    expect(within(failOpen).getByText('error').className).toContain('badge-error');
    expect(within(failOpen).getByText('Fail-open forbid')).toBeTruthy();
    const link = within(failOpen).getByTestId('analysis-finding-link');
    expect(link.getAttribute('href')).toBe(policyHref('policies/credentials.cedar', 12));
    expect(link.textContent).toBe('policies/credentials.cedar:12');
    expect(within(failOpen).getByTestId('analysis-finding-envs').textContent).toBe('Agent × request_credential × Tool');
    // The request that makes the forbid error, replayed: it errored, as proved.
    expect(within(failOpen).getByTestId('analysis-finding-outcome').dataset.errored).toBe('true');
    expect(within(failOpen).getByTestId('analysis-confirmed').dataset.confirmed).toBe('true');
    expect(within(failOpen).getByTestId('witness-context').textContent).toContain('ttl_seconds = ≈9223372036854775808');

    expect(within(shadowed).getByTestId('analysis-finding-other').textContent).toBe('permit-allowed-tools');
    expect(within(shadowed).getByTestId('analysis-finding-link').getAttribute('href')).toBe(policyHref('policies/tools.cedar', 30));
    expect(within(shadowed).queryByTestId('analysis-finding-witness')).toBeNull();
    expect(within(dead).getByTestId('analysis-finding-envs').textContent).toBe('every environment');
    expect(within(dead).queryByTestId('analysis-finding-link')).toBeNull();
  });

  it('lists the problems with their environment, query, message and help', async () => {
    await runAnalysis();
    const problems = screen.getAllByTestId('analysis-problem');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.textContent).toContain('Agent × write_data × Dataset');
    expect(problems[0]!.textContent).toContain('baseline ⇒ candidate');
    expect(problems[0]!.textContent).toContain('gave no answer within 10000 ms');
    expect(problems[0]!.textContent).toContain('raise the time limit');
  });

  it('says so when there is nothing to report, and warns about the solver', async () => {
    backend.analysisAnswer = () =>
      analysis({
        solver: { kind: 'z3', path: 'z3', version: '4.15.4', source: 'PATH', caveat: 'z3 has no theory of finite sets: set-based policies may be unknown' },
        findings: [],
        problems: [],
      });
    await runAnalysis();
    expect(screen.getByTestId('analysis-findings-none').textContent).toMatch(/No findings/);
    expect(screen.queryByTestId('analysis-problems')).toBeNull();
    expect(screen.getByTestId('analysis-solver-caveat').textContent).toContain('z3 has no theory of finite sets');
  });

  it('marks the result out of date when the policies change on disk', async () => {
    await runAnalysis();
    act(() => backend.emitChange([{ kind: 'controls_changed', path: 'controls/controls.toml' }]));
    expect(screen.queryByTestId('analysis-stale')).toBeNull();
    act(() => backend.emitChange([{ kind: 'policy_changed', path: 'policies/tools.cedar' }]));
    expect(screen.getByTestId('analysis-stale')).toBeTruthy();
  });
});

describe('running', () => {
  it('shows progress while the solver works, and Cancel keeps nothing', async () => {
    const gate = deferred();
    backend.analysisGate = gate.promise;
    renderWithBackend(backend, <AnalysisView />);
    fireEvent.click(screen.getByTestId('analysis-run'));
    const progress = await screen.findByTestId('analysis-progress');
    expect(screen.getByTestId<HTMLButtonElement>('analysis-run').disabled).toBe(true);
    expect(screen.getByTestId<HTMLInputElement>('analysis-baseline').disabled).toBe(true);
    expect(screen.queryByTestId('analysis-empty')).toBeNull();
    fireEvent.click(within(progress).getByTestId('analysis-cancel'));
    expect(backend.calls.cancelAnalysis).toBe(1);
    const notice = await screen.findByTestId('analysis-cancelled');
    expect(notice.textContent).toMatch(/^Cancelled\./);
    expect(screen.queryByTestId('analysis-progress')).toBeNull();
    expect(screen.queryByTestId('analysis-result')).toBeNull();
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect(screen.getByTestId<HTMLButtonElement>('analysis-run').disabled).toBe(false);
  });

  it('drops the previous result when a new run starts', async () => {
    await runAnalysis();
    const gate = deferred();
    backend.analysisGate = gate.promise;
    fireEvent.click(screen.getByTestId('analysis-run'));
    await screen.findByTestId('analysis-progress');
    expect(screen.queryByTestId('analysis-result')).toBeNull();
    await act(async () => {
      gate.resolve();
      await Promise.resolve();
    });
    await screen.findByTestId('analysis-result');
  });

  it('cancels the running analysis when the view goes away', async () => {
    backend.analysisGate = deferred().promise;
    const { unmount } = renderWithBackend(backend, <AnalysisView />);
    fireEvent.click(screen.getByTestId('analysis-run'));
    await screen.findByTestId('analysis-progress');
    unmount();
    expect(backend.calls.cancelAnalysis).toBe(1);
  });

  it('shows a missing solver with its help and what to do', async () => {
    const missing: ApiError = {
      code: 'solver_unavailable',
      message: 'no SMT solver could be started: `cvc5` (PATH): not found',
      help: 'run `bash scripts/deps.sh` (it installs cvc5 1.4 and Z3 from PyPI into target/solver-venv)',
      diagnostics: [],
    };
    backend.analysisAnswer = () => {
      throw missing;
    };
    renderWithBackend(backend, <AnalysisView />);
    fireEvent.click(screen.getByTestId('analysis-run'));
    const banner = await screen.findByTestId('error-banner');
    expect(banner.dataset.code).toBe('solver_unavailable');
    expect(banner.textContent).toContain('No SMT solver for the analysis');
    expect(within(banner).getByTestId('error-message').textContent).toBe(missing.message);
    expect(banner.textContent).toContain('into target/solver-venv');
    expect(within(banner).getByTestId('error-hint').textContent).toMatch(/needs an SMT solver/);
    expect(screen.queryByTestId('analysis-result')).toBeNull();
    expect(screen.queryByTestId('analysis-empty')).toBeNull();
    await waitFor(() => expect(screen.getByTestId<HTMLButtonElement>('analysis-run').disabled).toBe(false));
  });
});

describe('coming back', () => {
  it("remembers the workspace's last result for the session, and says it may miss later saves", async () => {
    const first = renderWithBackend(backend, <AnalysisView root="/ws/acme" />);
    fireEvent.change(screen.getByLabelText('Baseline'), { target: { value: '@none' } });
    fireEvent.click(screen.getByTestId('analysis-run'));
    await screen.findByTestId('analysis-result');
    expect(screen.queryByTestId('analysis-restored')).toBeNull();
    first.unmount();

    const again = renderWithBackend(backend, <AnalysisView root="/ws/acme" />);
    expect(screen.getByTestId('analysis-result')).toBeTruthy();
    expect(screen.getByTestId('analysis-restored').textContent).toMatch(/policies saved since then are not in it/);
    expect(screen.getByLabelText<HTMLInputElement>('Baseline').value).toBe('@none');
    again.unmount();

    // Another workspace has nothing to show.
    const other = renderWithBackend(backend, <AnalysisView root="/ws/other" />);
    expect(screen.getByTestId('analysis-empty')).toBeTruthy();
    other.unmount();

    // A run that is cancelled keeps nothing, not even the result before it.
    backend.analysisGate = deferred().promise;
    const cancelled = renderWithBackend(backend, <AnalysisView root="/ws/acme" />);
    fireEvent.click(screen.getByTestId('analysis-run'));
    fireEvent.click(await screen.findByTestId('analysis-cancel'));
    await screen.findByTestId('analysis-cancelled');
    cancelled.unmount();
    renderWithBackend(backend, <AnalysisView root="/ws/acme" />);
    expect(screen.getByTestId('analysis-empty')).toBeTruthy();
  });
});
