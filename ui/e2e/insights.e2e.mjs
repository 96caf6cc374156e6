// End-to-end: the Insights page in the real Mandate window (Tauri + WebKitWebDriver under
// Xvfb) against the real core. A copy of the demo workspace gets the demo traffic imported by
// the real CLI, which also says what the report must contain (`mandate insights`) and how
// many steps a task with findings has (`mandate insights task ID`); the window must show the
// same numbers, a finding's detail, that task's timeline, and an agent's traffic findings.
// Nothing is hard-coded: the demo traffic may be regenerated. Run by scripts/e2e.sh (one file
// at a time, on the same ports).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, fill as fillInput, repo, startApp, screenshot as saveScreenshot, scrollToTop as scrollMainTo } from './driver.mjs';

const LEVELS = ['critical', 'high', 'medium', 'low'];

let session;
let browser;
let demo;
/** What the CLI reports for the same workspace and set. */
let expected;
/** A task with findings, and the CLI's timeline of it. */
let task;
let timeline;

/** Runs the CLI and parses its JSON (exit 1 means "findings", not failure). */
function cliJson(args) {
  const run = spawnSync(cli, ['-w', demo, '--format', 'json', ...args], {
    encoding: 'utf8',
    env: { ...process.env, MANDATE_ACTOR: 'e2e@example.com' },
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.ok(run.status === 0 || run.status === 1, `mandate ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout);
}

before(async () => {
  demo = join(mkdtempSync(join(tmpdir(), 'mandate-e2e-insights-')), 'demo');
  cpSync(join(repo, 'examples', 'demo'), demo, { recursive: true, filter: (src) => !src.includes('.mandate') });
  // The demo's recorded traffic is generated (not in git): 5,000 requests, the same every run.
  execFileSync(cli, ['demo', '--traffic', join(demo, 'requests', 'traffic.jsonl'), '--requests', '5000']);
  const imported = spawnSync(cli, ['-w', demo, 'requests', 'import', 'requests/traffic.jsonl', '--set', 'traffic'], {
    encoding: 'utf8',
    cwd: demo,
    env: { ...process.env, MANDATE_ACTOR: 'e2e@example.com' },
  });
  assert.equal(imported.status, 0, `import failed: ${imported.stderr}`);

  expected = cliJson(['insights']);
  assert.equal(expected.set, 'traffic');
  assert.ok(expected.findings.length > 0, 'the demo traffic has no findings: the test would prove nothing');
  // A chain finding names the tasks of the agent that started them.
  task = expected.findings.find((f) => f.tasks.length > 0)?.tasks[0];
  assert.ok(task, 'no finding names a task: the demo traffic should have task chains');
  timeline = cliJson(['insights', 'task', task]);
  assert.ok(timeline.steps.length > 0);

  session = await startApp(demo);
  browser = session.browser;
});

after(async () => {
  await session?.stop();
});


const fill = (selector, text) => fillInput(browser, selector, text);

const screenshot = (name) => saveScreenshot(browser, name);

const scrollToTop = (selector) => scrollMainTo(browser, selector);

/** `1,322` (any locale's grouping) → 1322. */
const number = (text) => Number(String(text).replace(/[^\d]/g, ''));

/** textContent, not getText: below the fold WebKit reports no text. */
const text = async (el) => String(await el.getProperty('textContent'));

test('the Insights page shows what the CLI finds, a finding with its fix, and a task timeline', async () => {
  await (await browser.$('[data-testid="workspace-name"]')).waitForDisplayed({ timeout: 15_000 });
  const nav = await browser.$('[data-testid="nav-insights"]');
  assert.equal(await nav.getText(), 'Insights');
  await nav.click();
  await (await browser.$('[data-testid="page-insights"]')).waitForDisplayed({ timeout: 5_000 });

  // The page analyses the most recent import as it opens.
  const started = Date.now();
  const report = await browser.$('[data-testid="insights-report"]');
  await report.waitForDisplayed({ timeout: 60_000, timeoutMsg: 'the report never arrived' });
  console.log(`# insights of ${expected.requests} requests shown ${Date.now() - started} ms after opening the page`);
  assert.equal(await report.getAttribute('data-set'), 'traffic');

  const metric = async (key) =>
    number(await text(await browser.$(`[data-testid="insights-metric-${key}"] [data-testid="insights-metric-value"]`)));
  const byLevel = Object.fromEntries(LEVELS.map((l) => [l, expected.findings.filter((f) => f.level === l).length]));
  assert.deepEqual(
    {
      requests: await metric('requests'),
      denies: await metric('denies'),
      agents: await metric('agents'),
      tasks: await metric('tasks'),
      findings: await metric('findings'),
      ...Object.fromEntries(await Promise.all(LEVELS.map(async (l) => [l, await metric(l)]))),
    },
    {
      requests: expected.requests,
      denies: expected.denies,
      agents: expected.agents,
      tasks: expected.tasks,
      findings: expected.findings.length,
      ...byLevel,
    },
  );

  // Every finding is in the list (virtualized: the count and the group headers say how many).
  const countEl = await browser.$('[data-testid="insights-findings-count"]');
  assert.equal(Number(await countEl.getAttribute('data-total')), expected.findings.length);
  assert.equal(Number(await countEl.getAttribute('data-shown')), expected.findings.length);
  assert.equal(number(await text(countEl)), expected.findings.length);
  const list = await browser.$('[data-testid="insights-findings"]');
  assert.equal(Number(await list.getAttribute('data-total')), expected.findings.length);
  const worst = LEVELS.find((l) => byLevel[l] > 0);
  const firstGroup = await browser.$('[data-testid="insights-group"]');
  assert.equal(await firstGroup.getAttribute('data-level'), worst);
  assert.equal(Number(await firstGroup.getAttribute('data-count')), byLevel[worst]);

  // The worst level's card filters the list to it; pressed again, it shows everything.
  const levelCard = await browser.$(`[data-testid="insights-metric-${worst}"] button`);
  await levelCard.scrollIntoView({ block: 'center' });
  await levelCard.click();
  await browser.waitUntil(async () => Number(await countEl.getAttribute('data-shown')) === byLevel[worst], {
    timeout: 5_000,
    timeoutMsg: `the ${worst} card did not filter the findings`,
  });
  assert.equal(await levelCard.getAttribute('aria-pressed'), 'true');
  await levelCard.click();
  await browser.waitUntil(async () => Number(await countEl.getAttribute('data-shown')) === expected.findings.length, {
    timeout: 5_000,
    timeoutMsg: 'pressing the level card again did not clear the filter',
  });

  // The first card is the report's first finding (worst first, the CLI's order); its detail.
  const first = expected.findings[0];
  const card = await browser.$('[data-testid="insight-card"]');
  await card.scrollIntoView({ block: 'center' });
  assert.equal(await card.getAttribute('data-code'), first.code);
  assert.equal(await card.getAttribute('data-subject'), first.subject);
  await card.click();
  const detail = await browser.$('[data-testid="insight-detail"]');
  await detail.waitForDisplayed({ timeout: 5_000 });
  assert.equal(await detail.getAttribute('data-code'), first.code);
  assert.equal(number((await text(await browser.$('[data-testid="insight-detail-count"]'))).split('·')[0]), first.count);
  const fix = await browser.$('[data-testid="insight-detail-fix"]');
  assert.equal(await fix.getAttribute('data-kind'), first.fix.kind);
  const fixText = await text(fix);
  // Backticked ids in the core's text are shown as code, without the backticks.
  const hint = first.fix.hint.replaceAll('`', '');
  assert.ok(fixText.includes(hint), `the fix does not say "${hint}"`);
  if (first.fix.file) assert.ok(fixText.includes(first.fix.file), `the fix does not name ${first.fix.file}`);
  if (first.fix.control) assert.ok(fixText.includes(first.fix.control), `the fix does not name ${first.fix.control}`);
  // The overview as a reviewer sees it: the totals, and the findings beside the one opened.
  await scrollToTop('[data-testid="insights-form"]');
  await screenshot('insights');

  // A task finding, found by its task id, opens that task's timeline.
  await fill('[data-testid="insights-filter-search"]', task);
  const taskFindings = expected.findings.filter((f) =>
    [f.title, f.subject, f.code, ...f.items, ...f.tasks].some((s) => s.toLowerCase().includes(task.toLowerCase())),
  );
  await browser.waitUntil(async () => Number(await countEl.getAttribute('data-shown')) === taskFindings.length, {
    timeout: 5_000,
    timeoutMsg: `searching ${task} did not show its ${taskFindings.length} finding(s)`,
  });
  const taskCard = await browser.$(`[data-testid="insight-card"][data-tasks~="${task}"]`);
  await taskCard.scrollIntoView({ block: 'center' });
  await taskCard.click();
  const openTask = await browser.$(`[data-testid="insight-open-task"][data-task="${task}"]`);
  await openTask.waitForDisplayed({ timeout: 5_000 });
  await openTask.click();
  const view = await browser.$('[data-testid="task-timeline"]');
  await view.waitForExist({ timeout: 10_000 });
  await browser.waitUntil(async () => (await view.getAttribute('data-steps')) !== '', {
    timeout: 30_000,
    timeoutMsg: `the timeline of ${task} never arrived`,
  });
  assert.equal(await view.getAttribute('data-task'), task);
  assert.equal(Number(await view.getAttribute('data-steps')), timeline.steps.length);
  const ids = [];
  const changes = [];
  for (const r of await browser.$$('[data-testid="timeline-step"]')) {
    ids.push(await r.getAttribute('data-id'));
    changes.push(await r.getAttribute('data-change'));
  }
  assert.deepEqual(ids, timeline.steps.map((s) => s.id));
  // A step decided otherwise today is flagged exactly when the CLI's decisions differ.
  timeline.steps.forEach((s, i) => {
    const differs = s.recorded !== null && s.current !== null && !s.current_error && s.recorded !== s.current;
    assert.equal(changes[i] === 'decision', differs, `step ${s.id}: shown as ${changes[i]}, recorded ${s.recorded}, now ${s.current}`);
  });
  assert.equal(await text(await browser.$('[data-testid="task-agents"]')), timeline.agents.join(' → '));
  const taskFindingRows = await browser.$$('[data-testid="task-findings"] li');
  assert.equal(taskFindingRows.length, timeline.findings.length);
  await scrollToTop('[data-testid="task-timeline"]');
  await screenshot('insights-task');
});

test('an agent’s drawer lists its traffic findings', async () => {
  // The agent with the most findings, so the section has something to show.
  const perAgent = new Map();
  for (const f of expected.findings) if (f.agent) perAgent.set(f.agent, (perAgent.get(f.agent) ?? 0) + 1);
  const [agent, findings] = [...perAgent.entries()].sort((a, b) => b[1] - a[1])[0];
  const activity = expected.agent_activity.find((a) => a.agent === agent);

  await (await browser.$('[data-testid="nav-agents"]')).click();
  await (await browser.$('[data-testid="page-agents"]')).waitForDisplayed({ timeout: 5_000 });
  await fill('[data-testid="agents-filter-text"]', agent);
  const row = await browser.$(`[data-testid="agent-row"][data-id="${agent}"]`);
  await row.waitForDisplayed({ timeout: 5_000 });
  await row.click();
  const section = await browser.$('[data-testid="agent-traffic"]');
  await section.waitForExist({ timeout: 30_000, timeoutMsg: `no traffic section for ${agent}` });
  // One line per code, each saying how many findings it stands for.
  const perCode = new Map();
  for (const f of expected.findings) if (f.agent === agent) perCode.set(f.code, (perCode.get(f.code) ?? 0) + 1);
  const shown = new Map();
  for (const row of await browser.$$('[data-testid="agent-traffic-finding"]')) {
    shown.set(await row.getAttribute('data-code'), Number(await row.getAttribute('data-count')));
  }
  assert.deepEqual(Object.fromEntries(shown), Object.fromEntries(perCode), `${agent}'s ${findings} findings in the CLI's report, by code`);
  if (activity) {
    const facts = await text(await browser.$('[data-testid="agent-traffic-activity"]'));
    assert.equal(number(facts.split('·')[0]), activity.requests);
  }
});
