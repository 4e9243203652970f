// The browser scenarios' library: Debian's Chromium driven by playwright-core, pages scanned with axe-core.
//
// A scenario is one `.mjs` file run by `node` against a running server; the Rust side (tests/src/browser.rs)
// starts the server and passes what the scenario needs as environment variables:
//
//   MSCOMMERCE_BASE_URL         the server, e.g. http://127.0.0.1:40123 (required)
//   MSCOMMERCE_USERNAME         a user who can sign in, and
//   MSCOMMERCE_PASSWORD         their password
//   MSCOMMERCE_SCREENSHOT_DIR   where screenshot() writes (default: target/console-screenshots of the workspace)
//   MSCOMMERCE_CHROMIUM         the browser (default: /usr/bin/chromium)
//
// plus any of the scenario's own. A scenario exits 0 when it passed, and otherwise prints what failed and exits 1.

import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/// Debian's Chromium: test tools cannot download a browser of their own here, and need not.
export const CHROMIUM = process.env.MSCOMMERCE_CHROMIUM || '/usr/bin/chromium';

/// How long one action or navigation may take before the scenario fails (ms).
export const ACTION_TIMEOUT_MS = 15_000;

/// The flags Chromium runs with. Without the background-networking ones it keeps opening connections of its own
/// (updates, safe browsing, sync) that go nowhere on this network and pile up; QUIC and the GPU are not needed.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/// An environment variable the scenario cannot do without.
export function env(name) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`the environment variable ${name} is not set (the Rust side passes it; see tests/src/browser.rs)`);
  }
  return value;
}

/// The server's base URL, without a trailing slash.
export function baseUrl() {
  return env('MSCOMMERCE_BASE_URL').replace(/\/+$/, '');
}

/// The user the Rust side made for the scenario: { username, password }.
export function credentials() {
  return { username: env('MSCOMMERCE_USERNAME'), password: env('MSCOMMERCE_PASSWORD') };
}

