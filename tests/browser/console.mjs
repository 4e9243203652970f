// What the console's scenarios share: signing in the way a person does (open the console, get sent to the sign-in
// page, type, Sign in, come back), and visiting a page the way every page is checked (no script or console error,
// an axe-core scan without serious or critical violations, a screenshot).

import { byRole, check, clickButton, expectNoProblems, fillField, openPage, scan, screenshot } from './lib.mjs';

/// Opens `path` of the console (default: the console itself) without a session, signs in on the sign-in page it
/// leads to, and answers the page once the browser is back in the console.
export async function signIn(context, { username, password }, path = '/console') {
  const page = await openPage(context, path);
  check(/\/oauth2\/v2\.0\/authorize/.test(page.url()), `opening ${path} without a session did not lead to the sign-in page but to ${page.url()}`);
  await fillField(page, 'User name (email address)', username);
  await fillField(page, 'Password', password);
  await Promise.all([page.waitForURL(/\/console(\/|$|\?)/), clickButton(page, 'Sign in')]);
  await page.waitForLoadState('load');
  return page;
}

/// Checks the page as it is now: its heading, no problems, the scan; then screenshots it as `name`.
export async function visit(page, heading, name) {
  await page.waitForLoadState('load');
  const h1 = page.getByRole('heading', { level: 1 });
  const text = (await h1.textContent())?.trim();
  check(text === heading, `the page ${page.url()} is titled '${text}', not '${heading}'`);
  expectNoProblems(page);
  await scan(page);
  if (name) await screenshot(page, name);
}

/// The text of the page's alert (a refusal shown on the page), or fails when there is none.
export async function alertText(page) {
  const alert = page.getByRole('alert');
  check((await alert.count()) === 1, `the page ${page.url()} shows no refusal`);
  return (await alert.textContent()).trim();
}

/// The text of the page's status message (something done), or fails when there is none.
export async function statusText(page) {
  const status = page.locator('[role=status]');
  check((await status.count()) >= 1, `the page ${page.url()} shows no status message`);
  return (await status.first().textContent()).trim();
}

/// The value shown beside the label `name` in a details list.
export async function fact(page, name) {
  const value = page.locator('dl.facts dt', { hasText: new RegExp(`^${name}$`) }).locator('xpath=following-sibling::dd[1]');
  check((await value.count()) === 1, `the page ${page.url()} shows no '${name}'`);
  return (await value.textContent()).trim();
}

/// Presses Tab until `locator` has the focus (at most `max` times): how a keyboard user gets there.
export async function tabTo(page, locator, what, max = 60) {
  for (let i = 0; i < max; i += 1) {
    if (await locator.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${what} was not reached with ${max} presses of Tab`);
}

export { byRole };
