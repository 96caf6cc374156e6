// End-to-end: a file edited outside the app while the app saves the same file, in the real
// Mandate window (Tauri + WebKitWebDriver under Xvfb) against the real core. A copy of the
// demo workspace is opened; the test types into the policy editor (and the agent form),
// rewrites the same file on disk from here, and presses Save: the save is refused, the
// conflict banner appears, and the file on disk keeps the outside edit byte for byte until
// the user picks "Overwrite with my version" (the editor's text is written) or "Reload from
// disk" (theirs is loaded, nothing is written). Run by scripts/e2e.sh, one file at a time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fill, repo, screenshot, scrollToTop, startApp, typeText } from './driver.mjs';

const POLICY = 'policies/tools.cedar';
const AGENT = 'inventory/agents/billing-bot.toml';

let session;
let browser;
let demo;

before(async () => {
  demo = join(mkdtempSync(join(tmpdir(), 'mandate-e2e-conflict-')), 'demo');
  cpSync(join(repo, 'examples', 'demo'), demo, { recursive: true, filter: (src) => !src.includes('.mandate') });
  session = await startApp(demo);
  browser = session.browser;
  await (await browser.$('[data-testid="workspace-name"]')).waitForDisplayed({ timeout: 15_000 });
});

after(async () => {
  await session?.stop();
});

const onDisk = (rel) => readFileSync(join(demo, rel), 'utf8');

/** The policy editor's buffer, as CodeMirror holds it (`EditorView.findFromDOM`, by hand). */
function editorText() {
  return browser.execute(() => {
    const content = document.querySelector('[data-testid="policy-editor"] .cm-content');
    return content?.cmTile?.root?.view?.state.doc.toString() ?? null;
  });
}

async function openPolicy() {
  await (await browser.$('[data-testid="nav-policies"]')).click();
  await (await browser.$(`[data-testid="policy-file"][data-path="${POLICY}"]`)).click();
  const content = await browser.$(`[data-testid="policy-editor"][data-path="${POLICY}"] .cm-content`);
  await content.waitForDisplayed({ timeout: 10_000 });
  await browser.waitUntil(async () => (await content.getText()).includes('@id'), {
    timeout: 10_000,
    timeoutMsg: `${POLICY} did not load into the editor`,
  });
  return content;
}

/** Types `text` at the end of the buffer and waits until the editor marks it unsaved. */
async function typeAtEnd(content, text) {
  await content.click();
  await browser.keys(['Control', 'End']);
  await typeText(browser, text);
  await (await browser.$('[data-testid="editor-dirty"]')).waitForDisplayed({ timeout: 5_000 });
}

/** Presses Save and waits for the banner of a refused save. */
async function saveIntoConflict(save, prefix) {
  await save.click();
  const banner = await browser.$(`[data-testid="${prefix}-conflict"][data-refused="true"]`);
  await banner.waitForDisplayed({ timeout: 10_000 });
  return banner;
}

test('a policy saved over an outside edit is refused; "Overwrite with my version" writes the editor text', async () => {
  const content = await openPolicy();
  const original = onDisk(POLICY);
  await typeAtEnd(content, '\n// edited in the app');
  const mine = await editorText();
  assert.ok(mine?.endsWith('// edited in the app'), `unexpected buffer: ${mine}`);

  // Edited outside the app (another editor, a git pull) while the buffer is unsaved.
  const theirs = `${original}// edited outside, in vim\n`;
  writeFileSync(join(demo, POLICY), theirs);
  const banner = await saveIntoConflict(await browser.$('[data-testid="editor-save"]'), 'editor');
  assert.match(await banner.getText(), /policies\/tools\.cedar/);
  assert.match(await banner.getText(), /changed on disk/);
  // No generic error banner: the conflict banner is the answer.
  assert.equal((await browser.$$('[data-testid="policy-editor"] [data-testid="error-banner"]')).length, 0);
  // Nothing was written: the outside edit is intact, byte for byte, and the buffer is kept.
  assert.equal(onDisk(POLICY), theirs);
  assert.equal(await editorText(), mine);

  await (await browser.$('[data-testid="editor-show-theirs"]')).click();
  const theirLines = await browser.$('[data-testid="editor-theirs"]');
  await theirLines.waitForDisplayed({ timeout: 5_000 });
  assert.match(await theirLines.getText(), /edited outside, in vim/);
  await scrollToTop(browser, '[data-testid="policy-editor"]');
  await screenshot(browser, 'conflict');
  // Still nothing written while the user looks.
  assert.equal(onDisk(POLICY), theirs);

  await (await browser.$('[data-testid="editor-overwrite"]')).click();
  await browser.waitUntil(() => onDisk(POLICY) === mine, {
    timeout: 10_000,
    timeoutMsg: 'overwrite did not write the editor text',
  });
  await browser.waitUntil(async () => (await browser.$$('[data-testid="editor-conflict"]')).length === 0, {
    timeout: 5_000,
    timeoutMsg: 'the conflict banner stayed after the overwrite',
  });
  await browser.waitUntil(async () => (await browser.$$('[data-testid="editor-dirty"]')).length === 0, {
    timeout: 5_000,
    timeoutMsg: 'the saved buffer is still marked unsaved',
  });
  // The app's own overwrite never comes back as an outside change.
  await browser.pause(1000);
  assert.equal((await browser.$$('[data-testid="editor-conflict"]')).length, 0);
});

