// Settings > Partner relationships: a partner's request approved by the customer's Global Administrator with some
// of the roles asked and an end date, then ended at once.
//
//   MSCOMMERCE_PARTNER   the partner organization's name

import { check, clickButton, clickLink, credentials, env, scenario } from '../lib.mjs';
import { signIn, statusText, visit } from '../console.mjs';

const partner = env('MSCOMMERCE_PARTNER');

await scenario('console-partner-relationships', async (context) => {
  const page = await signIn(context, credentials());
  await clickLink(page, 'Partner relationships');
  await visit(page, 'Partner relationships', 'partner-relationships');
  const row = page.getByRole('row').filter({ hasText: partner });
  check((await row.textContent()).includes('pending'), `the request of ${partner} is not pending`);

  const roles = page.getByRole('group', { name: `Roles to grant ${partner}` });
  await roles.getByLabel('BillingAdministrator', { exact: true }).uncheck();
  await clickButton(page, 'Approve');
  check((await statusText(page)).startsWith('The relationship was approved'), 'no message that the relationship was approved');
  const approved = await page.getByRole('row').filter({ hasText: partner }).textContent();
  check(approved.includes('active'), `the relationship reads: ${approved}`);
  await visit(page, 'Partner relationships', 'partner-relationship-approved');

  await clickButton(page, `End relationship with ${partner}`);
  check((await statusText(page)).startsWith('The relationship was ended'), 'no message that the relationship was ended');
  check((await page.getByRole('row').filter({ hasText: partner }).textContent()).includes('ended'), 'the relationship does not read ended');
});
