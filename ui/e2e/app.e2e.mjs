// End-to-end: the real Mandate window (Tauri + WebKitWebDriver under Xvfb), the real core,
// a real workspace made by the real CLI in a temp dir. Run by scripts/e2e.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, cpSync, rmSync, readdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, repo, startApp, typeText as typeInto, screenshot as saveScreenshot } from './driver.mjs';

let session;
let browser;
let workspace;

before(async () => {
  workspace = join(mkdtempSync(join(tmpdir(), 'mandate-e2e-')), 'acme');
  execFileSync(cli, ['init', workspace, '--name', 'E2E Acme', '--namespace', 'Acme'], {
    env: { ...process.env, MANDATE_ACTOR: 'e2e@example.com' },
  });
  session = await startApp(workspace);
  browser = session.browser;
});

after(async () => {
  await session?.stop();
});

const typeText = (text) => typeInto(browser, text);

/** Replaces an input's value by typing, so React sees every key (see typeText). */
async function fill(selector, text) {
  const el = await browser.$(selector);
  await el.waitForDisplayed({ timeout: 5_000 });
  await el.click();
  await browser.keys(['Control', 'a']);
  await browser.keys('Delete');
  await typeText(text);
}

/** A copy of examples/demo in a temp dir (without its database), opened in the window. */
async function openDemoCopy(adjust = () => {}) {
  const demo = join(mkdtempSync(join(tmpdir(), 'mandate-e2e-demo-')), 'demo');
  cpSync(join(repo, 'examples', 'demo'), demo, { recursive: true, filter: (src) => !src.includes('.mandate') });
  // The demo's recorded traffic is generated (not in git): 5,000 requests, the same every run.
  execFileSync(cli, ['demo', '--traffic', join(demo, 'requests', 'traffic.jsonl'), '--requests', '5000']);
  adjust(demo);
  // The folder dialog is native: the shell's e2e seam answers it with the copy.
  session.pick(demo);
  await (await browser.$('[data-testid="open-workspace"]')).click();
  await browser.waitUntil(async () => (await (await browser.$('[data-testid="workspace-root"]')).getAttribute('title')) === realpathSync(demo), {
    timeout: 10_000,
    timeoutMsg: 'the picked workspace did not open',
  });
  await browser.refresh();
  await (await browser.$('[data-testid="workspace-name"]')).waitForDisplayed({ timeout: 10_000 });
  return demo;
}

const screenshot = (name) => saveScreenshot(browser, name);

test('opens the workspace given on the command line and lists its policies', async () => {
  const name = await browser.$('[data-testid="workspace-name"]');
  await name.waitForDisplayed({ timeout: 15_000 });
  assert.equal(await name.getText(), 'E2E Acme');
  await (await browser.$('[data-testid="nav-policies"]')).click();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="policy-file"]')).length === 4, {
    timeout: 10_000,
    timeoutMsg: 'expected the 4 library policy files',
  });
  const paths = [];
  for (const f of await browser.$$('[data-testid="policy-file"]')) paths.push(await f.getAttribute('data-path'));
  assert.deepEqual(paths.sort(), [
    'policies/credentials.cedar',
    'policies/delegation.cedar',
    'policies/lifecycle.cedar',
    'policies/tools.cedar',
  ]);
  assert.equal((await browser.$$('[data-testid="diagnostic"]')).length, 0);
  const summary = await (await browser.$('[data-testid="validation-summary"]')).getText();
  assert.match(summary, /11 polic/);
  await screenshot('policies-clean');
});

test('an error introduced on disk appears in the window, and clears when fixed', async () => {
  await (await browser.$('[data-testid="nav-policies"]')).click();
  const file = join(workspace, 'policies', 'tools.cedar');
  const original = readFileSync(file, 'utf8');
  writeFileSync(file, original.replace('principal.allowed_tools.contains(resource)', 'principal.allowed_tool.contains(resource)'));
  const started = Date.now();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="diagnostic"]')).length > 0, {
    timeout: 10_000,
    interval: 50,
    timeoutMsg: 'the diagnostic never appeared',
  });
  const elapsed = Date.now() - started;
  const diag = (await browser.$$('[data-testid="diagnostic"]'))[0];
  assert.equal(await diag.getAttribute('data-file'), 'policies/tools.cedar');
  assert.equal(await diag.getAttribute('data-severity'), 'error');
  assert.equal(await diag.getAttribute('data-line'), '11');
  const message = await (await diag.$('[data-testid="diagnostic-message"]')).getText();
  assert.match(message, /allowed_tool/);
  await screenshot('policies-diagnostic');
  console.log(`# diagnostic shown ${elapsed} ms after the file was written`);

  writeFileSync(file, original);
  await browser.waitUntil(async () => (await browser.$$('[data-testid="diagnostic"]')).length === 0, {
    timeout: 10_000,
    timeoutMsg: 'the diagnostic did not clear after the fix',
  });
});

