// Billing > Licenses with the filter Self-service: one row per product with its Available quantity over all its
// self-service subscriptions; the product's Users grouped by purchaser; select subscriptions, then Export users,
// which downloads the CSV.
//
//   MSCOMMERCE_AVAILABLE     the product's expected Available quantity
//   MSCOMMERCE_PURCHASERS    the purchasers' display names, comma separated
//   MSCOMMERCE_EXPORTED      a user name the export must hold
//   MSCOMMERCE_NOT_EXPORTED  a user name it must not (their subscription is unselected)

import { readFileSync } from 'node:fs';

import { check, clickButton, clickLink, credentials, env, scenario } from '../lib.mjs';
import { signIn, visit } from '../console.mjs';

const available = env('MSCOMMERCE_AVAILABLE');
const purchasers = env('MSCOMMERCE_PURCHASERS').split(',');
const exported = env('MSCOMMERCE_EXPORTED');
const notExported = env('MSCOMMERCE_NOT_EXPORTED');

await scenario('console-licenses', async (context) => {
  const page = await signIn(context, credentials());
  await clickLink(page, 'Licenses');
  await page.getByLabel('Filter', { exact: true }).selectOption({ label: 'Self-service' });
  await clickButton(page, 'Apply');
  await visit(page, 'Licenses', 'licenses');
  const row = page.getByRole('row').filter({ hasText: 'Power BI Pro' });
  const cells = await row.getByRole('cell').allTextContents();
  check(cells[0] === available, `Power BI Pro's Available quantity reads ${cells[0]}, not ${available}`);

  await row.getByRole('link', { name: 'Power BI Pro', exact: true }).click();
  await visit(page, 'Power BI Pro', 'license-users');
  for (const name of purchasers) {
    check(await page.getByRole('heading', { name: new RegExp(`^Purchased by ${name} `) }).count() === 1, `no group of users purchased by ${name}`);
  }

  // Keep the first purchaser's subscription, leave the others out.
  const boxes = page.getByRole('checkbox');
  for (let i = 0; i < await boxes.count(); i += 1) {
    const label = await page.locator(`label[for="${await boxes.nth(i).getAttribute('id')}"]`).textContent();
    if (!label.includes(`Bought by ${purchasers[0]} `)) await boxes.nth(i).uncheck();
  }
  const [download] = await Promise.all([page.waitForEvent('download'), clickButton(page, 'Export users')]);
  const csv = readFileSync(await download.path(), 'utf8');
  check(csv.startsWith('displayName,userPrincipalName,productName,subscriptionId,purchaser,assignedAt'), `the export does not start with its header: ${csv.slice(0, 200)}`);
  check(csv.includes(exported), `the export lacks ${exported}:\n${csv}`);
  check(!csv.includes(notExported), `the export holds ${notExported}, whose subscription was not selected:\n${csv}`);
  console.log(`exported ${csv.trim().split('\n').length - 1} users as ${download.suggestedFilename()}`);
});
