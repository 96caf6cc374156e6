// End-to-end: the Simulate page in the real Mandate window (Tauri + WebKitWebDriver under
// Xvfb) against the real core. A copy of the demo workspace is committed to git, a permit is
// then deleted on disk, and the window imports the demo traffic, replays it with baseline
// `git:HEAD`, and must show the same number of changed decisions as the real CLI; then the
// changed results and one explanation. Run by scripts/e2e.sh, after app.e2e.mjs (one at a
// time, on the same ports).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, fill as fillInput, repo, startApp, screenshot as saveScreenshot } from './driver.mjs';

/** The permit deleted from the candidate; the demo traffic's tool calls depend on it. */
const REMOVED = 'permit-allowed-tools';

let session;
let browser;
let demo;

function git(args) {
  execFileSync('git', ['-c', 'user.name=Mandate E2E', '-c', 'user.email=e2e@example.com', ...args], { cwd: demo, stdio: 'pipe' });
}

/** The policy file text without the policy `id` (its annotations and body). */
function withoutPolicy(text, id) {
  const start = text.indexOf(`@id("${id}")`);
  assert.ok(start >= 0, `${id} is not in the file`);
  const next = text.indexOf('@id(', start + 1);
  return text.slice(0, start) + (next < 0 ? '' : text.slice(next));
}

before(async () => {
  demo = join(mkdtempSync(join(tmpdir(), 'mandate-e2e-sim-')), 'demo');
  cpSync(join(repo, 'examples', 'demo'), demo, { recursive: true, filter: (src) => !src.includes('.mandate') });
  // The demo's recorded traffic is generated (not in git): 5,000 requests, the same every run.
  execFileSync(cli, ['demo', '--traffic', join(demo, 'requests', 'traffic.jsonl'), '--requests', '5000']);
  writeFileSync(join(demo, '.gitignore'), '.mandate/\n');
  git(['init', '-q']);
  git(['add', '-A']);
  git(['commit', '-q', '-m', 'demo policies as reviewed']);
  // The change under review: the permit is gone from the working copy only.
  const tools = join(demo, 'policies', 'tools.cedar');
  writeFileSync(tools, withoutPolicy(readFileSync(tools, 'utf8'), REMOVED));

  session = await startApp(demo);
  browser = session.browser;
});

after(async () => {
  await session?.stop();
});


const fill = (selector, text) => fillInput(browser, selector, text);

const screenshot = (name) => saveScreenshot(browser, name);

/** `1,972` (any locale's grouping) → 1972. */
const number = (text) => Number(text.replace(/[^\d]/g, ''));

