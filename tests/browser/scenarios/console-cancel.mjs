// A self-service subscription cancelled by an admin as Microsoft's documentation writes it: Take control of this
// subscription, Cancel subscription, select a reason from the drop-down list, then Cancel subscription; in the Are
// you sure you want to cancel? box select Cancel subscription. Other without a comment is refused first.
//
//   MSCOMMERCE_SUBSCRIPTION_PATH   the subscription's details page

import { check, clickButton, clickLink, credentials, env, expectFocused, fillField, scenario } from '../lib.mjs';
import { alertText, fact, signIn, statusText, visit } from '../console.mjs';

const path = env('MSCOMMERCE_SUBSCRIPTION_PATH');

await scenario('console-cancel', async (context) => {
  const page = await signIn(context, credentials(), path);
  await visit(page, 'Power BI Pro', null);
  await clickLink(page, 'Take control of this subscription');
  await clickLink(page, 'Cancel subscription');
  check(await page.getByRole('dialog', { name: 'Cancel subscription' }).count() === 1, 'no pane Cancel subscription');
  await visit(page, 'Power BI Pro', 'cancel-subscription');

  await page.getByLabel('Select a reason for your cancellation', { exact: true }).selectOption({ label: 'Other' });
  await clickButton(page, 'Cancel subscription');
  const refusal = await alertText(page);
  check(refusal.includes('say why in the comment'), `Other without a comment was answered: ${refusal}`);

  await page.getByLabel('Select a reason for your cancellation', { exact: true }).selectOption({ label: 'Other' });
  await fillField(page, 'Comment (required for Other)', 'Bought before the central subscription existed');
  await clickButton(page, 'Cancel subscription');
  const box = page.getByRole('dialog', { name: 'Are you sure you want to cancel?' });
  check(await box.count() === 1, 'no box Are you sure you want to cancel?');
  await visit(page, 'Power BI Pro', 'cancel-confirm');
  await expectFocused(box.getByRole('button', { name: 'Cancel subscription', exact: true }), 'the box\'s Cancel subscription');

  await box.getByRole('button', { name: 'Cancel subscription', exact: true }).click();
  await page.waitForLoadState('load');
  check((await statusText(page)).includes('cancelled'), 'no message that the subscription was cancelled');
  check(await fact(page, 'Subscription status') === 'Deleted', 'the status does not read Deleted after cancelling');
  await visit(page, 'Power BI Pro', 'cancelled');
});
