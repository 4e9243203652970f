// The console with the keyboard alone, on a window as narrow as 200 % zoom makes a 1280-pixel screen: sign in,
// reach Self-service trials and purchases from the navigation, change a value and Save, all by Tab, arrows, Space
// and Enter; the page never scrolls sideways; times read in the browser's locale, with the UTC value in the title.

import { check, credentials, expectNoProblems, openPage, scenario, screenshot } from '../lib.mjs';
import { statusText, tabTo, visit } from '../console.mjs';

await scenario('console-keyboard', async (context) => {
  const { username, password } = credentials();
  const page = await openPage(context, '/console');
  await tabTo(page, page.getByLabel('User name (email address)', { exact: true }), 'the user name');
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await Promise.all([page.waitForURL(/\/console\//), page.keyboard.press('Enter')]);
  await page.waitForLoadState('load');
  expectNoProblems(page);

  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(wide <= 0, `Your products scrolls sideways by ${wide} pixels on a narrow window`);
  await screenshot(page, 'narrow-your-products');

  // The Rust side bought a subscription, so Your products shows its expiration date.
  const times = page.locator('time');
  check(await times.count() > 0, 'Your products shows no time');
  const title = await times.first().getAttribute('title');
  const shown = (await times.first().textContent()).trim();
  check(title && title.endsWith('UTC') && !shown.endsWith('UTC'), `a time shows '${shown}' with the title '${title}'`);

  await tabTo(page, page.getByRole('link', { name: 'Org settings', exact: true }), 'Org settings');
  await Promise.all([page.waitForURL(/\/console\/settings\/org/), page.keyboard.press('Enter')]);
  await tabTo(page, page.getByRole('link', { name: 'Self-service trials and purchases', exact: true }), 'Self-service trials and purchases');
  await Promise.all([page.waitForURL(/self-service-trials-and-purchases/), page.keyboard.press('Enter')]);
  await visit(page, 'Self-service trials and purchases', 'narrow-self-service-trials-and-purchases');
  const wider = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(wider <= 0, `Self-service trials and purchases scrolls sideways by ${wider} pixels on a narrow window`);

  const powerBi = page.getByRole('group', { name: 'Power BI Pro', exact: true });
  await tabTo(page, powerBi.getByLabel('Allow', { exact: true }), 'Power BI Pro\'s checked choice');
  await page.keyboard.press('ArrowDown');
  check(await powerBi.getByLabel('Do not allow', { exact: true }).isChecked(), 'the arrow key did not move Power BI Pro to Do not allow');
  await tabTo(page, page.getByRole('button', { name: 'Save', exact: true }), 'Save');
  await Promise.all([page.waitForURL(/saved=/), page.keyboard.press('Enter')]);
  check((await statusText(page)) === 'Saved: 1 setting changed.', 'Save by keyboard did not save one setting');
}, { launchOptions: { viewport: { width: 640, height: 900 }, timezoneId: 'America/New_York' } });
