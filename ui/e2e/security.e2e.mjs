// End-to-end: the hardening of the real Mandate window (Tauri + WebKitWebDriver under Xvfb).
// The page the binary embeds has no inline script and no remote URL; its CSP refuses an
// injected inline script, eval and every remote load (a local HTTP server counts what
// reaches it: nothing may), while the app's own IPC keeps working; the window may call only
// the app's commands, no plugin; and every path it names is confined to the open workspace
// unless the user chose it in a native dialog (answered here by the shell's e2e seam,
// `MANDATE_E2E_PICK`, see driver.mjs). Run by scripts/e2e.sh, one file at a time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, repo, startApp } from './driver.mjs';

let session;
let browser;
let temp;
let workspace;
let outside;
let server;
/** What reached the local server, which stands for any remote host. */
const hits = [];
let remote;

before(async () => {
  temp = mkdtempSync(join(tmpdir(), 'mandate-e2e-security-'));
  workspace = join(temp, 'ws');
  outside = join(temp, 'outside');
  execFileSync(cli, ['init', workspace, '--name', 'E2E Hardening', '--namespace', 'Acme'], {
    env: { ...process.env, MANDATE_ACTOR: 'e2e@example.com' },
  });
  mkdirSync(outside);
  execFileSync(cli, ['demo', '--traffic', join(outside, 'traffic.jsonl'), '--requests', '5000']);
  // A link inside the workspace leading out of it.
  symlinkSync(outside, join(workspace, 'linked'));

  server = createServer((req, res) => {
    hits.push(req.url);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.end('window.__mandateRemoteRan = true;');
  });
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  remote = `http://127.0.0.1:${server.address().port}`;

  session = await startApp(workspace);
  browser = session.browser;
  await (await browser.$('[data-testid="workspace-name"]')).waitForDisplayed({ timeout: 15_000 });
});

after(async () => {
  await session?.stop();
  server?.close();
});

/** Calls an app command from the page; resolves to `{ ok }` or `{ code, message }`. */
function invoke(command, args) {
  return browser.execute(
    (c, a) =>
      window.__TAURI_INTERNALS__.invoke(c, a).then(
        (ok) => ({ ok }),
        (e) => (typeof e === 'object' && e !== null ? { code: e.code, message: e.message } : { code: null, message: String(e) }),
      ),
    command,
    args,
  );
}