/// Starts headless Chromium with a fresh profile in a temporary folder, removed by close(). Answers the browser
/// context (playwright's BrowserContext); `options` go to launchPersistentContext (viewport, locale, ...).
export async function launch(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'mscommerce-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
      ...options,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  const close = context.close.bind(context);
  context.close = async () => {
    try {
      await close();
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  };
  return context;
}

/// Opens `path` (of the server, e.g. '/devicelogin', or a whole URL) in a new page of `context`; fails unless the
/// answer's status is `expectStatus` (200 unless told; null for any). Answers the page. What went wrong on it is
/// collected in `page.problems` (an array of text, for expectNoProblems(); a scenario may filter it): script
/// errors, console errors (a content security policy's refusals among them), and failed or 4xx/5xx answers to
/// the page's resources and fetches. The status of a page itself is the scenario's to check (a sign-in page that
/// refuses a password is answered 400 on purpose), so Chromium's console line about it is not a problem.
export async function openPage(context, path, { expectStatus = 200 } = {}) {
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`script error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (message.text().startsWith('Failed to load resource: the server responded with a status of')) return;
    page.problems.push(`console error: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.request().isNavigationRequest()) {
      page.problems.push(`status ${response.status()} for ${response.request().method()} ${response.url()}`);
    }
  });
  page.on('requestfailed', (request) => {
    if (!request.isNavigationRequest()) {
      page.problems.push(`request failed: ${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
    }
  });
  const url = /^https?:\/\//.test(path) ? path : `${baseUrl()}${path}`;
  const response = await page.goto(url);
  if (response === null) throw new Error(`opening ${url} gave no answer`);
  if (expectStatus !== null && response.status() !== expectStatus) {
    throw new Error(`opening ${url}: status ${response.status()}, expected ${expectStatus}`);
  }
  return page;
}

/// Fails when the page had script or console errors since it opened (see openPage).
export function expectNoProblems(page) {
  if (page.problems && page.problems.length > 0) {
    throw new Error(`the page ${page.url()} reported problems:\n  ${page.problems.join('\n  ')}`);
  }
}

// axe-core's source, read once. It is run with page.evaluate (the DevTools protocol's Runtime.evaluate), not as a
// <script> element: the pages' content security policy forbids inline script (`default-src 'none'`), and a
// DevTools evaluation is not subject to it. So the page is scanned as people get it, with its policy in force;
// launching with `bypassCSP: true` instead would scan a page with the policy switched off, which could hide what
// the policy breaks (a blocked style changes contrast, for one).
let axeSource;

/// The impacts that fail a scan; 'moderate' and 'minor' findings are printed but pass.
export const FAILING_IMPACTS = ['serious', 'critical'];

/// Scans the page's current state with axe-core (all of its rules for WCAG 2.x A and AA and its best practices).
/// Fails on any serious or critical violation, naming each rule, its help text and link, and each node (selector
/// and axe's summary of what to fix). Answers axe's results. `options.include` limits it to a selector's part.
export async function scan(page, { include } = {}) {
  if (axeSource === undefined) axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const hasAxe = await page.evaluate(() => typeof window.axe === 'object');
  if (!hasAxe) await page.evaluate(axeSource);
  const results = await page.evaluate(
    ({ include }) =>
      window.axe.run(include ? { include: [include] } : document, {
        resultTypes: ['violations'],
      }),
    { include: include ?? null },
  );
  const failing = results.violations.filter((v) => FAILING_IMPACTS.includes(v.impact));
  for (const v of results.violations.filter((v) => !FAILING_IMPACTS.includes(v.impact))) {
    console.log(`axe (${v.impact}, not failing) ${v.id}: ${v.help} on ${page.url()}`);
  }
  if (failing.length > 0) {
    const lines = failing.map((v) => {
      const nodes = v.nodes.map((n) => `    at ${n.target.join(' ')}\n      ${(n.failureSummary || '').replace(/\n/g, '\n      ')}`);
      return `  ${v.id} (${v.impact}): ${v.help}\n    ${v.helpUrl}\n${nodes.join('\n')}`;
    });
    throw new Error(`axe found ${failing.length} serious or critical violation(s) on ${page.url()}:\n${lines.join('\n')}`);
  }
  return results;
}

/// The folder screenshots go to: MSCOMMERCE_SCREENSHOT_DIR, or target/console-screenshots of the workspace.
export function screenshotDir() {
  return process.env.MSCOMMERCE_SCREENSHOT_DIR || resolve(HERE, '..', '..', 'target', 'console-screenshots');
}

/// Writes a full-page screenshot to `<screenshotDir()>/NAME.png`; answers its path. Names are lower case letters,
/// digits and dashes, so that they are file names everywhere.
export async function screenshot(page, name) {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new Error(`screenshot name '${name}': use lower case letters, digits and dashes`);
  }
  const dir = screenshotDir();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/// The one element of `role` whose accessible name is exactly `name` (playwright's Locator): the way people and
/// assistive technology find it, so a test that finds it also checks it is labelled.
export function byRole(page, role, name) {
  return page.getByRole(role, { name, exact: true });
}

/// Clicks the button named exactly `name`.
export async function clickButton(page, name) {
  await byRole(page, 'button', name).click();
}

/// Clicks the link named exactly `name`.
export async function clickLink(page, name) {
  await byRole(page, 'link', name).click();
}

/// Fills the field labelled exactly `label` with `value`.
export async function fillField(page, label, value) {
  await page.getByLabel(label, { exact: true }).fill(value);
}

/// Fails unless `locator` (one element) has the keyboard focus.
export async function expectFocused(locator, what) {
  const focused = await locator.evaluate((el) => el === document.activeElement);
  if (!focused) {
    const active = await locator.page().evaluate(() => {
      const el = document.activeElement;
      return el ? `<${el.tagName.toLowerCase()}${el.id ? ` id="${el.id}"` : ''}${el.name ? ` name="${el.name}"` : ''}>` : 'nothing';
    });
    throw new Error(`${what} does not have the keyboard focus; ${active} has`);
  }
}

/// Fails with `message` unless `condition` holds.
export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/// Runs a scenario: launches the browser, calls `body(context)`, closes the browser. On failure prints the
/// scenario's name and the error, screenshots the page that was open last (as `failed-NAME`), and exits 1. The
/// whole scenario may take `timeoutMs` (60 s unless told).
export async function scenario(name, body, { timeoutMs = 60_000, launchOptions } = {}) {
  let context;
  let timer;
  try {
    context = await launch(launchOptions);
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the scenario took longer than ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([body(context), timeout]);
    console.log(`scenario ${name}: passed`);
  } catch (error) {
    console.error(`scenario ${name} failed: ${error && error.stack ? error.stack : error}`);
    const pages = context ? context.pages() : [];
    if (pages.length > 0) {
      try {
        const path = await screenshot(pages[pages.length - 1], `failed-${name}`);
        console.error(`screenshot of the last page: ${path}`);
      } catch {
        // The page may be gone with the browser; the error above is what matters.
      }
    }
    process.exitCode = 1;
  } finally {
    clearTimeout(timer);
    if (context) await context.close().catch(() => {});
  }
}