test('a policy saved over an outside edit is refused; "Reload from disk" takes theirs and writes nothing', async () => {
  const content = await openPolicy();
  await typeAtEnd(content, '\n// another edit in the app');
  const theirs = `${onDisk(POLICY)}// second outside edit\n`;
  writeFileSync(join(demo, POLICY), theirs);
  await saveIntoConflict(await browser.$('[data-testid="editor-save"]'), 'editor');
  assert.equal(onDisk(POLICY), theirs);

  await (await browser.$('[data-testid="editor-reload"]')).click();
  await browser.waitUntil(async () => (await editorText()) === theirs, {
    timeout: 5_000,
    timeoutMsg: 'reload did not put their version in the editor',
  });
  assert.equal((await browser.$$('[data-testid="editor-conflict"]')).length, 0);
  assert.equal((await browser.$$('[data-testid="editor-dirty"]')).length, 0);
  await browser.pause(500);
  assert.equal(onDisk(POLICY), theirs, 'reload wrote the file');
});

test('an agent saved over an outside edit of its file is refused; overwrite is explicit', async () => {
  await (await browser.$('[data-testid="nav-agents"]')).click();
  const row = await browser.$('[data-testid="agent-row"][data-id="billing-bot"]');
  await row.waitForDisplayed({ timeout: 10_000 });
  await row.click();
  await (await browser.$('[data-testid="agent-detail"][data-id="billing-bot"]')).waitForDisplayed({ timeout: 5_000 });
  await fill(browser, '[data-testid="agent-field-name"]', 'Billing refunds agent (app)');
  const save = await browser.$('[data-testid="agent-save"]');
  await browser.waitUntil(async () => save.isEnabled(), { timeout: 5_000, timeoutMsg: 'save stayed disabled' });

  const theirs = onDisk(AGENT).replace(/^purpose = ".*"$/m, 'purpose = "Changed outside the app"');
  assert.notEqual(theirs, onDisk(AGENT));
  writeFileSync(join(demo, AGENT), theirs);
  await saveIntoConflict(save, 'agent');
  assert.equal(onDisk(AGENT), theirs);
  assert.equal(await (await browser.$('[data-testid="agent-field-name"]')).getValue(), 'Billing refunds agent (app)');

  await (await browser.$('[data-testid="agent-show-theirs"]')).click();
  const changed = await browser.$('[data-testid="agent-theirs-field"][data-field="purpose"]');
  await changed.waitForDisplayed({ timeout: 10_000 });
  // Let WebKit paint the opened list: its screenshot can show the frame before.
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await browser.pause(150);
  await screenshot(browser, 'conflict-agent');

  await (await browser.$('[data-testid="agent-overwrite"]')).click();
  await browser.waitUntil(() => onDisk(AGENT).includes('name = "Billing refunds agent (app)"'), {
    timeout: 10_000,
    timeoutMsg: 'overwrite did not write the form',
  });
  await browser.waitUntil(async () => (await browser.$$('[data-testid="agent-conflict"]')).length === 0, {
    timeout: 5_000,
    timeoutMsg: 'the conflict banner stayed after the overwrite',
  });
});
