// End-to-end: the Publish page in the real Mandate window (Tauri + WebKitWebDriver under
// Xvfb) against the real core. A copy of the demo workspace is made publishable by the real
// CLI: committed to git, its gates relaxed where the demo is deliberately imperfect (an
// agent without an accountable human, a few erroring requests) and set to one approval,
// the traffic imported, two keys made in a temp keys folder (Dana's trusted first, Bob's
// trusted by Dana), and a review against nothing published approved by Bob. In the window
// Dana builds 1.0.0, sees the approvals gate fail, has her own approval refused, approves as
// Bob, sees the gate pass, and publishes; the history shows 1.0.0 verified, and so does
// the CLI. Run by scripts/e2e.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, fill as fillInput, repo, scrollToTop as scrollMainTo, screenshot as saveScreenshot, startApp } from './driver.mjs';

const DANA = 'dana@acme.example';
const BOB = 'bob@acme.example';

let session;
let browser;
let temp;
let demo;
let keysDir;
let danaKey;
let bobKey;

/** Runs the CLI in the demo copy as `actor`; fails the test on a non-zero exit. */
function mandate(args, { actor = DANA, json = false } = {}) {
  const run = spawnSync(cli, ['-w', demo, ...(json ? ['--format', 'json'] : []), ...args], {
    encoding: 'utf8',
    cwd: demo,
    env: { ...process.env, MANDATE_ACTOR: actor, MANDATE_KEYS_DIR: keysDir },
    maxBuffer: 64 * 1024 * 1024,
  });
  return run;
}