test('every page of the shell renders and says what it is for', async () => {
  for (const page of ['dashboard', 'agents', 'simulate', 'insights', 'frameworks', 'publish', 'audit']) {
    await (await browser.$(`[data-testid="nav-${page}"]`)).click();
    const root = await browser.$(`[data-testid="page-${page}"]`);
    await root.waitForDisplayed({ timeout: 5_000 });
    assert.ok((await root.getText()).trim().length > 40, `page ${page} is nearly empty`);
  }
  // The audit page shows the real log: `mandate init` recorded itself.
  await browser.waitUntil(async () => (await (await browser.$('[data-testid="page-audit"]')).getText()).includes('workspace.init'), {
    timeout: 5_000,
    timeoutMsg: 'audit log did not show workspace.init',
  });
  // Nothing is imported in a new workspace: Insights says how to import, not an error.
  await (await browser.$('[data-testid="nav-insights"]')).click();
  await (await browser.$('[data-testid="insights-empty"]')).waitForDisplayed({ timeout: 10_000 });
  assert.equal(await (await browser.$('[data-testid="page-insights"] [data-testid="error-banner"]')).isExisting(), false);
  await (await browser.$('[data-testid="nav-dashboard"]')).click();
  const count = await browser.$('[data-testid="dashboard-policy-count"]');
  await count.waitForDisplayed({ timeout: 5_000 });
  assert.equal(await count.getText(), '11');
  assert.equal(await (await browser.$('[data-testid="dashboard-error-count"]')).getText(), '0 errors');
});

test('add an agent with no accountable human, see the gap, fix it, the gap disappears', async () => {
  // People arrive by an edit on disk, as from a git pull: the watcher brings them in.
  writeFileSync(
    join(workspace, 'inventory', 'people.toml'),
    '[[teams]]\nid = "support"\nname = "Customer Support"\n\n[[humans]]\nid = "sam"\nname = "Sam Okafor"\nemail = "sam@acme.example"\nteam = "support"\n',
  );
  await (await browser.$('[data-testid="nav-agents"]')).click();
  await (await browser.$('[data-testid="page-agents"]')).waitForDisplayed({ timeout: 5_000 });
  await (await browser.$('[data-testid="agents-add"]')).click();
  await (await browser.$('[data-testid="agent-detail"]')).waitForDisplayed({ timeout: 5_000 });
  await (await browser.$('[data-testid="agent-field-id"]')).setValue('notes-bot');
  await (await browser.$('[data-testid="agent-field-name"]')).setValue('Meeting notes');
  const team = await browser.$('[data-testid="agent-field-owner_team"]');
  await browser.waitUntil(async () => (await team.$$('option[value="support"]')).length === 1, {
    timeout: 10_000,
    timeoutMsg: 'the team from people.toml never reached the form',
  });
  await team.selectByAttribute('value', 'support');
  const save = await browser.$('[data-testid="agent-save"]');
  await browser.waitUntil(async () => save.isEnabled(), { timeout: 5_000, timeoutMsg: 'save stayed disabled' });
  await save.click();
  await browser.waitUntil(() => existsSync(join(workspace, 'inventory', 'agents', 'notes-bot.toml')), {
    timeout: 5_000,
    timeoutMsg: 'the agent file was not written',
  });

  await (await browser.$('[data-testid="agents-tab-gaps"]')).click();
  const gap = '[data-testid="finding"][data-code="accountable.missing"][data-subject="agent:notes-bot"]';
  await (await browser.$(gap)).waitForDisplayed({ timeout: 10_000 });
  await screenshot('agents-gap');
  // Close the form; then the finding in the gaps panel links to the field that fixes it.
  await (await browser.$('[data-testid="agent-cancel"]')).click();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="agent-detail"]')).length === 0, {
    timeout: 5_000,
    timeoutMsg: 'the detail panel did not close',
  });
  await (await browser.$(gap)).click();
  const accountable = await browser.$('[data-testid="agent-field-accountable"]');
  await accountable.waitForDisplayed({ timeout: 5_000 });
  await browser.waitUntil(async () => (await browser.execute(() => document.activeElement?.getAttribute('data-testid'))) === 'agent-field-accountable', {
    timeout: 5_000,
    timeoutMsg: 'the accountable field was not focused',
  });
  await accountable.selectByAttribute('value', 'sam');
  const save2 = await browser.$('[data-testid="agent-save"]');
  await browser.waitUntil(async () => save2.isEnabled(), { timeout: 5_000, timeoutMsg: 'save stayed disabled' });
  await save2.click();
  await browser.waitUntil(() => readFileSync(join(workspace, 'inventory', 'agents', 'notes-bot.toml'), 'utf8').includes('accountable = "sam"'), {
    timeout: 5_000,
    timeoutMsg: 'the fix was not saved',
  });
  await (await browser.$('[data-testid="agents-tab-gaps"]')).click();
  await browser.waitUntil(async () => (await browser.$$(gap)).length === 0, {
    timeout: 10_000,
    timeoutMsg: 'the gap did not disappear after the fix',
  });
  await (await browser.$('[data-testid="agents-tab-table"]')).click();
  await (await browser.$('[data-testid="agent-row"][data-id="notes-bot"]')).waitForDisplayed({ timeout: 5_000 });
});

