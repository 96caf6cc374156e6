// End-to-end: the Settings page, the theme and the command palette in the real window
// (Tauri + WebKitWebDriver under Xvfb), against the real core and a copy of examples/demo.
// The acting identity set in Settings must name the next audited action (read back with the
// CLI); the dark theme must show at once and survive a restart on the same config dir; the
// palette must open, filter and navigate from the keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, fill, repo, screenshot, scrollToTop, startApp, typeText } from './driver.mjs';

let session;
let browser;
let demo;

const $ = (sel) => browser.$(sel);

before(async () => {
  // Without policies/lifecycle.cedar, MND-LIFECYCLE-01's library policy can be added: an
  // audited action of the app's own (`policy.save`).
  demo = join(mkdtempSync(join(tmpdir(), 'mandate-e2e-settings-')), 'demo');
  cpSync(join(repo, 'examples', 'demo'), demo, { recursive: true, filter: (src) => !src.includes('.mandate') });
  rmSync(join(demo, 'policies', 'lifecycle.cedar'));
  session = await startApp(demo);
  browser = session.browser;
  await (await $('[data-testid="workspace-name"]')).waitForDisplayed({ timeout: 15_000 });
});

after(async () => {
  await session?.stop();
});

async function openSettings() {
  await (await $('[data-testid="nav-settings"]')).click();
  await (await $('[data-testid="page-settings"]')).waitForDisplayed({ timeout: 10_000 });
  await (await $('[data-testid="acting-actor"]')).waitForDisplayed({ timeout: 10_000 });
}

/** The computed background colour of the app's root. */
const background = () => browser.execute(() => getComputedStyle(document.documentElement).backgroundColor);

test('the acting identity set in Settings names the next audited action', async () => {
  await openSettings();
  // Not a person in the demo's inventory: saved, with a warning and the closest ids.
  await fill(browser, '[data-testid="actor-input"]', 'rhae');
  await (await $('[data-testid="actor-save"]')).click();
  await browser.waitUntil(async () => (await (await $('[data-testid="acting-actor"]')).getText()) === 'rhae', {
    timeout: 10_000,
    timeoutMsg: 'the identity was not saved',
  });
  const warning = await $('[data-testid="acting-warning"]');
  await warning.waitForDisplayed({ timeout: 5_000 });
  assert.match(await warning.getText(), /not a person in inventory\/people\.toml/);
  const suggestion = await $('[data-testid="acting-suggestion"]');
  assert.equal(await suggestion.getText(), 'rhea');
  await suggestion.click();
  await (await $('[data-testid="actor-save"]')).click();
  await browser.waitUntil(async () => (await (await $('[data-testid="acting-actor"]')).getText()) === 'rhea', {
    timeout: 10_000,
    timeoutMsg: 'the suggested identity was not saved',
  });
  assert.equal(await (await $('[data-testid="acting-actor"]')).getAttribute('data-source'), 'settings');
  assert.match(await (await $('[data-testid="acting-person"]')).getText(), /\(rhea\)/);
  assert.equal((await browser.$$('[data-testid="acting-warning"]')).length, 0);
  await scrollToTop(browser, '[data-testid="page-settings"]');
  await screenshot(browser, 'settings');

  // An audited action of the app: add a control's library policies.
  await (await $('[data-testid="nav-policies"]')).click();
  await (await $('[data-testid="open-library"]')).click();
  const row = await $('[data-testid="library-control"][data-control="MND-LIFECYCLE-01"]');
  await row.waitForDisplayed({ timeout: 10_000 });
  await (await row.$('[data-testid="library-add"]')).click();
  await (await $('[data-testid="library-added"]')).waitForDisplayed({ timeout: 10_000 });
  await (await $('[data-testid="library-close"]')).click();

  // The audit log, read by the CLI from the same workspace, names rhea.
  const out = execFileSync(cli, ['--workspace', demo, '--format', 'json', 'audit', '--limit', '5'], { encoding: 'utf8' });
  const parsed = JSON.parse(out);
  const entries = Array.isArray(parsed) ? parsed : parsed.entries;
  const added = entries.find((e) => e.subject === 'policy:policies/controls/mnd-lifecycle-01.cedar');
  assert.ok(added, `no audit entry for the added policy file in ${out}`);
  assert.equal(added.action, 'policy.save');
  assert.equal(added.actor, 'rhea');
});

