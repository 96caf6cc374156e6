// End-to-end: the Frameworks page in the real Mandate window (Tauri + WebKitWebDriver under
// Xvfb) against the real core. A copy of the demo workspace gets the demo traffic imported by
// the real CLI, so controls have evidence; the CLI's `mandate coverage` says what the page
// must show. The test maps an implemented control to an item no control covers yet, saves,
// and checks the item's status and the framework's percentage change on the page, in
// controls/controls.toml and in the CLI's report; then exports the CSV alignment table.
// Nothing is hard-coded: the demo's controls and mappings may change. Run by scripts/e2e.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, fill as fillInput, repo, startApp, screenshot as saveScreenshot, scrollToTop as scrollMainTo } from './driver.mjs';

let session;
let browser;
let temp;
let demo;
/** The CLI's coverage before the edit. */
let before0;
/** The framework, its uncovered item and the implemented control the test maps to it. */
let framework;
let item;
let control;

function cliJson(args) {
  const run = spawnSync(cli, ['-w', demo, '--format', 'json', ...args], {
    encoding: 'utf8',
    env: { ...process.env, MANDATE_ACTOR: 'e2e@example.com' },
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.ok(run.status === 0 || run.status === 1, `mandate ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout);
}

before(async () => {
  temp = mkdtempSync(join(tmpdir(), 'mandate-e2e-frameworks-'));
  demo = join(temp, 'demo');
  cpSync(join(repo, 'examples', 'demo'), demo, { recursive: true, filter: (src) => !src.includes('.mandate') });
  // The demo's recorded traffic is generated (not in git): 5,000 requests, the same every run.
  execFileSync(cli, ['demo', '--traffic', join(demo, 'requests', 'traffic.jsonl'), '--requests', '5000']);
  // Recorded traffic is what makes policies evidence: without it no control is implemented.
  const imported = spawnSync(cli, ['-w', demo, 'requests', 'import', 'requests/traffic.jsonl', '--set', 'traffic'], {
    encoding: 'utf8',
    cwd: demo,
    env: { ...process.env, MANDATE_ACTOR: 'e2e@example.com' },
  });
  assert.equal(imported.status, 0, `import failed: ${imported.stderr}`);

  before0 = cliJson(['coverage']);
  control = before0.controls.find((c) => c.status === 'implemented');
  assert.ok(control, 'no control of the demo is implemented: the percentage could not change');
  framework = before0.frameworks.find((f) => f.items.some((i) => i.assessable && i.status === 'uncovered'));
  assert.ok(framework, 'every item of every framework is covered: nothing left to map');
  item = framework.items.find((i) => i.assessable && i.status === 'uncovered');

  session = await startApp(demo);
  browser = session.browser;
});

after(async () => {
  await session?.stop();
});

const fill = (selector, text) => fillInput(browser, selector, text);

const screenshot = (name) => saveScreenshot(browser, name);

const scrollToTop = (selector) => scrollMainTo(browser, selector);

/** textContent, not getText: below the fold WebKit reports no text. */
const text = async (el) => String(await el.getProperty('textContent'));

const fwNode = () => browser.$(`[data-testid="fw-node"][data-framework="${framework.id}"]`);
const itemNode = () => browser.$(`[data-testid="item-node"][data-framework="${framework.id}"][data-label="${item.label}"]`);

/** The framework's percentage and counts as the tree shows them. */
async function shownCoverage() {
  const node = await fwNode();
  const count = async (what) => Number(await (await node.$(`[data-testid="fw-count-${what}"]`)).getAttribute('data-count'));
  return {
    percent: Number.parseFloat(await text(await node.$('[data-testid="fw-percent"]'))),
    implemented: await count('implemented'),
    partial: await count('partial'),
    planned: await count('planned'),
    uncovered: await count('uncovered'),
    not_applicable: await count('not-applicable'),
  };
}

const counts = (f) => ({
  percent: f.percent,
  implemented: f.implemented,
  partial: f.partial,
  planned: f.planned,
  uncovered: f.uncovered,
  not_applicable: f.not_applicable,
});

test('mapping an implemented control to an uncovered item raises the framework’s coverage, on the page and on disk', async () => {
  await (await browser.$('[data-testid="workspace-name"]')).waitForDisplayed({ timeout: 15_000 });
  const nav = await browser.$('[data-testid="nav-frameworks"]');
  assert.equal(await nav.getText(), 'Frameworks');
  await nav.click();
  await (await browser.$('[data-testid="page-frameworks"]')).waitForDisplayed({ timeout: 5_000 });
  const started = Date.now();
  await (await fwNode()).waitForDisplayed({ timeout: 60_000, timeoutMsg: 'the coverage never arrived' });
  console.log(`# coverage shown ${Date.now() - started} ms after opening the page`);

  // The tree shows what the CLI computes, for every framework.
  for (const f of before0.frameworks) {
    const node = await browser.$(`[data-testid="fw-node"][data-framework="${f.id}"]`);
    assert.equal(Number(await node.getAttribute('data-percent')), f.percent, `${f.id} percentage`);
  }
  const shown0 = await shownCoverage();
  assert.deepEqual(shown0, counts(framework));

  // The item, found in the tree (its framework opened), is uncovered.
  const node = await fwNode();
  await node.click();
  if ((await node.getAttribute('aria-expanded')) !== 'true') await (await node.$('.fw-twisty')).click();
  const row = await itemNode();
  await row.waitForExist({ timeout: 5_000, timeoutMsg: `${item.label} is not in the tree` });
  // Items show their label, never an internal key.
  assert.ok((await text(row)).includes(item.label));
  assert.equal(await row.getAttribute('data-status'), 'uncovered');
  await row.scrollIntoView({ block: 'center' });
  await row.click();
  const panel = await browser.$('[data-testid="item-panel"]');
  await panel.waitForDisplayed({ timeout: 5_000 });
  assert.equal(await panel.getAttribute('data-label'), item.label);
  assert.equal(await panel.getAttribute('data-status'), 'uncovered');
  assert.equal(
    await text(await browser.$('[data-testid="item-text-kind"]')),
    item.text_is_official ? 'Official text' : 'Summary',
  );
  // Its column in the matrix says the same.
  const col = await browser.$(`[data-testid="matrix-col"][data-label="${item.label}"]`);
  assert.equal(await col.getAttribute('data-status'), 'uncovered');

  // Open the control from its row of the matrix and map it to the item.
  const rowHead = await browser.$(`[data-testid="matrix-control"][data-control="${control.id}"]`);
  await rowHead.scrollIntoView({ block: 'center' });
  await rowHead.click();
  const drawer = await browser.$(`[data-testid="control-drawer"][data-control="${control.id}"]`);
  await drawer.waitForDisplayed({ timeout: 5_000 });
  assert.equal(await drawer.getAttribute('data-status'), 'implemented');
  assert.equal((await browser.$$('[data-testid="control-drawer"] [data-testid="evidence"]')).length, control.evidence.length);
  const mappingsBefore = (await browser.$$('[data-testid="control-drawer"] [data-testid="mapping"]')).length;
  assert.equal(mappingsBefore, control.mappings.length);

  await (await browser.$('[data-testid="adder-framework"]')).selectByAttribute('value', framework.id);
  await fill('[data-testid="adder-search"]', item.label);
  const option = await browser.$(`[data-testid="adder-option"][data-label="${item.label}"]`);
  await option.waitForExist({ timeout: 5_000, timeoutMsg: `${item.label} is not offered` });
  await option.scrollIntoView({ block: 'center' });
  await option.click();
  await fill('[data-testid="adder-relevance"]', 'Mapped by the end-to-end test.');
  const add = await browser.$('[data-testid="adder-add"]');
  await browser.waitUntil(() => add.isEnabled(), { timeout: 5_000, timeoutMsg: 'the item was not chosen' });
  await add.click();
  const added = await browser.$(`[data-testid="mapping"][data-state="added"][data-label="${item.label}"]`);
  await added.waitForExist({ timeout: 5_000 });
  assert.equal(await drawer.getAttribute('data-dirty'), 'true');
  await (await browser.$('[data-testid="control-save"]')).click();

  // Saved and recomputed: the item takes the control's status, the framework's percentage rises.
  await browser.waitUntil(async () => (await (await itemNode()).getAttribute('data-status')) === 'implemented', {
    timeout: 60_000,
    timeoutMsg: `${item.label} did not become implemented`,
  });
  assert.equal(await drawer.getAttribute('data-dirty'), 'false');
  assert.equal((await browser.$$('[data-testid="control-drawer"] [data-testid="mapping"]')).length, mappingsBefore + 1);
  const after1 = cliJson(['coverage']);
  const fw1 = after1.frameworks.find((f) => f.id === framework.id);
  assert.equal(fw1.items.find((i) => i.key === item.key).status, 'implemented');
  const shown1 = await shownCoverage();
  assert.deepEqual(shown1, counts(fw1));
  assert.equal(shown1.implemented, shown0.implemented + 1);
  assert.equal(shown1.uncovered, shown0.uncovered - 1);
  assert.ok(shown1.percent > shown0.percent, `the percentage went from ${shown0.percent} to ${shown1.percent}`);
  assert.equal(Number.parseFloat(await text(await browser.$('[data-testid="fw-summary-percent"]'))), fw1.percent);
  assert.equal(await (await browser.$(`[data-testid="matrix-col"][data-label="${item.label}"]`)).getAttribute('data-status'), 'implemented');
  const cell = await browser.$(`[data-testid="matrix-cell"][data-control="${control.id}"][data-item="${item.label}"]`);
  assert.equal(await cell.getAttribute('data-status'), 'implemented');

  // On disk: the control's block in controls/controls.toml names the item.
  const toml = readFileSync(join(demo, 'controls', 'controls.toml'), 'utf8');
  const block = toml.split('[[controls]]').find((b) => b.includes(`id = "${control.id}"`));
  assert.ok(block, `${control.id} is not in controls.toml`);
  assert.ok(block.includes(`framework = "${framework.id}"`), `${control.id} does not name ${framework.id}`);
  assert.ok(block.includes(`item = "${item.label}"`), `${control.id} does not name ${item.label}`);
  assert.ok(block.includes('relevance = "Mapped by the end-to-end test."'));

  // The screenshots for the README: the control with its evidence and mappings, then the
  // framework's summary over the heatmap.
  await scrollToTop('[data-testid="page-frameworks"]');
  await screenshot('frameworks-control');
  await (await browser.$('[data-testid="control-close"]')).click();
  await drawer.waitForDisplayed({ reverse: true, timeout: 5_000 });
  await (await browser.$('[data-testid="item-panel-close"]')).click();
  await scrollToTop('[data-testid="fw-summary"]');
  await screenshot('frameworks');
});

test('the CSV alignment table is exported to the file chosen', async () => {
  // The save dialog is native: the shell's e2e seam answers it with this path (outside the
  // workspace, so only the dialog's answer lets the export write there).
  const out = join(temp, 'exports', 'alignment.csv');
  mkdirSync(join(temp, 'exports'), { recursive: true });
  session.pick(out);
  const button = await browser.$('[data-testid="export-csv-alignment"]');
  await button.scrollIntoView({ block: 'center' });
  await button.click();
  const result = await browser.$('[data-testid="export-result"]');
  const failed = await browser.$('[data-testid="fw-export"] [data-testid="error-banner"]');
  await browser.waitUntil(async () => (await result.isExisting()) || (await failed.isExisting()), {
    timeout: 60_000,
    timeoutMsg: 'the export neither finished nor failed',
  });
  if (await failed.isExisting()) {
    assert.fail(`the export failed (${await failed.getAttribute('data-code')}): ${await text(failed)}`);
  }
  const files = [];
  for (const f of await browser.$$('[data-testid="export-file"]')) files.push(await text(f));
  assert.equal(files[0], out);
  assert.ok(existsSync(out), `${out} was not written`);
  const lines = readFileSync(out, 'utf8').split(/\r?\n/);
  assert.equal(lines[0], 'Framework,Control / Reference,Relevance');
  const row = lines.find((l) => l.includes(`${control.id} → ${item.label}`));
  assert.ok(row, `no row maps ${control.id} to ${item.label}:\n${lines.slice(0, 20).join('\n')}`);
  assert.ok(row.startsWith(framework.short_title.includes(',') ? `"${framework.short_title}"` : framework.short_title));
  assert.ok(row.includes('Mapped by the end-to-end test.'));
});
