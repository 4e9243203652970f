// Billing > Your products, then a self-service subscription taken over by moving its users, clicked as Microsoft's
// documentation writes it: on the Products tab select the filter, then Self-service; select the subscription;
// select Take control of this subscription, then Move users; choose the product; Move users; Move completed.
// The first choice has too few licenses and is refused with the number missing.
//
//   MSCOMMERCE_PURCHASER        the purchaser's display name
//   MSCOMMERCE_SMALL_TARGET     the free licenses of the central subscription that is too small
//   MSCOMMERCE_USERS            how many users the self-service subscription has

import { check, clickButton, clickLink, credentials, env, expectFocused, scenario } from '../lib.mjs';
import { alertText, fact, signIn, visit } from '../console.mjs';

const purchaser = env('MSCOMMERCE_PURCHASER');
const small = env('MSCOMMERCE_SMALL_TARGET');
const users = env('MSCOMMERCE_USERS');

await scenario('console-move-users', async (context) => {
  const page = await signIn(context, credentials());
  await visit(page, 'Your products', 'your-products');

  check(await page.getByRole('tab', { name: 'Products', exact: true }).count() === 1, 'there is no tab Products');
  await Promise.all([
    page.waitForURL(/filter=selfService/),
    page.getByLabel('Filter', { exact: true }).selectOption({ label: 'Self-service' }),
  ]);
  await visit(page, 'Your products', 'your-products-self-service');
  const row = page.getByRole('row').filter({ hasText: purchaser });
  check(await row.count() === 1, `no single row of ${purchaser}'s subscription under Self-service`);
  check(await page.getByRole('row').filter({ hasText: 'Your organization' }).count() === 0, 'the Self-service filter shows central subscriptions');

  await row.getByRole('link').click();
  await visit(page, 'Power BI Pro', 'subscription-details');
  check(await fact(page, 'Subscription status') === 'Active', 'the subscription is not Active before the take-over');
  check(await fact(page, 'Purchased by') === purchaser, 'the details do not name the purchaser');
  check(await page.getByRole('heading', { name: 'Subscriptions and settings', exact: true }).count() === 1, 'no section Subscriptions and settings');

  await clickLink(page, 'Take control of this subscription');
  const pane = page.getByRole('dialog', { name: 'Take control of this subscription' });
  check(await pane.count() === 1, 'Take control of this subscription opened no pane of that name');
  await visit(page, 'Power BI Pro', 'take-control');
  await expectFocused(pane.getByRole('link', { name: 'Move users', exact: true }), 'the pane\'s first control');

  // Close goes back, and focus returns to the control that opened the pane.
  await clickLink(page, 'Close');
  await page.waitForLoadState('load');
  await expectFocused(page.getByRole('link', { name: 'Take control of this subscription', exact: true }), 'Take control of this subscription, after Close');
  await clickLink(page, 'Take control of this subscription');

  await clickLink(page, 'Move users');
  check(await page.getByRole('dialog', { name: 'Move users' }).count() === 1, 'Move users opened no pane Move users');
  await visit(page, 'Power BI Pro', 'move-users');

  // Too few licenses: refused, saying how many are missing.
  await page.getByLabel(new RegExp(`\\(${small} available licenses\\)`)).check();
  await clickButton(page, 'Move users');
  const refusal = await alertText(page);
  check(refusal.includes(`${small} available licenses, and ${users} users need one`), `the refusal says: ${refusal}`);
  await visit(page, 'Power BI Pro', 'move-users-not-enough-licenses');

  // The other product, with enough licenses.
  const options = page.getByRole('radio');
  let chosen = false;
  for (let i = 0; i < await options.count(); i += 1) {
    const label = await page.locator(`label[for="${await options.nth(i).getAttribute('id')}"]`).textContent();
    if (!label.includes(`(${small} available licenses)`)) {
      await options.nth(i).check();
      chosen = true;
      break;
    }
  }
  check(chosen, 'there is no second product to move to');
  await clickButton(page, 'Move users');
  const confirm = page.getByRole('dialog', { name: /^Move users to / });
  check(await confirm.count() === 1, 'no confirmation box Move users to');
  await visit(page, 'Power BI Pro', 'move-users-confirm');
  await expectFocused(confirm.getByRole('button', { name: 'Move users', exact: true }), 'the confirmation\'s Move users');

  await clickButton(page, 'Move users');
  check(await page.getByRole('dialog', { name: 'Move completed' }).count() === 1, 'no pane Move completed');
  await visit(page, 'Power BI Pro', 'move-completed');
  check(await fact(page, 'Subscription status') === 'Deleted', 'the status does not read Deleted after the move');
});
