// The sign-in page as it comes back after a wrong password: it says so in an alert, keeps the user name, and
// passes the accessibility scan; screenshotted as sign-in-wrong-password.
//
//   MSCOMMERCE_AUTHORIZE_PATH   the authorization request (path and query), without login_hint
//   MSCOMMERCE_PASSWORD         a password that is not the user's

import { check, credentials, env, expectNoProblems, fillField, openPage, scan, scenario, screenshot } from '../lib.mjs';

const authorize = env('MSCOMMERCE_AUTHORIZE_PATH');
const { username, password } = credentials();

await scenario('sign-in-error', async (context) => {
  const page = await openPage(context, authorize);
  await fillField(page, 'User name (email address)', username);
  await fillField(page, 'Password', password);
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest());
  await page.keyboard.press('Enter');
  const response = await answered;
  check(response.status() === 400, `a wrong password was answered ${response.status()}, expected 400`);

  // The answer's page replaces the form: wait for its alert (until the action timeout), then for it to load.
  const alert = page.getByRole('alert');
  await alert.waitFor();
  await page.waitForLoadState();
  check((await alert.count()) === 1, `${await alert.count()} alerts on the page after a wrong password, expected 1`);
  const text = (await alert.innerText()).trim();
  check(text.length > 10, `the alert says too little: '${text}'`);
  const kept = await page.getByLabel('User name (email address)', { exact: true }).inputValue();
  check(kept === username, `the user name field holds '${kept}', expected '${username}'`);
  await scan(page);
  expectNoProblems(page);
  console.log(`alert: ${text}`);
  console.log(`screenshot: ${await screenshot(page, 'sign-in-wrong-password')}`);
});