test('this machine’s keys: a key made in Settings for the acting identity', async () => {
  await openSettings();
  const owner = await $('[data-testid="keygen-owner"]');
  await owner.waitForDisplayed({ timeout: 10_000 });
  assert.equal(await owner.getValue(), 'rhea');
  await (await $('[data-testid="keygen-submit"]')).click();
  const key = await $('[data-testid="settings-key"][data-owner="rhea"]');
  await key.waitForDisplayed({ timeout: 10_000 });
  assert.equal(await key.getAttribute('data-status'), 'none');
  // WebDriver answers the resolved URL.
  assert.match(await (await $('[data-testid="settings-keys-trust-link"]')).getAttribute('href'), /#\/publish\/keys$/);
});

test('the app solver: a file chosen in the dialog is checked, used, and cleared', async () => {
  await openSettings();
  const inUse = await $('[data-testid="solver-in-use"]');
  await browser.waitUntil(async () => /cvc5|z3|solver/i.test(await inUse.getText()) && !/Checking/.test(await inUse.getText()), {
    timeout: 30_000,
    timeoutMsg: 'the solver check did not finish',
  });
  // Not a solver: refused with the core's help, nothing saved.
  const notSolver = join(session.home, 'not-a-solver');
  writeFileSync(notSolver, '#!/bin/sh\necho "GNU bash, version 5.2"\n');
  chmodSync(notSolver, 0o755);
  session.pick(notSolver);
  await (await $('[data-testid="solver-choose"]')).click();
  const refused = await $('[data-testid="settings-solver"] [data-testid="error-banner"]');
  await refused.waitForDisplayed({ timeout: 15_000 });
  assert.equal(await refused.getAttribute('data-code'), 'solver_unavailable');
  assert.match(await refused.getText(), /choose a cvc5/);
  assert.match(await (await $('[data-testid="solver-setting"]')).getText(), /Not set/);
  // A (fake) cvc5: saved, and what an analysis would run now.
  const fake = join(session.home, 'fake-cvc5');
  writeFileSync(fake, '#!/bin/sh\necho "This is cvc5 version 1.4.0 [e2e fake]"\n');
  chmodSync(fake, 0o755);
  session.pick(fake);
  await (await $('[data-testid="solver-choose"]')).click();
  await browser.waitUntil(async () => (await (await $('[data-testid="solver-setting"]')).getText()) === fake, {
    timeout: 15_000,
    timeoutMsg: 'the chosen solver was not saved',
  });
  await browser.waitUntil(async () => /cvc5 1\.4\.0/.test(await inUse.getText()) && /the app's Settings/.test(await inUse.getText()), {
    timeout: 15_000,
    timeoutMsg: `the solver in use is not the app's: ${await inUse.getText()}`,
  });
  const saved = JSON.parse(readFileSync(join(session.home, 'config', 'dev.mandate.desktop', 'settings.json'), 'utf8'));
  assert.equal(saved.solver, fake);
  await (await $('[data-testid="solver-clear"]')).click();
  await browser.waitUntil(async () => /Not set/.test(await (await $('[data-testid="solver-setting"]')).getText()), {
    timeout: 15_000,
    timeoutMsg: 'the solver setting was not cleared',
  });
});

test('the dark theme applies at once and survives a restart on the same config dir', async () => {
  await openSettings();
  const light = await background();
  assert.equal(await browser.execute(() => document.documentElement.dataset.theme), 'light');
  await (await $('[data-testid="theme-dark"]')).click();
  await browser.waitUntil(async () => (await background()) !== light, { timeout: 5_000, timeoutMsg: 'the background did not change' });
  const dark = await background();
  assert.equal(dark, 'rgb(23, 23, 26)');
  assert.equal(await browser.execute(() => document.documentElement.dataset.theme), 'dark');
  // The lower half: the solver, the theme and the recent workspaces.
  await scrollToTop(browser, '[data-testid="settings-solver"]');
  await screenshot(browser, 'settings-dark');
  await (await $('[data-testid="nav-dashboard"]')).click();
  await (await $('[data-testid="page-dashboard"]')).waitForDisplayed({ timeout: 10_000 });
  await browser.pause(1500);
  await screenshot(browser, 'dashboard-dark');

  // Restart on the same home, without the webview's storage (where the first-paint cache
  // lives): the theme comes back from settings.json.
  const home = session.home;
  await session.stop();
  rmSync(join(home, '.local', 'share'), { recursive: true, force: true });
  assert.ok(existsSync(join(home, 'config', 'dev.mandate.desktop', 'settings.json')));
  session = await startApp(demo, { home });
  browser = session.browser;
  await (await $('[data-testid="workspace-name"]')).waitForDisplayed({ timeout: 15_000 });
  await browser.waitUntil(async () => (await background()) === dark, {
    timeout: 10_000,
    timeoutMsg: 'the dark theme did not come back after the restart',
  });
  // The page carries the first-paint script (its logic: src/lib/themeBoot.test.ts), and the
  // choice is cached again for it.
  assert.ok(await browser.execute(() => [...document.scripts].some((s) => s.src.endsWith('/theme-boot.js') && !s.type)));
  assert.equal(await browser.execute(() => localStorage.getItem('mandate.theme')), 'dark');
  await openSettings();
  assert.equal(await (await $('[data-testid="theme-dark"]')).isSelected(), true);
  // The identity set before the restart is still who the app acts as.
  assert.equal(await (await $('[data-testid="acting-actor"]')).getText(), 'rhea');
  // Back to light for the screenshots of the files that follow.
  await (await $('[data-testid="theme-system"]')).click();
  await browser.waitUntil(async () => (await background()) === light, { timeout: 5_000, timeoutMsg: 'System did not go back to light' });
});