test('the page the app embeds has no inline script and no remote URL', async () => {
  const html = readFileSync(join(repo, 'ui', 'dist', 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
  assert.ok(scripts.length > 0, 'no script in ui/dist/index.html');
  for (const [, attrs, body] of scripts) {
    assert.match(attrs, /\bsrc="\.\/assets\//, `a script not loaded from the bundle: <script${attrs}>`);
    assert.equal(body.trim(), '', 'an inline script body');
  }
  for (const [, url] of html.matchAll(/\b(?:src|href|action|content)="([^"]*)"/gi)) {
    assert.doesNotMatch(url, /^(?:[a-z][a-z0-9+.-]*:)?\/\//i, `a remote URL: ${url}`);
  }
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'an inline event handler');
  assert.doesNotMatch(html, /<meta[^>]+http-equiv/i, 'a CSP in the page would weaken or fight the one Tauri sends');

  // In the window: every script came from the app's own origin.
  const sources = await browser.execute(() => ({ origin: window.location.origin, scripts: [...document.scripts].map((s) => s.src) }));
  assert.ok(sources.scripts.length > 0);
  for (const src of sources.scripts) assert.ok(src.startsWith(sources.origin), `${src} is not from ${sources.origin}`);
});

test('the CSP refuses an injected inline script, eval and remote loads; the app’s IPC still works', async () => {
  const r = await browser.execute(async (remoteUrl) => {
    const violations = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
    const settle = () => new Promise((res) => setTimeout(res, 300));

    const inline = document.createElement('script');
    inline.textContent = 'window.__mandateInlineRan = true;';
    document.head.appendChild(inline);
    const handler = document.createElement('div');
    handler.setAttribute('onclick', 'window.__mandateHandlerRan = true;');
    document.body.appendChild(handler);
    handler.click();
    handler.remove();

    const attempt = (f) => {
      try {
        return `ran: ${String(f())}`;
      } catch (e) {
        return e instanceof Error ? e.name : String(e);
      }
    };
    // Indirect eval, so the test's own function is not what is compiled.
    const evalled = attempt(() => (0, window.eval)('6 * 7'));
    const constructed = attempt(() => new Function('return 6 * 7')());
    const timerString = attempt(() => setTimeout('window.__mandateTimerRan = true;', 0));

    const fetchTo = async (url) => {
      try {
        const res = await fetch(url);
        return `fetched: ${res.status}`;
      } catch (e) {
        return e instanceof Error ? e.name : String(e);
      }
    };
    const fetched = await fetchTo(`${remoteUrl}/fetch`);
    const fetchedHttps = await fetchTo('https://example.com/');

    const remoteScript = document.createElement('script');
    remoteScript.src = `${remoteUrl}/script.js`;
    document.head.appendChild(remoteScript);
    const image = new Image();
    image.src = `${remoteUrl}/image.png`;
    const style = document.createElement('link');
    style.rel = 'stylesheet';
    style.href = `${remoteUrl}/style.css`;
    document.head.appendChild(style);
    const frame = document.createElement('iframe');
    frame.src = `${remoteUrl}/frame.html`;
    document.body.appendChild(frame);
    await settle();
    frame.remove();

    const identity = await window.__TAURI_INTERNALS__.invoke('acting_identity');
    const info = await window.__TAURI_INTERNALS__.invoke('current_workspace');
    return {
      ran: {
        inline: window.__mandateInlineRan === true,
        handler: window.__mandateHandlerRan === true,
        timer: window.__mandateTimerRan === true,
        remote: window.__mandateRemoteRan === true,
      },
      evalled,
      constructed,
      timerString,
      fetched,
      fetchedHttps,
      violations,
      identity,
      workspace: info?.name,
    };
  }, remote);

  assert.deepEqual(r.ran, { inline: false, handler: false, timer: false, remote: false }, 'injected code ran');
  assert.equal(r.evalled, 'EvalError', `eval was not refused: ${r.evalled}`);
  assert.equal(r.constructed, 'EvalError', `new Function was not refused: ${r.constructed}`);
  assert.equal(r.fetched, 'TypeError', `a fetch to ${remote} was not refused: ${r.fetched}`);
  assert.equal(r.fetchedHttps, 'TypeError', `a fetch to https://example.com was not refused: ${r.fetchedHttps}`);
  assert.deepEqual(hits, [], 'a request reached the remote server');

  // Each refusal is reported as a violation of the directive that forbids it (WebKit may
  // name the directive or its more specific `-elem`/`-attr` form, or the fallback).
  const reported = (names, blocked) =>
    r.violations.some((v) => names.includes(v.directive) && (blocked === undefined || v.blocked.startsWith(blocked)));
  const seen = r.violations.map((v) => `${v.directive} ${v.blocked}`).join('; ');
  assert.ok(reported(['script-src-elem', 'script-src'], 'inline'), `the inline script was not reported: ${seen}`);
  assert.ok(reported(['script-src-attr', 'script-src'], 'inline'), `the inline handler was not reported: ${seen}`);
  assert.ok(reported(['script-src'], 'eval'), `eval was not reported: ${seen}`);
  assert.ok(reported(['connect-src'], remote), `the fetch was not reported: ${seen}`);
  assert.ok(reported(['script-src-elem', 'script-src'], remote), `the remote script was not reported: ${seen}`);
  assert.ok(reported(['img-src'], remote), `the remote image was not reported: ${seen}`);
  assert.ok(reported(['style-src-elem', 'style-src'], remote), `the remote stylesheet was not reported: ${seen}`);
  assert.ok(reported(['frame-src', 'child-src', 'default-src'], remote), `the remote frame was not reported: ${seen}`);

  // The app's own IPC is untouched.
  assert.equal(typeof r.identity, 'string');
  assert.ok(r.identity.length > 0);
  assert.equal(r.workspace, 'E2E Hardening');
});

test('the window may call the app’s commands and no plugin’s', async () => {
  assert.ok('ok' in (await invoke('acting_identity', {})));
  for (const [command, args] of [
    ['plugin:dialog|open', { options: {} }],
    ['plugin:dialog|save', { options: {} }],
    ['plugin:shell|open', { path: 'https://example.com' }],
    ['plugin:app|version', {}],
    ['plugin:window|set_title', { label: 'main', value: 'owned' }],
  ]) {
    const r = await invoke(command, args);
    assert.ok(!('ok' in r), `${command} was allowed`);
    assert.match(r.message, /not allowed/, `${command} was refused for another reason: ${r.message}`);
  }
});

test('paths from the window stay in the workspace unless chosen in a dialog', async () => {
  const traffic = join(outside, 'traffic.jsonl');
  const refused = async (command, args) => {
    const r = await invoke(command, args);
    assert.equal(r.code, 'path_outside_workspace', `${command} ${JSON.stringify(args)}: ${JSON.stringify(r)}`);
  };
  await refused('import_requests', { path: traffic, set: 'x', strict: false });
  await refused('import_requests', { path: '../outside/traffic.jsonl', set: 'x', strict: false });
  await refused('import_requests', { path: `${workspace}/../outside/traffic.jsonl`, set: 'x', strict: false });
  await refused('import_requests', { path: 'linked/traffic.jsonl', set: 'x', strict: false });
  await refused('open_workspace', { path: workspace });
  await refused('bundle_view', { path: '/etc' });
  await refused('bundle_verify', { path: '../outside', requireApproved: false });
  await refused('bundle_publish', { path: '.mandate/drafts/1.0.0', to: outside });
  const out = join(outside, 'coverage.csv');
  await refused('export_coverage', { request: { format: 'csv', framework: null, table: null, out } });
  assert.ok(!existsSync(out), 'a refused export was written');
  await refused('run_replay', { request: { set: 'x', baseline: outside, candidate: null, since: null, until: null } });
  // The window never names a program to run.
  assert.equal((await invoke('analyze', { request: { no_diff: false, no_findings: false, solver: '/bin/sh' } })).code, 'invalid_argument');

  // Without an answer the dialog is cancelled; with one, the path is granted for this run.
  assert.deepEqual(await invoke('pick_file', { title: 'Import recorded requests' }), { ok: null });
  session.pick(traffic);
  assert.deepEqual(await invoke('pick_file', { title: 'Import recorded requests' }), { ok: traffic });
  const imported = await invoke('import_requests', { path: traffic, set: 'picked', strict: false });
  assert.ok('ok' in imported, JSON.stringify(imported));
  assert.ok(imported.ok.kept > 0);
  // A grant is that file only, not its folder or a neighbour.
  await refused('import_requests', { path: join(outside, 'other.jsonl'), set: 'x', strict: false });
  session.pick(out);
  assert.deepEqual(await invoke('pick_save', { title: 'Export', defaultName: 'coverage.csv', filters: [{ name: 'CSV', extensions: ['csv'] }] }), {
    ok: out,
  });
  const exported = await invoke('export_coverage', { request: { format: 'csv', framework: null, table: null, out } });
  assert.ok('ok' in exported, JSON.stringify(exported));
  assert.ok(existsSync(out), `${out} was not written`);
});
