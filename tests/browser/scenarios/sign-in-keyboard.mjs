// A person signs in on the sign-in page with the keyboard alone: Tab to the user name, type it, Tab to the
// password, type it, Enter. The browser then follows the service's redirect to the app's loopback address, which
// must carry an authorization code and the request's state; the scenario prints `code=...` for the Rust side to
// redeem. Nothing listens there: the scenario stops at the request the browser makes to it.
//
//   MSCOMMERCE_AUTHORIZE_PATH   the authorization request (path and query), without login_hint
//   MSCOMMERCE_REDIRECT_URI     the app's redirect URI in that request
//   MSCOMMERCE_STATE            the state in that request

import { check, credentials, env, expectFocused, expectNoProblems, openPage, scenario } from '../lib.mjs';

const authorize = env('MSCOMMERCE_AUTHORIZE_PATH');
const redirect = env('MSCOMMERCE_REDIRECT_URI');
const state = env('MSCOMMERCE_STATE');
const { username, password } = credentials();

await scenario('sign-in-keyboard', async (context) => {
  const page = await openPage(context, authorize);
  expectNoProblems(page);

  // Focus starts at the document: the first Tab reaches the first field, the next the second.
  await page.keyboard.press('Tab');
  await expectFocused(page.getByLabel('User name (email address)', { exact: true }), 'after one Tab, the user name field');
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await expectFocused(page.getByLabel('Password', { exact: true }), 'after two Tabs, the password field');
  await page.keyboard.type(password);

  const toApp = page.waitForRequest((request) => request.url().startsWith(redirect)).catch((error) => {
    throw new Error(`the browser never went to ${redirect} (${error.message}); it is at ${page.url()}; ` +
      `problems: ${page.problems.join('; ') || 'none'}`);
  });
  await page.keyboard.press('Enter');
  const request = await toApp;

  const url = new URL(request.url());
  check(url.searchParams.get('state') === state, `the redirect ${url} does not carry the state '${state}'`);
  const code = url.searchParams.get('code');
  check(code, `the redirect ${url} carries no code (error: ${url.searchParams.get('error_description')})`);
  console.log(`code=${code}`);
});
