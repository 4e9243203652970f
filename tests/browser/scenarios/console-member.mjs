// What a member sees: My subscriptions, a storefront page per product whose Buy and Start free trial are offered or
// explained as the acquisition decision says; then, as the purchaser, their own subscription: the total quantity
// (never below what is assigned), a license given to a colleague, recurring billing off, cancelled with a reason.
//
//   MSCOMMERCE_BLOCKED_PRODUCT   a product the organization does not allow (Disabled)
//   MSCOMMERCE_TRIALS_PRODUCT    a product the organization allows for trials only
//   MSCOMMERCE_COLLEAGUE         a colleague's user name, to assign a license to

import { check, clickButton, clickLink, credentials, env, fillField, openPage, scenario } from '../lib.mjs';
import { alertText, fact, signIn, statusText, visit } from '../console.mjs';

const blocked = env('MSCOMMERCE_BLOCKED_PRODUCT');
const trialsOnly = env('MSCOMMERCE_TRIALS_PRODUCT');
const colleague = env('MSCOMMERCE_COLLEAGUE');

await scenario('console-member', async (context) => {
  const { username } = credentials();
  const page = await signIn(context, credentials());
  await visit(page, 'My subscriptions', 'my-subscriptions');
  check(await page.getByRole('link', { name: 'Your products', exact: true }).count() === 0, 'a member is shown Your products');

  // Blocked by the policy: neither Buy nor Start free trial, and the decision's explanation instead.
  const refused = await openPage(context, `/console/shop/${blocked}`);
  await visit(refused, await refused.getByRole('heading', { level: 1 }).textContent(), 'storefront-blocked');
  check(await refused.getByRole('button', { name: 'Buy', exact: true }).count() === 0, 'a blocked product offers Buy');
  check(await refused.getByRole('button', { name: 'Start free trial', exact: true }).count() === 0, 'a blocked product offers Start free trial');
  const why = await refused.locator('#buy-refusal').textContent();
  check(why.includes("Your organization doesn't allow"), `the blocked product explains: ${why}`);
  await refused.close();

  // Trials only: Start free trial, no Buy.
  const trials = await openPage(context, `/console/shop/${trialsOnly}`);
  check(await trials.getByRole('button', { name: 'Start free trial', exact: true }).count() === 1, 'a trials-only product does not offer Start free trial');
  check(await trials.getByRole('button', { name: 'Buy', exact: true }).count() === 0, 'a trials-only product offers Buy');
  await trials.close();

  await clickLink(page, 'Power BI Pro');
  await visit(page, 'Power BI Pro', 'storefront');
  await fillField(page, 'Number of licenses', '3');
  await clickButton(page, 'Buy');
  await visit(page, 'Power BI Pro', 'my-subscription');
  check(await fact(page, 'Quantity purchased') === '3', 'the purchase does not have 3 licenses');

  // Two licenses: the colleague's and the purchaser's own, one user name a line.
  await fillField(page, 'Assign licenses to (user names or IDs, one per line, up to 20)', `${colleague}\n${username}`);
  await clickButton(page, 'Assign licenses');
  check((await statusText(page)) === 'Licenses were assigned.', 'no message that the licenses were assigned');
  for (const who of [colleague, username]) {
    check(await page.getByRole('row').filter({ hasText: who }).count() === 1, `${who} is not among the users`);
  }

  // Below the two assigned: the field itself says no (its minimum), and without it the server does.
  await fillField(page, 'Total licenses', '1');
  await page.getByLabel('Total licenses', { exact: true }).evaluate((input) => input.removeAttribute('min'));
  await clickButton(page, 'Save quantity');
  const tooFew = await alertText(page);
  check(/assigned/i.test(tooFew), `a quantity below the assigned licenses was answered: ${tooFew}`);
  await fillField(page, 'Total licenses', '5');
  await clickButton(page, 'Save quantity');
  check(await fact(page, 'Quantity purchased') === '5', 'the quantity did not become 5');

  await clickButton(page, 'Turn off recurring billing');
  check((await statusText(page)) === 'Recurring billing is off.', 'no message that recurring billing is off');
  check(await fact(page, 'Recurring billing') === 'Off', 'recurring billing does not read Off');

  await clickLink(page, 'Cancel subscription');
  await page.getByLabel('Select a reason for your cancellation', { exact: true }).selectOption({ label: 'I no longer need it' });
  await clickButton(page, 'Cancel subscription');
  await page.getByRole('dialog', { name: 'Are you sure you want to cancel?' }).getByRole('button', { name: 'Cancel subscription', exact: true }).click();
  await page.waitForLoadState('load');
  check(['Deleted', 'Disabled'].includes(await fact(page, 'Subscription status')), 'the purchaser\'s cancel did not end the subscription');
});