test('the command palette opens from the keyboard, filters and navigates', async () => {
  await (await $('[data-testid="nav-dashboard"]')).click();
  await (await $('[data-testid="page-dashboard"]')).waitForDisplayed({ timeout: 10_000 });
  await browser.keys(['Control', 'k']);
  const palette = await $('[data-testid="palette"]');
  await palette.waitForDisplayed({ timeout: 5_000 });
  assert.equal(await palette.getAttribute('role'), 'dialog');
  assert.equal(await palette.getAttribute('aria-label'), 'Command palette');
  assert.equal(await browser.execute(() => document.activeElement?.getAttribute('data-testid')), 'palette-input');
  await browser.pause(300);
  await screenshot(browser, 'palette');
  await typeText(browser, 'frameworks');
  await browser.waitUntil(async () => (await browser.$$('[data-testid="palette-item"]')).length >= 1, { timeout: 5_000 });
  const first = await $('[data-testid="palette-item"][data-selected="true"]');
  assert.equal(await first.getAttribute('data-command'), 'go-frameworks');
  await browser.keys('Enter');
  await (await $('[data-testid="page-frameworks"]')).waitForDisplayed({ timeout: 10_000 });
  assert.equal((await browser.$$('[data-testid="palette"]')).length, 0);
  assert.equal(await browser.execute(() => window.location.hash), '#/frameworks');

  // Escape closes it and gives the focus back to the header's Commands button.
  await (await $('[data-testid="open-palette"]')).click();
  await (await $('[data-testid="palette"]')).waitForDisplayed({ timeout: 5_000 });
  await browser.keys('Escape');
  await browser.waitUntil(async () => (await browser.$$('[data-testid="palette"]')).length === 0, { timeout: 5_000 });
  assert.equal(await browser.execute(() => document.activeElement?.getAttribute('data-testid')), 'open-palette');

  // g then p goes to Policies; not while typing in a field.
  await browser.execute(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
  await browser.keys('g');
  await browser.keys('p');
  await (await $('[data-testid="page-policies"]')).waitForDisplayed({ timeout: 10_000 });
  await browser.keys(['Control', ',']);
  await openSettings();
  await (await $('[data-testid="actor-input"]')).click();
  await browser.keys('g');
  await browser.keys('a');
  await browser.pause(300);
  assert.equal(await browser.execute(() => window.location.hash), '#/settings');
});

test('the window cannot name a solver to run, open an unlisted folder or save a bad theme', async () => {
  const invoke = (command, args) =>
    browser.execute(
      (c, a) =>
        window.__TAURI_INTERNALS__.invoke(c, a).then(
          (ok) => ({ ok }),
          (e) => ({ code: e?.code ?? null, message: e?.message ?? String(e) }),
        ),
      command,
      args,
    );
  // A program path typed in (not chosen in the file dialog) is never run nor saved.
  const typed = await invoke('set_solver_path', { path: '/bin/sh' });
  assert.equal(typed.code, 'path_outside_workspace', JSON.stringify(typed));
  const unlisted = await invoke('open_recent_workspace', { path: '/etc' });
  assert.equal(unlisted.code, 'not_found', JSON.stringify(unlisted));
  const theme = await invoke('set_theme', { theme: 'purple' });
  assert.equal(theme.code, 'invalid_argument', JSON.stringify(theme));
  const saved = JSON.parse(readFileSync(join(session.home, 'config', 'dev.mandate.desktop', 'settings.json'), 'utf8'));
  assert.equal(saved.solver, undefined);
  assert.equal(saved.theme, undefined);
});
