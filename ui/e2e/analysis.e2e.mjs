// End-to-end: the Analysis tab of the Simulate page in the real Mandate window (Tauri +
// WebKitWebDriver under Xvfb) against the real core and the real solver (cvc5, installed by
// scripts/deps.sh as target/solver-venv/bin/cvc5, which the app finds beside its binary's
// checkout). A copy of the demo workspace is analysed against no policies at all (`@none`):
// the window must show the same relation per environment as the real CLI, and the
// `invoke_tool` environment, more permissive, must expand to a counterexample whose replay
// confirms it (baseline deny, candidate allow). Run by scripts/e2e.sh, one file at a time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, fill, repo, screenshot, scrollToTop, startApp } from './driver.mjs';

/** The environment the demo's tool permits make more permissive than no policies. */
const TOOLS = 'Agent × invoke_tool × Tool';

let session;
let browser;
let demo;

before(async () => {
  demo = join(mkdtempSync(join(tmpdir(), 'mandate-e2e-analysis-')), 'demo');
  cpSync(join(repo, 'examples', 'demo'), demo, { recursive: true, filter: (src) => !src.includes('.mandate') });
  session = await startApp(demo);
  browser = session.browser;
});

after(async () => {
  await session?.stop();
});

/** `Acme::Agent` → `Agent`, as the window names environments. */
const short = (type) => type.split('::').pop();

test('analyse the demo against no policies: relations as the CLI proves them, a confirmed counterexample', async () => {
  await (await browser.$('[data-testid="workspace-name"]')).waitForDisplayed({ timeout: 15_000 });
  await (await browser.$('[data-testid="nav-simulate"]')).click();
  await (await browser.$('[data-testid="page-simulate"]')).waitForDisplayed({ timeout: 5_000 });
  await (await browser.$('[data-testid="simulate-tab-analysis"]')).click();
  await (await browser.$('[data-testid="analysis-empty"]')).waitForDisplayed({ timeout: 5_000 });
  assert.match(await browser.execute(() => window.location.hash), /^#\/simulate\/analysis$/);

  assert.equal(await (await browser.$('[data-testid="analysis-baseline"]')).getValue(), 'git:HEAD');
  await fill(browser, '[data-testid="analysis-baseline"]', '@none');
  const started = Date.now();
  await (await browser.$('[data-testid="analysis-run"]')).click();
  await (await browser.$('[data-testid="analysis-result"]')).waitForDisplayed({
    timeout: 180_000,
    timeoutMsg: 'the analysis never finished',
  });
  console.log(`# analysis shown ${Date.now() - started} ms after Run`);
  assert.equal(await (await browser.$('[data-testid="error-banner"]')).isExisting(), false, 'the analysis failed');
  assert.match(await (await browser.$('[data-testid="analysis-solver"]')).getText(), /cvc5/);

  // One row per environment, each with the relation the real CLI proves on the same workspace.
  const rows = await browser.$$('[data-testid="analysis-env-row"]');
  const shown = {};
  for (const row of rows) shown[await row.getAttribute('data-env')] = await row.getAttribute('data-relation');
  const fromCli = JSON.parse(
    execFileSync(cli, ['-w', demo, 'analyze', '--baseline', '@none', '--no-findings', '--format', 'json'], { encoding: 'utf8' }),
  );
  const expected = {};
  for (const e of fromCli.environments) {
    expected[`${short(e.principal_type)} × ${e.action} × ${short(e.resource_type)}`] = e.relation;
  }
  assert.deepEqual(shown, expected);
  assert.equal(shown[TOOLS], 'more-permissive');

  const tools = await browser.$(`[data-testid="analysis-env-row"][data-env="${TOOLS}"]`);
  assert.equal(await (await tools.$('[data-testid="analysis-relation"]')).getText(), 'more-permissive');

  // Expanded: the counterexample, replayed concretely on both sides.
  const toggle = await tools.$('[data-testid="analysis-env-toggle"]');
  await toggle.scrollIntoView({ block: 'center' });
  await toggle.click();
  await browser.waitUntil(async () => (await toggle.getAttribute('aria-expanded')) === 'true', {
    timeout: 5_000,
    timeoutMsg: 'the environment row did not expand',
  });
  const cex = await browser.$('[data-testid="analysis-env-detail"] [data-testid="analysis-cex"]');
  await cex.waitForDisplayed({ timeout: 5_000 });
  assert.equal(await cex.getAttribute('data-direction'), 'candidate-allows');
  assert.equal(await (await cex.$('[data-testid="analysis-cex-direction"]')).getText(), 'Candidate allows, baseline denies');
  assert.equal(await cex.getAttribute('data-confirmed'), 'true');
  // textContent: the badge is drawn in capitals, which getText reports.
  assert.equal(await (await cex.$('[data-testid="analysis-confirmed"]')).getProperty('textContent'), 'confirmed');
  const baseline = await cex.$('[data-testid="analysis-cex-baseline"]');
  const candidate = await cex.$('[data-testid="analysis-cex-candidate"]');
  assert.equal(await baseline.getAttribute('data-decision'), 'deny');
  assert.equal(await candidate.getAttribute('data-decision'), 'allow');
  const reasons = [];
  for (const r of await candidate.$$('[data-testid="analysis-reason"]')) reasons.push(await r.getText());
  assert.ok(reasons.length > 0, 'the candidate allowed with no determining permit');
  assert.match(await (await cex.$('[data-testid="witness-principal"]')).getText(), /^Acme::Agent::"/);

  await scrollToTop(browser, '[data-testid="analysis-title"]');
  await screenshot(browser, 'analysis');
});
