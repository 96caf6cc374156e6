// End-to-end: the Access tab of an agent's panel in the real Mandate window (Tauri +
// WebKitWebDriver under Xvfb) against the real core and the real solver (cvc5, installed by
// scripts/deps.sh as target/solver-venv/bin/cvc5). A copy of the demo workspace, committed to
// a fresh git repository so the default baseline `git:HEAD` exists, is opened; alert-router's
// Access tab checks itself on opening: its `invoke_tool` rows must be exactly the tools its
// inventory file lists, each conditional on `environment-separation`, as the real CLI says,
// with no change from HEAD. Against no policies (`@none`) every entry is then gained. Run by
// scripts/e2e.sh, one file at a time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, fill, repo, screenshot, startApp } from './driver.mjs';

const AGENT = 'alert-router';

let session;
let browser;
let demo;

before(async () => {
  demo = join(mkdtempSync(join(tmpdir(), 'mandate-e2e-access-')), 'demo');
  cpSync(join(repo, 'examples', 'demo'), demo, { recursive: true, filter: (src) => !src.includes('.mandate') });
  const git = (...args) =>
    execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
      cwd: demo,
      stdio: 'ignore',
    });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'demo');
  session = await startApp(demo);
  browser = session.browser;
});

after(async () => {
  await session?.stop();
});

/** `pagerduty.incident.ack` for `Acme::Tool::"pagerduty.incident.ack"`. */
const idOf = (uid) => JSON.parse(uid.slice(uid.indexOf('::"') + 2));

/** The `tools = [...]` of the agent's inventory file. */
function inventoryTools() {
  const toml = readFileSync(join(demo, 'inventory', 'agents', `${AGENT}.toml`), 'utf8');
  const list = /^tools\s*=\s*\[([^\]]*)\]/m.exec(toml);
  assert.ok(list, `no tools = [...] in ${AGENT}.toml`);
  return [...list[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

async function rowsOf(action) {
  const out = [];
  for (const row of await browser.$$(`[data-testid="access-row"][data-action="${action}"]`)) {
    const unless = [];
    for (const u of await row.$$('[data-testid="access-unless"]')) unless.push(await u.getAttribute('data-policy'));
    out.push({ resource: await row.getAttribute('data-resource'), access: await row.getAttribute('data-access'), unless });
  }
  return out;
}

/** Scrolls the Access tab to its top or its end, and lets WebKit paint before a screenshot. */
async function scrollAccess(where) {
  await browser.execute((end) => {
    const body = document.querySelector('#agent-detail-panel-access');
    if (body) body.scrollTop = end === 'bottom' ? body.scrollHeight : 0;
  }, where);
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await browser.pause(150);
}

async function waitForResult(what) {
  await browser.waitUntil(async () => (await browser.$('[data-testid="agent-access"]').getAttribute('data-state')) !== 'running', {
    timeout: 120_000,
    timeoutMsg: `${what}: the access check never finished`,
  });
  const banner = await browser.$('[data-testid="agent-access"] [data-testid="error-banner"]');
  if (await banner.isExisting()) assert.fail(`${what}: ${await banner.getText()}`);
  await (await browser.$('[data-testid="access-result"]')).waitForDisplayed({ timeout: 5_000 });
}

test("alert-router's Access tab: its inventory tools, conditional on environment separation, as the CLI says", async () => {
  await (await browser.$('[data-testid="workspace-name"]')).waitForDisplayed({ timeout: 15_000 });
  await (await browser.$('[data-testid="nav-agents"]')).click();
  const row = await browser.$(`[data-testid="agent-row"][data-id="${AGENT}"]`);
  await row.waitForDisplayed({ timeout: 10_000 });
  await row.click();
  const panel = await browser.$(`[data-testid="agent-detail"][data-id="${AGENT}"]`);
  await panel.waitForDisplayed({ timeout: 5_000 });
  const tab = await browser.$('[data-testid="agent-detail-tab-access"]');
  await tab.click();
  assert.equal(await tab.getAttribute('aria-selected'), 'true');

  // Checked by itself on opening, against git:HEAD: the commit made above, so no change.
  const started = Date.now();
  await waitForResult('git:HEAD');
  console.log(`# access shown ${Date.now() - started} ms after opening the tab`);
  assert.equal(await (await browser.$('[data-testid="access-baseline"]')).getValue(), 'git:HEAD');
  assert.match(await (await browser.$('[data-testid="access-solver"]')).getText(), /cvc5/);
  await (await browser.$('[data-testid="access-changes-none"]')).waitForDisplayed({ timeout: 5_000 });

  const tools = await rowsOf('invoke_tool');
  assert.deepEqual(tools.map((t) => idOf(t.resource)).sort(), inventoryTools().sort());
  for (const t of tools) {
    assert.equal(t.access, 'conditional', `${t.resource} is ${t.access}`);
    assert.ok(t.unless.includes('environment-separation'), `${t.resource} lacks the environment-separation condition: ${t.unless}`);
  }
  const example = await browser.$('[data-testid="access-row"][data-action="invoke_tool"] [data-testid="access-example"]');
  assert.equal(await example.getText(), 'env = "prod"');

  // Every row as the real CLI reviews the same workspace.
  const fromCli = JSON.parse(execFileSync(cli, ['-w', demo, 'access', AGENT, '--format', 'json'], { encoding: 'utf8' }));
  const cliEntries = fromCli.agents[0].candidate.entries;
  const shown = [];
  for (const r of await browser.$$('[data-testid="access-row"]')) {
    shown.push([await r.getAttribute('data-action'), await r.getAttribute('data-resource'), await r.getAttribute('data-access')]);
  }
  assert.deepEqual(
    shown,
    cliEntries.map((e) => [e.action, e.resource, e.access]),
  );
  const summary = await (await browser.$('[data-testid="access-summary"]')).getText();
  const counted = (access) => cliEntries.filter((e) => e.access === access).length;
  assert.match(summary, new RegExp(`^${counted('allowed')} allowed, ${counted('conditional')} conditional, of ${fromCli.agents[0].candidate.checked} action × resource pairs`));

  // Against no policies at all, every entry is gained.
  await fill(browser, '[data-testid="access-baseline"]', '@none');
  await (await browser.$('[data-testid="access-check"]')).click();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="access-change-row"]')).length > 0, {
    timeout: 120_000,
    timeoutMsg: 'no change rows against @none',
  });
  await waitForResult('@none');
  const kinds = [];
  for (const c of await browser.$$('[data-testid="access-change-row"]')) kinds.push(await c.getAttribute('data-change'));
  assert.deepEqual(kinds, cliEntries.map(() => 'gained'));

  // The pointer left on Check would hover a table row once scrolled.
  await (await browser.$('[data-testid="agent-detail"] .drawer-title h2')).moveTo();
  await scrollAccess('top');
  await screenshot(browser, 'agents-access');
  await scrollAccess('bottom');
  await screenshot(browser, 'agents-access-changes');
});
