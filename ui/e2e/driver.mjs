// Shared by the end-to-end files: starting tauri-driver and the real app window, and typing
// into it. Each file runs on its own (scripts/e2e.sh runs them one at a time on one port pair).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import { remote } from 'webdriverio';

export const repo = resolve(import.meta.dirname, '..', '..');
export const app = process.env.MANDATE_APP ?? join(repo, 'target', 'debug', 'mandate-desktop');
export const cli = process.env.MANDATE_CLI ?? join(repo, 'target', 'debug', 'mandate');
export const shots = process.env.MANDATE_SHOTS ?? join(repo, 'docs', 'screenshots');

function portOpen(port) {
  return new Promise((res) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); res(true); });
    s.once('error', () => res(false));
  });
}

async function waitForPorts(ports, open, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const states = await Promise.all(ports.map(portOpen));
    if (states.every((s) => s === open)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tauri-driver ports ${ports} not ${open ? 'open' : 'free'} after ${ms} ms`);
}

/**
 * Starts tauri-driver and the app on `workspace`, with its own config dir (so the app's
 * "last workspace" never touches the user's settings). `env` adds variables the app sees
 * (it inherits tauri-driver's environment), e.g. `MANDATE_KEYS_DIR`. Returns
 * `{ browser, stop, pick, home }`.
 *
 * WebDriver cannot drive a native file dialog. The app's one test seam is on the Rust side:
 * `MANDATE_E2E_PICK` names a file, and while it is set every dialog (`pick_file`,
 * `pick_folder`, `pick_save`) answers the path written there instead of opening, then
 * removes it (no file: cancelled); the path answered is granted like a path the user chose.
 * `pick(path)` writes the answer for the next dialog — from this process, which the
 * webview cannot reach.
 *
 * `home` starts the app on the home folder of an earlier start (returned as `home`): the
 * same config dir (settings.json, keys) and webview storage, to check what survives a
 * restart.
 */
export async function startApp(workspace, { env = {}, home: reuse } = {}) {
  const home = reuse ?? mkdtempSync(join(tmpdir(), 'mandate-e2e-home-'));
  const pickAnswer = join(home, 'e2e-pick');
  // A previous file's driver may still be releasing the ports.
  await waitForPorts([4444, 4445], false, 15_000);
  // Its own process group, which WebKitWebDriver and the app join: `end` stops all three.
  const driver = spawn('tauri-driver', ['--port', '4444', '--native-port', '4445', '--native-driver', '/usr/bin/WebKitWebDriver'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), HOME: home, MANDATE_E2E_PICK: pickAnswer, ...env },
    detached: true,
  });
  const end = () => {
    try {
      process.kill(-driver.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', end);
  // 4444 opens before 4445; a session started in between fails.
  await waitForPorts([4444, 4445], true, 30_000);
  const browser = await remote({
    hostname: '127.0.0.1',
    port: 4444,
    logLevel: 'error',
    capabilities: { 'tauri:options': { application: app, args: [workspace] } },
  });
  return {
    browser,
    stop: async () => {
      await browser.deleteSession().catch(() => {});
      // An app that outlives its session (it happens: WebKitWebDriver does not always close
      // it) would keep this file's output open and the test runner waiting for it.
      end();
    },
    pick: (path) => writeFileSync(pickAnswer, path),
    home,
  };
}

/**
 * Types `text`: WebKitWebDriver drops a key repeated back to back within one keys() call
 * ("==" → "="), so the text goes in runs that never repeat a character across a boundary.
 */
export async function typeText(browser, text) {
  let run = '';
  for (const ch of text) {
    if (run.endsWith(ch)) {
      await browser.keys(run);
      run = '';
    }
    run += ch;
  }
  if (run) await browser.keys(run);
}

/** Replaces an input's value by typing (so React sees every key) and waits until it holds it. */
export async function fill(browser, selector, text) {
  const el = await browser.$(selector);
  await el.waitForDisplayed({ timeout: 5_000 });
  await el.scrollIntoView({ block: 'center' });
  await el.click();
  await browser.keys(['Control', 'a']);
  await browser.keys('Delete');
  await typeText(browser, text);
  await browser.waitUntil(async () => (await el.getValue()) === text, {
    timeout: 5_000,
    timeoutMsg: `${selector} did not take the text ${text}`,
  });
}

/** Saves a screenshot of the window as `docs/screenshots/<name>.png` (for the README). */
export async function screenshot(browser, name) {
  mkdirSync(shots, { recursive: true });
  await browser.saveScreenshot(join(shots, `${name}.png`));
}

/**
 * Scrolls the page (the `.main` scroller, never the window: scrolling the document would
 * push the app header out of the shot) so `selector` is at the top, and lets WebKit paint:
 * its screenshot can otherwise show the frame before the scroll.
 */
export async function scrollToTop(browser, selector) {
  await browser.execute((sel) => {
    const el = document.querySelector(sel);
    const main = document.querySelector('.main');
    if (el && main) main.scrollTop += el.getBoundingClientRect().top - main.getBoundingClientRect().top - 16;
    for (let n = main?.parentElement; n; n = n.parentElement) n.scrollTop = 0;
  }, selector);
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await browser.pause(150);
}
