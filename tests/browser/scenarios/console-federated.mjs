// A person of an organization that trusts an identity provider signs in to the console with it: the console signs
// in at `organizations`, so the sign-in name comes first (its domain tells the organization), then "Sign in with
// <button>", the provider's own login page, and back in the console as the person the trust maps.
//
//   MSCOMMERCE_FEDERATED_USERNAME  the person's sign-in name, in one of the organization's domains
//   MSCOMMERCE_PROVIDER_URL        the provider's issuer URL (its login page is there)
//   MSCOMMERCE_PROVIDER_ACCOUNT    the person's account at the provider
//   MSCOMMERCE_BUTTON              the provider's name on the button
//   MSCOMMERCE_DISPLAY_NAME        the name the console shows once signed in

import { check, clickButton, env, expectNoProblems, fillField, openPage, scan, scenario, screenshot } from '../lib.mjs';

const username = env('MSCOMMERCE_FEDERATED_USERNAME');
const providerUrl = env('MSCOMMERCE_PROVIDER_URL');
const account = env('MSCOMMERCE_PROVIDER_ACCOUNT');
const button = `Sign in with ${env('MSCOMMERCE_BUTTON')}`;
const displayName = env('MSCOMMERCE_DISPLAY_NAME');

await scenario('console-federated', async (context) => {
  const page = await openPage(context, '/console');
  check(/\/oauth2\/v2\.0\/authorize/.test(page.url()), `the console did not lead to the sign-in page but to ${page.url()}`);
  check(await page.getByRole('link', { name: button }).count() === 0, 'a provider is offered before the organization is known');

  // The sign-in name alone: the page comes back with the organization's provider.
  await fillField(page, 'User name (email address)', username);
  await clickButton(page, 'Sign in');
  const offered = page.getByRole('link', { name: button, exact: true });
  await offered.waitFor();
  check(await page.getByRole('alert').count() === 0, 'the sign-in name alone was refused');
  await scan(page);
  expectNoProblems(page);
  await screenshot(page, 'sign-in-provider-offered');

  // The provider's login page (oidc-provider's development login), then back in the console.
  await Promise.all([page.waitForURL((url) => url.href.startsWith(providerUrl)), offered.click()]);
  await page.locator('input[name=login]').fill(account);
  await page.locator('input[name=password]').fill('any password');
  await Promise.all([page.waitForURL(/\/console(\/|$|\?)/), page.locator('button[type=submit]').click()]);
  await page.waitForLoadState('load');
  const shown = await page.locator('body').textContent();
  check(shown.includes(displayName), `the console does not show ${displayName} after the sign-in: ${page.url()}`);
  await screenshot(page, 'console-after-provider-sign-in');
  console.log(`signed in: ${page.url()}`);
});
