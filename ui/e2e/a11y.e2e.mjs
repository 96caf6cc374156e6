// End-to-end: accessibility of every page in the real Mandate window (Tauri + WebKitWebDriver
// under Xvfb), checked by axe-core with the WCAG 2 A/AA rules and its best practices
// (ui/e2e/axe.mjs): no serious or critical violation anywhere. A copy of the demo workspace is
// committed to git (so a replay has its `git:HEAD` baseline), gets the demo traffic imported by
// the real CLI and a trusted signing key, so every page has real content. First the views and
// dialogs a page opens: the agents' gaps and graph, an agent's detail, the policy editor, the
// test bench and the control library, the import dialog, a replay's results with an
// explanation, a symbolic analysis, an insight with its task timeline, a framework item and a
// control's drawer, the publish wizard after a build. Then every page the sidebar links to,
// read from the window (a page added later is checked without touching this file). Each check
// runs in the light and the dark colour scheme when the app has a theme switch (`data-theme`
// on <html>). The file also takes the README's screenshot of every page (`page-<name>.png`, a
// few also `page-<name>-dark.png`). Run by scripts/e2e.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkA11y } from './axe.mjs';
import { cli, fill as fillInput, repo, screenshot, scrollToTop, startApp } from './driver.mjs';

const ACTOR = 'dana@acme.example';

let session;
let browser;
let temp;
let demo;
let keysDir;
/** Pages whose README screenshot a view test took (a richer state than the page as it opens). */
const shot = new Set();
/** Pages also shot in the dark scheme for the README (Settings' test shoots the dashboard). */
const DARK_SHOTS = ['insights'];
/** The colour schemes to check: `['light', 'dark']` with a theme switch, else the system's. */
let schemes = ['system'];