test('the policy editor: type an error, see it, fix it, save without an outside-change prompt', async () => {
  await (await browser.$('[data-testid="nav-policies"]')).click();
  await (await browser.$('[data-testid="policy-file"][data-path="policies/lifecycle.cedar"]')).click();
  const editor = await browser.$('[data-testid="policy-editor"]');
  await editor.waitForDisplayed({ timeout: 10_000 });
  const content = await browser.$('[data-testid="policy-editor"] .cm-content');
  await content.waitForDisplayed({ timeout: 10_000 });
  // CodeMirror's own styles must apply under the strict CSP (gutters laid out, not unstyled).
  const gutterDisplay = await browser.execute(() => {
    const g = document.querySelector('.cm-gutters');
    return g ? getComputedStyle(g).display : 'missing';
  });
  assert.equal(gutterDisplay, 'flex');
  await content.click();
  await browser.keys(['Control', 'End']);
  await typeText('\npermit(principal, action, resource) when { principal.lifecycl == "x" };');
  // The statement has no @id, so a lint warning may come first: look for the error.
  const errors = '[data-testid="editor-problem"][data-severity="error"]';
  await browser.waitUntil(async () => (await browser.$$(errors)).length > 0, {
    timeout: 10_000,
    timeoutMsg: 'the problem in the unsaved buffer never appeared',
  });
  const problem = (await browser.$$(errors))[0];
  assert.equal(await problem.getAttribute('data-severity'), 'error');
  await (await browser.$('.cm-lintRange-error')).waitForExist({ timeout: 5_000 });
  assert.ok(await (await browser.$('[data-testid="editor-dirty"]')).isDisplayed());
  await screenshot('policy-editor');
  const problemText = await problem.getText();
  assert.match(problemText, /lifecycl/);
  // Fix it: replace the buffer with a valid policy, then save.
  await content.click();
  await browser.keys(['Control', 'a']);
  await browser.keys('Delete');
  const fixed = '@id("deny-inactive-agents")\n@control("MND-LIFECYCLE-01")\nforbid (principal is Acme::Agent, action, resource)\nunless { principal.lifecycle == "active" };\n';
  await typeText(fixed);
  await browser.waitUntil(async () => (await browser.$$('[data-testid="editor-problem"]')).length === 0, {
    timeout: 10_000,
    timeoutMsg: 'the problem did not clear after the fix',
  });
  await (await browser.$('[data-testid="editor-save"]')).click();
  await browser.waitUntil(() => readFileSync(join(workspace, 'policies', 'lifecycle.cedar'), 'utf8').includes('unless { principal.lifecycle == "active" }'), {
    timeout: 5_000,
    timeoutMsg: 'the buffer was not saved',
  });
  // The app's own save never comes back as "changed outside".
  await browser.pause(1000);
  assert.equal((await browser.$$('[data-testid="editor-conflict"]')).length, 0);
  assert.equal((await browser.$$('[data-testid="editor-dirty"]')).length, 0, 'saved buffer is still marked dirty');
});

