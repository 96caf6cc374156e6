// Accessibility checks for the end-to-end files: axe-core (the exact version in ui/package.json)
// run inside the real window. The app's CSP (`script-src 'self'`, no eval) would refuse axe as a
// <script> or through eval; WebDriver's Execute Script runs its body outside the page's CSP (as
// every `browser.execute` of the suite does), so axe's own source is that body, sent once per
// page load (a reload or another workspace drops it; `window.axe` says whether it is there).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const axeVersion = JSON.parse(readFileSync(require.resolve('axe-core/package.json'), 'utf8')).version;

/**
 * WCAG 2.0, 2.1 and 2.2 at levels A and AA (what axe's rules can test of them), and axe's best
 * practices, which cover what WCAG leaves to judgement (focus order: no positive tabindex;
 * landmarks, heading order, one main).
 */
export const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice'];

/** Impacts that fail a check; moderate and minor ones are printed, not failed. */
export const BLOCKING = ['serious', 'critical'];

/** Puts axe-core into the current page unless it is there already. */
async function inject(browser) {
  if (await browser.execute(() => typeof window.axe === 'object' && typeof window.axe.run === 'function')) return;
  const version = await browser.execute(`${axeSource}\nreturn window.axe && window.axe.version;`);
  assert.equal(version, axeVersion, 'axe-core did not load into the window');
}

/**
 * Runs axe over the whole document with the WCAG 2 A/AA rules and best practices and returns its violations, each
 * `{ id, impact, help, helpUrl, nodes: [{ target, html, summary }] }` — nothing else of axe's
 * result crosses the WebDriver connection.
 */
export async function runAxe(browser) {
  await inject(browser);
  await browser.setTimeout({ script: 120_000 });
  const result = await browser.executeAsync((tags, done) => {
    window.axe
      .run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations', 'incomplete'] })
      .then(
        (r) =>
          done({
            violations: r.violations.map((v) => ({
              id: v.id,
              impact: v.impact,
              help: v.help,
              helpUrl: v.helpUrl,
              nodes: v.nodes.map((n) => ({
                target: n.target.map(String).join(' '),
                html: n.html.slice(0, 160),
                summary: (n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 300),
              })),
            })),
            passes: r.passes.length,
            // Text whose contrast axe could not work out (an image or gradient behind it, text
            // overlapping other text): counted, so a page that hides its colours shows up.
            unsure: r.incomplete
              .filter((v) => v.id === 'color-contrast')
              .flatMap((v) => v.nodes.map((n) => `${n.target.map(String).join(' ')}: ${(n.any[0]?.message ?? '').slice(0, 160)}`)),
          }),
        (e) => done({ error: String((e && e.stack) || e) }),
      );
  }, TAGS);
  assert.ok(!result.error, `axe failed in the window: ${result.error}`);
  return result;
}

/** One line per element of every violation, as the failure message and the log print them. */
export function describe(violations) {
  return violations
    .flatMap((v) => v.nodes.map((n) => `  [${v.impact}] ${v.id} — ${v.help}\n      at ${n.target}: ${n.summary}\n      ${n.html}`))
    .join('\n');
}

/**
 * Checks the page as it is now: prints a `# a11y` line (rules passed, violations by impact) and
 * every violation, and fails listing each serious or critical one with its rule, element and
 * the help axe gives. Returns all violations.
 */
export async function checkA11y(browser, label) {
  const { violations, passes, unsure } = await runAxe(browser);
  const count = (impact) => violations.filter((v) => v.impact === impact).reduce((n, v) => n + v.nodes.length, 0);
  console.log(
    `# a11y ${label}: ${passes} rules pass; violations critical ${count('critical')}, serious ${count('serious')}, moderate ${count('moderate')}, minor ${count('minor')}; contrast not determinable for ${unsure.length} element(s)`,
  );
  if (process.env.MANDATE_A11Y_VERBOSE) for (const u of unsure) console.log(`#   contrast unsure: ${u}`);
  if (violations.length) console.log(describe(violations).replace(/^/gm, '# '));
  const blocking = violations.filter((v) => BLOCKING.includes(v.impact));
  assert.equal(blocking.length, 0, `${label}: serious or critical accessibility violations (axe-core ${axeVersion}):\n${describe(blocking)}`);
  return violations;
}
