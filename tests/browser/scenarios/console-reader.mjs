// A Global reader sees every admin page read-only: no action controls; and the server refuses the actions anyway,
// with a readable page. Then Sign out ends the session.
//
//   MSCOMMERCE_SUBSCRIPTION_PATH   a self-service subscription's details page

import { baseUrl, check, clickButton, clickLink, credentials, env, openPage, scenario } from '../lib.mjs';
import { signIn, visit } from '../console.mjs';

const path = env('MSCOMMERCE_SUBSCRIPTION_PATH');

await scenario('console-reader', async (context) => {
  const page = await signIn(context, credentials());
  await visit(page, 'Your products', 'reader-your-products');
  for (const link of ['Licenses', 'Purchase services', 'Org settings', 'Audit log']) {
    check(await page.getByRole('link', { name: link, exact: true }).count() === 1, `the reader is not shown ${link}`);
  }

  const details = await openPage(context, path);
  await visit(details, 'Power BI Pro', null);
  check(await details.getByRole('link', { name: 'Take control of this subscription', exact: true }).count() === 0, 'a reader is offered Take control of this subscription');

  await clickLink(page, 'Purchase services');
  await visit(page, 'Purchase services', null);
  check(await page.getByRole('button', { name: 'Buy', exact: true }).count() === 0, 'a reader is offered Buy');

  await clickLink(page, 'Org settings');
  await clickLink(page, 'Self-service trials and purchases');
  await visit(page, 'Self-service trials and purchases', 'reader-settings');
  check(await page.getByRole('button', { name: 'Save', exact: true }).count() === 0, 'a reader is offered Save');
  check(await page.getByRole('radio', { disabled: false }).count() === 0, 'a reader can change a setting');

  // The server refuses anyway: the pane by its address, and the settings' form posted with a valid token.
  const pane = await openPage(context, `${path}/takeover`, { expectStatus: 403 });
  await visit(pane, "You don't have permission to do this", 'reader-refused');
  const csrf = await page.locator('input[name=csrf_token]').first().getAttribute('value');
  const answer = await page.request.post(`${baseUrl()}/console/settings/services/self-service-trials-and-purchases`, {
    form: { csrf_token: csrf, 'product:CFQ7TTC0H9MP': 'Disabled', 'was:product:CFQ7TTC0H9MP': 'Enabled' },
    maxRedirects: 0,
  });
  check(answer.status() === 403, `the reader's Save was answered ${answer.status()}`);
  check((await answer.text()).includes('Global Administrator'), 'the refusal does not say who may change it');

  // Sign out: the session ends, and the console asks for a sign-in again.
  await clickButton(page, 'Sign out');
  await visit(page, 'You signed out', 'signed-out');
  const again = await openPage(context, '/console/billing/products');
  check(/\/oauth2\/v2\.0\/authorize/.test(again.url()), `after signing out, the console opened ${again.url()} instead of the sign-in page`);
});
