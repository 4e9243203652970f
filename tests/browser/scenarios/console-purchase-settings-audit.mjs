// Billing > Purchase services: buy a central subscription with Buy. Settings > Org settings > Services >
// Self-service trials and purchases: Power BI Pro set to Do not allow, then Save. Audit log: the change found by its
// target, with its correlation ID (printed for the Rust side to compare with the REST audit trail).

import { check, clickButton, clickLink, credentials, scenario } from '../lib.mjs';
import { fact, signIn, statusText, visit } from '../console.mjs';

await scenario('console-purchase-settings-audit', async (context) => {
  const page = await signIn(context, credentials());

  await clickLink(page, 'Purchase services');
  await visit(page, 'Purchase services', 'purchase-services');
  await page.getByLabel('Product', { exact: true }).selectOption({ value: 'CFQ7TTC0H9MP' });
  await page.getByLabel('Quantity', { exact: true }).fill('10');
  await page.getByLabel('Billing frequency', { exact: true }).selectOption({ label: 'Annual' });
  await clickButton(page, 'Buy');
  await visit(page, 'Power BI Pro', 'purchased');
  check(await fact(page, 'Purchase type') === 'Central', 'the bought subscription is not central');
  check(await fact(page, 'Quantity purchased') === '10', 'the bought subscription does not have 10 licenses');

  await clickLink(page, 'Org settings');
  await visit(page, 'Org settings', null);
  check(await page.getByRole('tab', { name: 'Services', exact: true }).count() === 1, 'Org settings has no tab Services');
  await clickLink(page, 'Self-service trials and purchases');
  await visit(page, 'Self-service trials and purchases', 'self-service-trials-and-purchases');
  const powerBi = page.getByRole('group', { name: 'Power BI Pro', exact: true });
  check(await powerBi.getByLabel('Allow', { exact: true }).isChecked(), 'Power BI Pro does not start as Allow');
  check(await powerBi.getByLabel('Allow for trials only', { exact: true }).count() === 0, 'Power BI Pro offers no trial without a payment method, yet shows Allow for trials only');
  const planner = page.getByRole('group', { name: /Planner/ }).first();
  check(await planner.getByLabel('Allow for trials only', { exact: true }).count() === 1, 'a product with trials without a payment method lacks Allow for trials only');
  await powerBi.getByLabel('Do not allow', { exact: true }).check();
  await clickButton(page, 'Save');
  check((await statusText(page)) === 'Saved: 1 setting changed.', 'Save did not say one setting changed');
  check(await page.getByRole('group', { name: 'Power BI Pro', exact: true }).getByLabel('Do not allow', { exact: true }).isChecked(), 'Power BI Pro does not read Do not allow after Save');

  await clickLink(page, 'Audit log');
  await page.getByLabel('Target', { exact: true }).fill('Power BI Pro');
  await clickButton(page, 'Search');
  await visit(page, 'Audit log', 'audit-log');
  const change = page.getByRole('row').filter({ hasText: 'Disabled' }).filter({ hasText: 'Enabled' });
  check(await change.count() === 1, 'the audit log shows no single change of Power BI Pro from Enabled to Disabled');
  const correlation = (await change.locator('code').textContent()).trim();
  check(/^[0-9a-f-]{36}$/.test(correlation), `the change's correlation ID reads '${correlation}'`);
  console.log(`correlation=${correlation}`);
});