test('completion after `context.` offers exactly the action’s context fields', async () => {
  // The fields come from the workspace's effective schema, as the core prints it.
  const schema = JSON.parse(execFileSync(cli, ['-w', workspace, 'schema', '--format', 'json'], { encoding: 'utf8' }));
  const ns = schema.Acme;
  const ctx = ns.actions.request_credential.appliesTo.context;
  const expected = Object.keys(ctx.type === 'Record' ? ctx.attributes : ns.commonTypes[ctx.type].attributes).sort();
  assert.ok(expected.includes('ttl_seconds') && expected.length > 3, `unexpected context fields ${expected}`);

  await (await browser.$('[data-testid="nav-policies"]')).click();
  await (await browser.$('[data-testid="policy-file"][data-path="policies/credentials.cedar"]')).click();
  const content = await browser.$('[data-testid="policy-editor"][data-path="policies/credentials.cedar"] .cm-content');
  await content.waitForDisplayed({ timeout: 10_000 });
  await browser.waitUntil(async () => (await content.getText()).includes('attestation_required'), {
    timeout: 10_000,
    timeoutMsg: 'credentials.cedar did not load into the editor',
  });
  await content.click();
  await browser.keys(['Control', 'End']);
  // Put the cursor at the end of `when { principal.attestation_required` through the DOM
  // selection, which CodeMirror follows.
  const placed = await browser.execute((needle) => {
    const root = document.querySelector('[data-testid="policy-editor"] .cm-content');
    for (const line of root.querySelectorAll('.cm-line')) {
      const at = line.textContent.indexOf(needle);
      if (at < 0) continue;
      let offset = at + needle.length;
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (offset <= node.length) {
          root.focus();
          const range = document.createRange();
          range.setStart(node, offset);
          range.collapse(true);
          const sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
          return true;
        }
        offset -= node.length;
      }
    }
    return false;
  }, 'when { principal.attestation_required');
  assert.ok(placed, 'the `when` condition of attestation-before-issuance is not in the editor');
  await browser.pause(200);
  await typeText(' && context.');
  const labels = '[data-testid="policy-editor"] .cm-tooltip-autocomplete li .cm-completionLabel';
  await browser.waitUntil(async () => (await browser.$$(labels)).length > 0, {
    timeout: 5_000,
    timeoutMsg: 'no completion list after `context.`',
  });
  const offered = [];
  for (const el of await browser.$$(labels)) offered.push(await el.getText());
  assert.deepEqual(offered.sort(), expected);

  // Leave the file as it was: close the list and undo the typing.
  await browser.keys('Escape');
  for (let i = 0; i < 20 && (await browser.$$('[data-testid="editor-dirty"]')).length > 0; i++) {
    await browser.keys(['Control', 'z']);
  }
  assert.equal((await browser.$$('[data-testid="editor-dirty"]')).length, 0, 'undo did not restore the file');
});

test('the demo organisation: 33 agents, their gaps and the graph', async () => {
  await openDemoCopy();
  await (await browser.$('[data-testid="nav-agents"]')).click();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="agent-row"]')).length > 0, { timeout: 10_000, timeoutMsg: 'no agent rows' });
  assert.match(await (await browser.$('[data-testid="agents-count"]')).getText(), /33/);
  await screenshot('agents-table');
  await (await browser.$('[data-testid="agents-tab-gaps"]')).click();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="finding"]')).length === 15, {
    timeout: 10_000,
    timeoutMsg: 'expected the 15 planted findings',
  });
  await screenshot('agents-gaps');
  await (await browser.$('[data-testid="agents-tab-graph"]')).click();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="graph-agent"]')).length === 33, {
    timeout: 10_000,
    timeoutMsg: 'expected 33 agent nodes in the graph (a blank page means the graph threw)',
  });
  await screenshot('agents-graph');
  await (await browser.$('[data-testid="nav-dashboard"]')).click();
  await (await browser.$('[data-testid="dashboard-agent-count"]')).waitForDisplayed({ timeout: 5_000 });
  await screenshot('dashboard');
});