function mandate(args, { json = false } = {}) {
  const run = spawnSync(cli, ['-w', demo, ...(json ? ['--format', 'json'] : []), ...args], {
    encoding: 'utf8',
    cwd: demo,
    env: { ...process.env, MANDATE_ACTOR: ACTOR, MANDATE_KEYS_DIR: keysDir },
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(run.status, 0, `mandate ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return json ? JSON.parse(run.stdout) : run.stdout;
}

function git(args) {
  execFileSync('git', ['-c', 'user.name=Mandate E2E', '-c', 'user.email=e2e@example.com', ...args], { cwd: demo, stdio: 'pipe' });
}

before(async () => {
  temp = mkdtempSync(join(tmpdir(), 'mandate-e2e-a11y-'));
  demo = join(temp, 'demo');
  keysDir = join(temp, 'keys');
  cpSync(join(repo, 'examples', 'demo'), demo, { recursive: true, filter: (src) => !src.includes('.mandate') });
  // The demo's recorded traffic is generated (not in git): 5,000 requests, the same every run.
  execFileSync(cli, ['demo', '--traffic', join(demo, 'requests', 'traffic.jsonl'), '--requests', '5000']);
  writeFileSync(join(demo, '.gitignore'), '.mandate/\n');
  git(['init', '-q']);
  git(['add', '-A']);
  git(['commit', '-q', '-m', 'demo workspace']);
  // A change under review, so the replay has changed decisions to show: the permit for tool
  // calls deleted from the working copy (when the demo still has it).
  const tools = join(demo, 'policies', 'tools.cedar');
  const text = existsSync(tools) ? readFileSync(tools, 'utf8') : '';
  const start = text.indexOf('@id("permit-allowed-tools")');
  if (start >= 0) {
    const next = text.indexOf('@id(', start + 1);
    writeFileSync(tools, text.slice(0, start) + (next < 0 ? '' : text.slice(next)));
  }
  mandate(['requests', 'import', 'requests/traffic.jsonl', '--set', 'traffic']);
  const key = mandate(['keys', 'generate', '--owner', ACTOR], { json: true });
  mandate(['keys', 'trust', key.id]);

  session = await startApp(demo, { env: { MANDATE_KEYS_DIR: keysDir, MANDATE_ACTOR: ACTOR } });
  browser = session.browser;
  await (await browser.$('[data-testid="workspace-name"]')).waitForDisplayed({ timeout: 15_000 });
  schemes = (await hasThemeSwitch()) ? ['light', 'dark'] : ['system'];
  console.log(`# colour schemes checked: ${schemes.join(', ')}`);
});

after(async () => {
  await session?.stop();
});

const fill = (selector, text) => fillInput(browser, selector, text);

/** Whether `data-theme="dark"` on <html> changes the app's colours (a theme switch exists). */
function hasThemeSwitch() {
  return browser.execute(() => {
    const root = document.documentElement;
    const before = root.getAttribute('data-theme');
    const bg = (theme) => {
      root.setAttribute('data-theme', theme);
      return getComputedStyle(root).getPropertyValue('--bg').trim();
    };
    const differs = bg('light') !== bg('dark');
    if (before === null) root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', before);
    return differs;
  });
}

/** Shows the window in `scheme` and waits for it to paint. */
async function useScheme(scheme) {
  if (scheme === 'system') return;
  await browser.execute((s) => document.documentElement.setAttribute('data-theme', s), scheme);
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
}

/** Checks the window as it is in every scheme; fails once, listing every scheme's violations. */
async function check(label) {
  const failures = [];
  for (const scheme of schemes) {
    await useScheme(scheme);
    try {
      await checkA11y(browser, schemes.length > 1 ? `${label} (${scheme})` : label);
    } catch (e) {
      failures.push(e instanceof Error ? e.message : String(e));
    }
  }
  await useScheme(schemes[0]);
  assert.equal(failures.length, 0, failures.join('\n\n'));
}

/** Waits until nothing in the page says it is loading (aria-busy, a progress bar), twice in a row. */
async function settled(what) {
  let quiet = 0;
  await browser.waitUntil(
    async () => {
      const busy = await browser.execute(
        () => document.querySelectorAll('.main [aria-busy="true"], .main progress, .main [role="progressbar"]').length,
      );
      quiet = busy === 0 ? quiet + 1 : 0;
      return quiet >= 2;
    },
    { timeout: 120_000, interval: 300, timeoutMsg: `${what} kept loading` },
  );
}

async function click(selector) {
  const el = await browser.$(selector);
  await el.waitForClickable({ timeout: 30_000, timeoutMsg: `${selector} is not clickable` });
  await el.scrollIntoView({ block: 'center' });
  await el.click();
  return el;
}

async function displayed(selector, timeout = 30_000) {
  const el = await browser.$(selector);
  await el.waitForDisplayed({ timeout, timeoutMsg: `${selector} did not appear` });
  return el;
}

async function openPage(page) {
  await click(`[data-testid="nav-${page}"]`);
  await displayed(`[data-testid="page-${page}"]`);
  await settled(`the ${page} page`);
}

test('Agents: the gaps, the graph and an agent’s detail', async () => {
  await openPage('agents');
  await click('[data-testid="agents-tab-gaps"]');
  await displayed('[data-testid="finding"]');
  await check('agents gaps');
  await click('[data-testid="agents-tab-graph"]');
  await displayed('[data-testid="graph-agent"]');
  await check('agents graph');
  await click('[data-testid="agents-tab-table"]');
  await click('[data-testid="agent-row"]');
  await displayed('[data-testid="agent-detail"]');
  await (await browser.$('[data-testid="agent-traffic"]')).waitForExist({ timeout: 60_000, timeoutMsg: 'the agent’s traffic never arrived' });
  await settled('the agent detail');
  await check('agent detail');
});

test('Policies: the editor, the test bench and the control library', async () => {
  await openPage('policies');
  await click('[data-testid="policy-file"]');
  await displayed('[data-testid="policy-editor"] .cm-content');
  await settled('the policy editor');
  await check('policy editor');
  await click('[data-testid="open-test-bench"]');
  await displayed('[data-testid="test-decide"]');
  await settled('the test bench');
  await check('test bench');
  await click('[data-testid="open-library"]');
  await displayed('[data-testid="library-dialog"]');
  await settled('the control library');
  await check('control library dialog');
  await click('[data-testid="library-close"]');
});

test('Simulate: the import dialog, a replay’s results with an explanation, a symbolic analysis', async () => {
  await openPage('simulate');
  await click('[data-testid="simulate-import"]');
  await displayed('[data-testid="import-dialog"]');
  await check('simulate import dialog');
  await click('[data-testid="import-close"]');

  const set = await displayed('[data-testid="run-set"]');
  await browser.waitUntil(async () => (await set.getValue()) === 'traffic', { timeout: 10_000, timeoutMsg: 'the imported set is not offered' });
  await click('[data-testid="run-start"]');
  await displayed('[data-testid="run-view"]', 180_000);
  await settled('the replay');
  await scrollToTop(browser, '[data-testid="page-simulate"]');
  await screenshot(browser, 'page-simulate');
  shot.add('simulate');
  // A changed decision when there is one.
  const changed = await browser.$('[data-testid="result-row"][data-changed="true"]');
  await click((await changed.isExisting()) ? '[data-testid="result-row"][data-changed="true"]' : '[data-testid="result-row"]');
  await displayed('[data-testid="explain-panel"]');
  await displayed('[data-testid="explain-candidate"]');
  await settled('the explanation');
  await check('simulate results and explanation');

  await click('[data-testid="simulate-tab-analysis"]');
  await click('[data-testid="analysis-run"]');
  const result = await browser.$('[data-testid="analysis-result"]');
  const failed = await browser.$('[data-testid="page-simulate"] [data-testid="error-banner"]');
  await browser.waitUntil(async () => (await result.isExisting()) || (await failed.isExisting()), {
    timeout: 180_000,
    timeoutMsg: 'the analysis neither finished nor failed',
  });
  await settled('the analysis');
  await check('simulate analysis');
});

test('Insights: a finding’s detail and a task timeline', async () => {
  await openPage('insights');
  await displayed('[data-testid="insights-report"]', 60_000);
  await click('[data-testid="insight-card"][data-tasks]:not([data-tasks=""])');
  await displayed('[data-testid="insight-detail"]');
  await check('insights finding detail');
  await click('[data-testid="insight-open-task"]');
  const view = await browser.$('[data-testid="task-timeline"]');
  await view.waitForExist({ timeout: 10_000 });
  await browser.waitUntil(async () => (await view.getAttribute('data-steps')) !== '', { timeout: 60_000, timeoutMsg: 'the timeline never arrived' });
  await settled('the task timeline');
  await check('insights task timeline');
});

test('Frameworks: an item and a control’s drawer', async () => {
  await openPage('frameworks');
  const node = await displayed('[data-testid="fw-node"]', 90_000);
  await node.click();
  if ((await node.getAttribute('aria-expanded')) !== 'true') await (await node.$('.fw-twisty')).click();
  await click('[data-testid="item-node"]');
  await displayed('[data-testid="item-panel"]');
  await check('frameworks item');
  await click('[data-testid="item-panel-close"]');
  await click('[data-testid="matrix-control"]');
  await displayed('[data-testid="control-drawer"]');
  await settled('the control drawer');
  await check('frameworks control drawer');
  await click('[data-testid="control-close"]');
});

test('Publish: the wizard after a build (evidence, gates, approvals), the history', async () => {
  await openPage('publish');
  await check('publish build step');
  await fill('[data-testid="build-summary"]', 'Accessibility check build');
  // Against nothing published the demo's grants are more permissive: the author accepts it.
  const accept = await browser.$('[data-testid="build-accept-permissive"]');
  if (await accept.isExisting()) await fill('[data-testid="build-accept-permissive"]', 'first release');
  await click('[data-testid="build-submit"]');
  const evidence = await browser.$('[data-testid="step-evidence"]');
  const failed = await browser.$('[data-testid="step-build"] [data-testid="error-banner"]');
  await browser.waitUntil(async () => (await evidence.isExisting()) || (await failed.isExisting()), {
    timeout: 180_000,
    timeoutMsg: 'the build neither finished nor failed',
  });
  if (await failed.isExisting()) assert.fail(`the build failed: ${await failed.getProperty('textContent')}`);
  await settled('the evidence');
  await check('publish evidence');
  await click('[data-testid="step-tab-gates"]');
  await displayed('[data-testid="gates-summary"]', 120_000);
  await settled('the gates');
  await check('publish gates');
  await click('[data-testid="step-tab-approvals"]');
  await settled('the approvals');
  await check('publish approvals');
  await click('[data-testid="publish-tab-history"]');
  await settled('the history');
  await check('publish history');
});

// Last, so the pages show what the views above did (a replay, a build, their audit entries).
test('every page in the sidebar has no serious or critical accessibility violation', async (t) => {
  const pages = await browser.execute(() =>
    [...document.querySelectorAll('nav.sidebar a[data-testid^="nav-"]')].map((a) => a.getAttribute('data-testid').slice(4)),
  );
  assert.ok(pages.length >= 8, `the sidebar lists ${pages.length} pages: ${pages.join(', ')}`);
  console.log(`# pages: ${pages.join(', ')}`);
  for (const page of pages) {
    await t.test(page, async () => {
      await openPage(page);
      // What each page fetches as it opens, so the check sees its content, not a placeholder.
      if (page === 'insights') await displayed('[data-testid="insights-report"]', 60_000);
      if (page === 'frameworks') await displayed('[data-testid="fw-node"]', 90_000);
      await settled(`the ${page} page`);
      await scrollToTop(browser, `[data-testid="page-${page}"]`);
      if (!shot.has(page)) await screenshot(browser, `page-${page}`);
      if (DARK_SHOTS.includes(page) && schemes.includes('dark')) {
        await useScheme('dark');
        await screenshot(browser, `page-${page}-dark`);
        await useScheme(schemes[0]);
      }
      await check(`page ${page}`);
    });
  }
});
