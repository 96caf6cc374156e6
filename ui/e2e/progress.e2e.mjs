// End-to-end: a long operation in the real Mandate window (Tauri + WebKitWebDriver under
// Xvfb) against the real core, on a big workspace — the demo with 50,000 recorded requests
// (`mandate demo DIR --requests 50000`). Framework coverage re-evaluates every recorded
// request on the working copy, then reads them for insights: the Frameworks page must show
// the core's progress (a phase counting up to the 50,000 requests), Cancel must stop it into
// the cancelled state (no report, no error), and "Compute again" must run it to the report,
// which must be what the CLI computes. Run by scripts/e2e.sh (one file at a time).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, startApp, screenshot as saveScreenshot } from './driver.mjs';

const REQUESTS = 50_000;

let session;
let browser;
let demo;
/** What `mandate coverage` says for the same workspace. */
let expected;

before(async () => {
  demo = join(mkdtempSync(join(tmpdir(), 'mandate-e2e-progress-')), 'demo');
  // The demo organisation with its traffic generated and imported (set `production`).
  execFileSync(cli, ['demo', demo, '--requests', String(REQUESTS)], {
    env: { ...process.env, MANDATE_ACTOR: 'e2e@example.com' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const run = spawnSync(cli, ['-w', demo, '--format', 'json', 'coverage'], {
    encoding: 'utf8',
    env: { ...process.env, MANDATE_ACTOR: 'e2e@example.com' },
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.ok(run.status === 0 || run.status === 1, `mandate coverage failed (${run.status}): ${run.stderr}`);
  expected = JSON.parse(run.stdout);
  assert.equal(expected.traffic_set, 'production');
  session = await startApp(demo);
  browser = session.browser;
});

after(async () => {
  await session?.stop();
});

/** textContent, not getText: below the fold WebKit reports no text. */
const text = async (el) => String(await el.getProperty('textContent'));

test('coverage of 50,000 requests shows its progress, cancels into a clear state, then runs to the report', async () => {
  await (await browser.$('[data-testid="workspace-name"]')).waitForDisplayed({ timeout: 30_000 });
  // Straight to Frameworks: leaving the Dashboard cancels the cards it started computing.
  await (await browser.$('[data-testid="nav-frameworks"]')).click();
  await (await browser.$('[data-testid="page-frameworks"]')).waitForDisplayed({ timeout: 10_000 });

  const row = await browser.$('[data-testid="fw-loading"]');
  await row.waitForExist({ timeout: 30_000, timeoutMsg: 'no progress row while coverage computes' });
  const bar = await browser.$('[data-testid="fw-loading-bar"]');
  const caption = await browser.$('[data-testid="fw-loading-text"]');
  // A counted phase under way: the bar's maximum is the set's size, its value how far it got.
  await browser.waitUntil(
    async () => (await bar.getAttribute('max')) === String(REQUESTS) && Number(await bar.getAttribute('value')) > 0,
    { timeout: 120_000, interval: 50, timeoutMsg: 'the progress bar never counted the recorded requests' },
  );
  const shown = await text(caption);
  assert.match(shown, /(Deciding|Reading) recorded requests.*: [\d,.\s ]+ of 50[,.\s ]?000 \(\d+%\)/, shown);
  console.log(`# progress: ${shown}`);
  await saveScreenshot(browser, 'progress-coverage');

  await (await browser.$('[data-testid="fw-loading-cancel"]')).click();
  const notice = await browser.$('[data-testid="fw-cancelled"]');
  await notice.waitForExist({ timeout: 60_000, timeoutMsg: 'Cancel never ended the computation' });
  assert.match(await text(notice), /Cancelled — computing coverage stopped and nothing of it was kept\./);
  assert.equal(await (await browser.$('[data-testid="fw-loading"]')).isExisting(), false, 'still computing');
  assert.equal(await (await browser.$('[data-testid="fw-tree"]')).isExisting(), false, 'a report after a cancel');
  assert.equal(await (await browser.$('[data-testid="error-banner"]')).isExisting(), false, 'a cancel is not an error');

  // Run again, to the end.
  const started = Date.now();
  await (await browser.$('[data-testid="fw-cancelled-again"]')).click();
  await (await browser.$('[data-testid="fw-loading"]')).waitForExist({ timeout: 10_000 });
  await (await browser.$('[data-testid="fw-tree"]')).waitForExist({ timeout: 600_000, timeoutMsg: 'the coverage never arrived' });
  console.log(`# coverage of ${REQUESTS} requests computed in ${Date.now() - started} ms after "Compute again"`);
  assert.equal(await (await browser.$('[data-testid="fw-cancelled"]')).isExisting(), false);
  const basis = await text(await browser.$('[data-testid="fw-basis"]'));
  assert.match(basis, /recorded set production/);
  for (const f of expected.frameworks) {
    const node = await browser.$(`[data-testid="fw-node"][data-framework="${f.id}"]`);
    assert.equal(Number(await node.getAttribute('data-percent')), f.percent, `${f.id} percentage`);
  }
});