function mandateOk(args, options) {
  const run = mandate(args, options);
  assert.equal(run.status, 0, `mandate ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return options?.json ? JSON.parse(run.stdout) : run.stdout;
}

function git(args) {
  execFileSync('git', ['-c', 'user.name=Mandate E2E', '-c', 'user.email=e2e@example.com', ...args], { cwd: demo, stdio: 'pipe' });
}

before(async () => {
  temp = mkdtempSync(join(tmpdir(), 'mandate-e2e-publish-'));
  demo = join(temp, 'demo');
  keysDir = join(temp, 'keys');
  cpSync(join(repo, 'examples', 'demo'), demo, { recursive: true, filter: (src) => !src.includes('.mandate') });
  // The demo's recorded traffic is generated (not in git): 5,000 requests, the same every run.
  execFileSync(cli, ['demo', '--traffic', join(demo, 'requests', 'traffic.jsonl'), '--requests', '5000']);

  // The demo keeps an agent without an accountable human and a few requests that error on
  // purpose; those gates are turned off (reported as skipped). One approval suffices, so a
  // second person (Bob) can approve what Dana builds.
  const toml = join(demo, 'mandate.toml');
  const config = readFileSync(toml, 'utf8');
  const approvals = /^require_approvals = .*$/m;
  assert.match(config, approvals, 'the demo mandate.toml has no [gates] require_approvals line');
  writeFileSync(
    toml,
    config.replace(
      approvals,
      'require_approvals = { low = 1, medium = 1, high = 1, critical = 1 }\nrequire_accountable_human = false\nallow_replay_errors = true',
    ),
  );
  writeFileSync(join(demo, '.gitignore'), '.mandate/\n');
  git(['init', '-q']);
  git(['add', '-A']);
  git(['commit', '-q', '-m', 'demo workspace, publishable']);

  mandateOk(['requests', 'import', 'requests/traffic.jsonl', '--set', 'prod']);
  danaKey = mandateOk(['keys', 'generate', '--owner', DANA], { json: true });
  bobKey = mandateOk(['keys', 'generate', '--owner', BOB], { json: true });
  mandateOk(['keys', 'trust', danaKey.id]);
  mandateOk(['keys', 'trust', bobKey.id, '--owner', BOB, '--key', DANA]);
  mandateOk(['review', 'open', '--set', 'prod', '--baseline', '@none', '--name', 'first']);
  mandateOk(['review', 'ack', 'first', '--all', '--comment', 'first release']);
  mandateOk(['review', 'verdict', 'first', 'approve'], { actor: BOB });

  session = await startApp(demo, { env: { MANDATE_KEYS_DIR: keysDir, MANDATE_ACTOR: DANA } });
  browser = session.browser;
});

after(async () => {
  await session?.stop();
});

const fill = (selector, text) => fillInput(browser, selector, text);

/** textContent, not getText: below the fold WebKit reports no text. */
const text = async (selector) => String(await (await browser.$(selector)).getProperty('textContent'));

async function click(selector) {
  const el = await browser.$(selector);
  await el.waitForClickable({ timeout: 10_000 });
  await el.scrollIntoView({ block: 'center' });
  await el.click();
}

const gatePassed = async (id) => (await (await browser.$(`[data-testid="gate-${id}"]`)).getAttribute('data-passed')) === 'true';

test('build, approve as a second person, publish, and verify a bundle', async () => {
  await (await browser.$('[data-testid="workspace-name"]')).waitForDisplayed({ timeout: 15_000 });
  await click('[data-testid="nav-publish"]');
  await (await browser.$('[data-testid="page-publish"]')).waitForDisplayed({ timeout: 5_000 });

  // Step 1: Dana builds; the version is left to the core (the first is 1.0.0).
  const key = await browser.$('[data-testid="build-key"]');
  await browser.waitUntil(async () => (await browser.$$('[data-testid="build-key"] option')).length === 2, {
    timeout: 10_000,
    timeoutMsg: 'the two local keys are not offered (is MANDATE_KEYS_DIR passed to the app?)',
  });
  await key.selectByAttribute('value', danaKey.id);
  assert.equal(await (await browser.$('[data-testid="build-version"]')).getAttribute('placeholder'), '1.0.0');
  await fill('[data-testid="build-summary"]', 'First release of the demo policies');
  // Against nothing published the demo's grants are more permissive (the analysis proves
  // it per environment): the author accepts that, and the bundle records why.
  await fill('[data-testid="build-accept-permissive"]', 'the first release grants what the demo allows');
  await click('[data-testid="build-submit"]');
  const started = Date.now();
  await (await browser.$('[data-testid="build-busy"]')).waitForExist({ timeout: 5_000, timeoutMsg: 'no busy state while building' });
  const evidence = await browser.$('[data-testid="step-evidence"]');
  const failed = await browser.$('[data-testid="step-build"] [data-testid="error-banner"]');
  await browser.waitUntil(async () => (await evidence.isExisting()) || (await failed.isExisting()), {
    timeout: 180_000,
    timeoutMsg: 'the build neither finished nor failed',
  });
  if (await failed.isExisting()) assert.fail(`the build failed (${await failed.getAttribute('data-code')}): ${await failed.getProperty('textContent')}`);
  console.log(`# bundle built ${Date.now() - started} ms after Build`);
  assert.equal(await text('[data-testid="evidence-version"]'), '1.0.0');
  assert.equal(await text('[data-testid="evidence-summary"]'), 'First release of the demo policies');
  assert.equal(await (await browser.$('[data-testid="signature-status"]')).getAttribute('data-state'), 'valid');
  // The evidence shows the analysis (more permissive where the demo grants tool calls)
  // and the acknowledgement.
  await (await browser.$('[data-testid="evidence-relations"] li[data-relation="more-permissive"]')).waitForExist({
    timeout: 5_000,
    timeoutMsg: 'no more-permissive environment in the bundle evidence',
  });
  assert.match(await text('[data-testid="evidence-accepted-permissive"]'), /the first release grants what the demo allows/);
  const draft = join(demo, '.mandate', 'drafts', '1.0.0');
  assert.ok(existsSync(join(draft, 'manifest.json')), `${draft} was not written`);

  // Step 3: the gates the page shows are the CLI's, the approvals gate failing.
  await click('[data-testid="step-tab-gates"]');
  const approvalsGate = await browser.$('[data-testid="gate-approvals"]');
  await approvalsGate.waitForExist({ timeout: 30_000, timeoutMsg: 'the gates never arrived' });
  const dry = mandate(['bundle', 'publish', '--dry-run', draft], { json: true });
  assert.equal(dry.status, 1, `the dry run should fail on approvals: ${dry.stderr}`);
  const cliGates = JSON.parse(dry.stdout).gates;
  assert.equal((await browser.$$('[data-testid="gates"] > li')).length, cliGates.length);
  for (const g of cliGates) {
    const row = await browser.$(`[data-testid="gate-${g.id}"]`);
    assert.equal(await row.getAttribute('data-passed'), String(g.passed), `gate ${g.id}`);
    assert.equal(await row.getAttribute('data-state'), g.skipped ? 'skipped' : g.passed ? 'passed' : 'failed', `gate ${g.id}`);
  }
  assert.deepEqual(
    cliGates.filter((g) => !g.passed).map((g) => g.id),
    ['approvals'],
    'only the approvals gate should fail before an approval',
  );
  assert.equal(await gatePassed('approvals'), false);
  assert.match(await text('[data-testid="gate-approvals"] [data-testid="gate-detail"]'), /^0 of 1 required approval/);

  // Step 4: Dana cannot approve her own bundle; Bob can.
  await click('[data-testid="step-tab-approvals"]');
  await (await browser.$('[data-testid="approve-key"]')).selectByAttribute('value', danaKey.id);
  await click('[data-testid="approve-submit"]');
  const refused = await browser.$('[data-testid="approve-error"]');
  await refused.waitForExist({ timeout: 10_000, timeoutMsg: 'the author’s own approval was not refused' });
  assert.equal(await refused.getAttribute('data-code'), 'key_refused');
  assert.match(await text('[data-testid="approve-error-message"]'), /author cannot approve their own bundle/);

  await (await browser.$('[data-testid="approve-key"]')).selectByAttribute('value', bobKey.id);
  await fill('[data-testid="approve-comment"]', 'Replay and review checked');
  await click('[data-testid="approve-submit"]');
  const approval = await browser.$(`[data-testid="approval"][data-signer="${BOB}"]`);
  await approval.waitForExist({ timeout: 10_000, timeoutMsg: 'Bob’s approval is not listed' });
  assert.equal(await approval.getAttribute('data-valid'), 'true');
  assert.equal(await refused.isExisting(), false);
  await browser.waitUntil(async () => (await (await browser.$('[data-testid="approvals-gate"]')).getAttribute('data-passed')) === 'true', {
    timeout: 30_000,
    timeoutMsg: 'the approvals gate did not pass after Bob approved',
  });
  await click('[data-testid="step-tab-gates"]');
  await browser.waitUntil(() => gatePassed('approvals'), { timeout: 10_000 });
  assert.equal(await (await browser.$('[data-testid="gates-summary"]')).getAttribute('data-passed'), 'true');
  await scrollMainTo(browser, '[data-testid="page-publish"]');
  await saveScreenshot(browser, 'publish');

  // Step 5: publish, with a copy for the enforcement points. The folder is outside the
  // workspace: typed in, it is refused (and nothing is published); chosen in the folder
  // dialog (answered by the shell's e2e seam), it is written.
  await click('[data-testid="step-tab-publish"]');
  const out = join(temp, 'share');
  mkdirSync(out, { recursive: true });
  await fill('[data-testid="publish-to"]', out);
  await click('[data-testid="publish-submit"]');
  const outside = await browser.$('[data-testid="step-publish"] [data-testid="error-banner"]');
  await outside.waitForExist({ timeout: 10_000, timeoutMsg: 'a typed folder outside the workspace was not refused' });
  assert.equal(await outside.getAttribute('data-code'), 'path_outside_workspace');
  assert.ok(!existsSync(join(demo, 'bundles', '1.0.0')), 'the refused publish still published');
  session.pick(out);
  await click('[data-testid="publish-to-browse"]');
  await browser.waitUntil(async () => (await (await browser.$('[data-testid="publish-to"]')).getValue()) === out, {
    timeout: 5_000,
    timeoutMsg: 'the folder chosen did not fill the field',
  });
  await click('[data-testid="publish-submit"]');
  const result = await browser.$('[data-testid="publish-result"]');
  await browser.waitUntil(async () => !(await outside.isExisting()) || (await result.isExisting()), { timeout: 10_000 });
  const publishFailed = await browser.$('[data-testid="step-publish"] [role="alert"]');
  await browser.waitUntil(async () => (await result.isExisting()) || (await publishFailed.isExisting()), {
    timeout: 60_000,
    timeoutMsg: 'publishing neither finished nor failed',
  });
  if (await publishFailed.isExisting()) assert.fail(`publishing failed: ${await publishFailed.getProperty('textContent')}`);
  assert.equal(await result.getAttribute('data-version'), '1.0.0');
  assert.equal(await text('[data-testid="publish-path"]'), 'bundles/1.0.0');
  const copy = await text('[data-testid="publish-copied-to"]');
  assert.ok(copy.startsWith(out) && existsSync(copy), `the copy ${copy} is not in ${out}`);
  await scrollMainTo(browser, '[data-testid="page-publish"]');
  await saveScreenshot(browser, 'publish-result');

  // On disk, and as the CLI verifies it.
  assert.ok(existsSync(join(demo, 'bundles', '1.0.0', 'manifest.json')), 'bundles/1.0.0/manifest.json is missing');
  const verified = mandate(['bundle', 'verify', '1.0.0', '--require-approved']);
  assert.equal(verified.status, 0, `mandate bundle verify failed: ${verified.stdout}${verified.stderr}`);

  // History: 1.0.0 verified, and Verify says so too.
  await click('[data-testid="publish-tab-history"]');
  const row = await browser.$('[data-testid="bundle-row-1.0.0"]');
  await row.waitForDisplayed({ timeout: 10_000, timeoutMsg: '1.0.0 is not in the history' });
  assert.equal(await row.getAttribute('data-verified'), 'true');
  assert.equal(await text('[data-testid="bundle-row-1.0.0"] [data-testid="bundle-approvals"]'), '1 / 1');
  await click('[data-testid="bundle-row-1.0.0"] [data-testid="verify-button"]');
  const report = await browser.$('[data-testid="verify-result"]');
  await report.waitForExist({ timeout: 10_000, timeoutMsg: 'no verification report' });
  assert.equal(await report.getAttribute('data-ok'), 'true');
  assert.equal(await text('[data-testid="verify-headline"]'), '✓ 1.0.0 verified');
  assert.equal(await text('[data-testid="verify-signature"]'), `valid (${DANA})`);
  assert.match(await text('[data-testid="verify-approvals"]'), /^1 valid of 1 required/);
  assert.equal(await (await browser.$('[data-testid="verify-chain"]')).getAttribute('data-chain'), 'root');
  await scrollMainTo(browser, '[data-testid="page-publish"]');
  await saveScreenshot(browser, 'publish-history');
});