test('import the demo traffic, replay it against git:HEAD, read the changes and an explanation', async () => {
  const name = await browser.$('[data-testid="workspace-name"]');
  await name.waitForDisplayed({ timeout: 15_000 });
  await (await browser.$('[data-testid="nav-simulate"]')).click();
  await (await browser.$('[data-testid="page-simulate"]')).waitForDisplayed({ timeout: 5_000 });

  // Import through the dialog: a typed path, the set name suggested from the file name.
  const traffic = join(demo, 'requests', 'traffic.jsonl');
  const records = readFileSync(traffic, 'utf8').split('\n').filter((l) => l.trim()).length;
  const empty = await browser.$('[data-testid="simulate-empty"]');
  await empty.waitForDisplayed({ timeout: 10_000 });
  await (await browser.$('[data-testid="simulate-empty-import"]')).click();
  await (await browser.$('[data-testid="import-dialog"]')).waitForDisplayed({ timeout: 5_000 });
  await fill('[data-testid="import-path"]', traffic);
  assert.equal(await (await browser.$('[data-testid="import-set"]')).getValue(), 'traffic');
  await (await browser.$('[data-testid="import-submit"]')).click();
  const result = await browser.$('[data-testid="import-result"]');
  await result.waitForDisplayed({ timeout: 60_000, timeoutMsg: 'the import never finished' });
  assert.equal(number(await (await browser.$('[data-testid="import-kept"]')).getText()), records);
  assert.equal(number(await (await browser.$('[data-testid="import-skipped"]')).getText()), 0);
  await (await browser.$('[data-testid="import-done"]')).click();

  // Replay: the set just imported, baseline git:HEAD (the default), candidate the working copy.
  const setSelect = await browser.$('[data-testid="run-set"]');
  await setSelect.waitForDisplayed({ timeout: 10_000 });
  assert.equal(await setSelect.getValue(), 'traffic');
  assert.equal(await (await browser.$('[data-testid="run-baseline"]')).getValue(), 'git:HEAD');
  const started = Date.now();
  await (await browser.$('[data-testid="run-start"]')).click();
  const run = await browser.$('[data-testid="run-view"]');
  await run.waitForDisplayed({ timeout: 120_000, timeoutMsg: 'the replay never finished' });
  console.log(`# replay of ${records} requests shown ${Date.now() - started} ms after Run`);

  const metric = async (key) =>
    number(await (await browser.$(`[data-testid="sim-metric-${key}"] [data-testid="sim-metric-value"]`)).getText());
  const shown = {
    requests: await metric('requests'),
    changed: await metric('changed'),
    allow_to_deny: await metric('allow_to_deny'),
    deny_to_allow: await metric('deny_to_allow'),
  };

  // The real CLI on the same workspace and set decides the same.
  const { summary: cliSummary } = JSON.parse(
    execFileSync(cli, ['-w', demo, 'simulate', '--set', 'traffic', '--format', 'json'], {
      encoding: 'utf8',
      env: { ...process.env, MANDATE_ACTOR: 'e2e@example.com' },
    }),
  );
  assert.ok(cliSummary.changed > 0, `removing ${REMOVED} changed nothing: pick a permit the traffic hits`);
  assert.deepEqual(shown, {
    requests: cliSummary.requests,
    changed: cliSummary.changed,
    allow_to_deny: cliSummary.allow_to_deny,
    deny_to_allow: cliSummary.deny_to_allow,
  });
  assert.ok(
    (await (await browser.$('[data-testid="sim-policies"]')).getText()).includes(REMOVED),
    `${REMOVED} is not in the policies panel`,
  );

  // Only the changed decisions, paged from the store: the count matches the summary.
  const changedToggle = await browser.$('[data-testid="filter-changed"]');
  // Near the window's bottom edge a click can land on nothing; centre it first.
  await changedToggle.scrollIntoView({ block: 'center' });
  await changedToggle.click();
  await browser.waitUntil(async () => (await changedToggle.getAttribute('aria-pressed')) === 'true', {
    timeout: 5_000,
    timeoutMsg: 'the Changed toggle did not press',
  });
  const count = await browser.$('[data-testid="results-count"]');
  // textContent, not getText: the count may sit below the fold, where WebKit reports no text.
  const countText = async () => String(await count.getProperty('textContent'));
  await browser.waitUntil(async () => /matching/.test(await countText()), {
    timeout: 10_000,
    timeoutMsg: 'the Changed filter did not apply',
  });
  assert.equal(number(await countText()), cliSummary.changed);
  const first = await browser.$('[data-testid="result-row"]');
  await first.waitForDisplayed({ timeout: 10_000 });
  assert.equal(await first.getAttribute('data-changed'), 'true');

  // The explanation, both sides: the baseline allowed with the removed permit, the candidate
  // (which no longer has it) does not.
  await first.click();
  const panel = await browser.$('[data-testid="explain-panel"]');
  await panel.waitForDisplayed({ timeout: 10_000 });
  const baseline = await browser.$('[data-testid="explain-baseline"]');
  const candidate = await browser.$('[data-testid="explain-candidate"]');
  await baseline.waitForDisplayed({ timeout: 10_000 });
  await candidate.waitForDisplayed({ timeout: 10_000 });
  assert.equal(await baseline.getAttribute('data-decision'), 'allow');
  assert.equal(await candidate.getAttribute('data-decision'), 'deny');
  const baselineIds = [];
  for (const p of await baseline.$$('[data-testid="explain-determining"]')) baselineIds.push(await p.getAttribute('data-policy-id'));
  assert.ok(baselineIds.includes(REMOVED), `baseline determined by ${baselineIds}, not ${REMOVED}`);
  assert.match(await (await baseline.$('[data-testid="explain-location"]')).getText(), /tools\.cedar:\d+$/);
  await baseline.scrollIntoView({ block: 'start' });
  await screenshot('simulate');
});