test('the test bench decides a request', async () => {
  // Still the demo copy. Its policies decide: faq-bot (active, allowed zendesk.ticket.read,
  // a low-sensitivity prod tool) is allowed by permit-allowed-tools; legacy-exporter is
  // retired, so deny-inactive-agents (policies/lifecycle.cedar) denies it.
  await (await browser.$('[data-testid="nav-policies"]')).click();
  await (await browser.$('[data-testid="open-test-bench"]')).click();
  const action = await browser.$('[data-testid="test-action"]');
  await action.waitForDisplayed({ timeout: 10_000 });
  await action.selectByAttribute('value', 'invoke_tool');
  assert.equal(await (await browser.$('[data-testid="test-principal-type"]')).getValue(), 'Acme::Agent');
  assert.equal(await (await browser.$('[data-testid="test-resource-type"]')).getValue(), 'Acme::Tool');
  const fields = [];
  for (const f of await browser.$$('[data-testid="test-context-field"]')) fields.push(await f.getAttribute('data-field'));
  assert.ok(fields.includes('env') && fields.includes('task_id'), `context fields: ${fields}`);
  await fill('[data-testid="test-principal-id"]', 'faq-bot');
  await fill('[data-testid="test-resource-id"]', 'zendesk.ticket.read');
  await fill('[data-testid="test-context-field"][data-field="env"]', 'prod');
  await (await browser.$('[data-testid="test-decide"]')).click();
  const decision = await browser.$('[data-testid="test-decision"]');
  await decision.waitForDisplayed({ timeout: 10_000 });
  assert.equal(await decision.getAttribute('data-decision'), 'allow');
  const ids = async () => {
    const out = [];
    for (const d of await browser.$$('[data-testid="test-determining"]')) out.push(await d.getAttribute('data-policy-id'));
    return out;
  };
  assert.deepEqual(await ids(), ['permit-allowed-tools']);

  await fill('[data-testid="test-principal-id"]', 'legacy-exporter');
  await (await browser.$('[data-testid="test-decide"]')).click();
  await browser.waitUntil(async () => (await decision.getAttribute('data-decision')) === 'deny', {
    timeout: 10_000,
    timeoutMsg: 'the retired agent was not denied',
  });
  assert.deepEqual(await ids(), ['deny-inactive-agents']);
  const source = await (await browser.$('[data-testid="test-determining"] pre')).getText();
  assert.match(source, /unless \{ principal\.lifecycle == "active" \}/);
  await screenshot('test-bench');

  // file:line opens the policy in the editor.
  await (await browser.$('[data-testid="test-determining"] [data-testid="test-open-policy"]')).click();
  await (await browser.$('[data-testid="policy-editor"][data-path="policies/lifecycle.cedar"]')).waitForExist({ timeout: 10_000 });
});

test('add a control policy from the library', async () => {
  // A demo copy without policies/lifecycle.cedar: MND-LIFECYCLE-01's library policy is gone.
  const demo = await openDemoCopy((dir) => rmSync(join(dir, 'policies', 'lifecycle.cedar')));
  const added = join(demo, 'policies', 'controls', 'mnd-lifecycle-01.cedar');
  const remaining = readdirSync(join(demo, 'policies')).filter((f) => f.endsWith('.cedar')).length;
  await (await browser.$('[data-testid="nav-policies"]')).click();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="policy-file"]')).length === remaining, {
    timeout: 10_000,
    timeoutMsg: `expected the ${remaining} remaining demo policy files`,
  });
  await (await browser.$('[data-testid="open-library"]')).click();
  const dialog = await browser.$('[data-testid="library-dialog"]');
  await dialog.waitForDisplayed({ timeout: 5_000 });
  const row = await browser.$('[data-testid="library-control"][data-control="MND-LIFECYCLE-01"]');
  await row.waitForDisplayed({ timeout: 10_000 });
  const add = await row.$('[data-testid="library-add"]');
  assert.ok(await add.isEnabled(), 'Add is disabled for MND-LIFECYCLE-01');
  // Controls whose library policies are present cannot be added again.
  assert.equal(await (await browser.$('[data-testid="library-control"][data-control="MND-AUTHZ-01"] [data-testid="library-add"]')).isEnabled(), false);
  await add.click();
  const done = await browser.$('[data-testid="library-added"]');
  await done.waitForDisplayed({ timeout: 10_000 });
  assert.match(await done.getText(), /Added deny-inactive-agents to policies\/controls\/mnd-lifecycle-01\.cedar/);
  assert.ok(existsSync(added), 'the control file was not written');
  assert.match(readFileSync(added, 'utf8'), /@id\("deny-inactive-agents"\)/);
  await browser.waitUntil(async () => !(await add.isEnabled()), { timeout: 10_000, timeoutMsg: 'Add is still offered after adding' });
  const close = await browser.$('[data-testid="library-close"]');
  await close.waitForEnabled({ timeout: 10_000, timeoutMsg: 'Close stayed disabled after the add' });
  await close.click();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="library-dialog"]')).length === 0, {
    timeout: 5_000,
    timeoutMsg: 'the dialog did not close',
  });

  const file = await browser.$('[data-testid="policy-file"][data-path="policies/controls/mnd-lifecycle-01.cedar"]');
  await file.waitForExist({ timeout: 10_000 });
  await (await browser.$('[data-testid="policy-editor"][data-path="policies/controls/mnd-lifecycle-01.cedar"]')).waitForExist({ timeout: 10_000 });
  assert.equal((await file.$$('.count-error')).length, 0, 'the added file has errors');
  assert.equal((await browser.$$('[data-testid="diagnostic"][data-severity="error"]')).length, 0);
  assert.match(await (await browser.$('[data-testid="validation-summary"]')).getText(), /18 policies in 8 files and 1 template link — 0 errors/);
});
