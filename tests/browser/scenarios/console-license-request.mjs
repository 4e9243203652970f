// A license request walked from the member's refusal to the admin's approval: the member, refused by the policy,
// selects Request license on the product's page; the admin opens Billing > Licenses, the Requests tab, the
// request, and selects Approve (licenses from the organization's subscription). Then the admin turns on "Use my
// organization's request process", and the member's next refusal shows its message and link instead.
//
//   MSCOMMERCE_MEMBER            the member's user name (MSCOMMERCE_USERNAME/PASSWORD are the admin)
//   MSCOMMERCE_MEMBER_PASSWORD   their password
//   MSCOMMERCE_OTHER_BLOCKED     another product the policy does not allow

import { check, clickButton, clickLink, credentials, env, fillField, launch, openPage, scenario } from '../lib.mjs';
import { alertText, fact, signIn, statusText, visit } from '../console.mjs';

const member = { username: env('MSCOMMERCE_MEMBER'), password: env('MSCOMMERCE_MEMBER_PASSWORD') };
const otherBlocked = env('MSCOMMERCE_OTHER_BLOCKED');

await scenario('console-license-request', async (memberContext) => {
  const asked = await signIn(memberContext, member, '/console/shop/CFQ7TTC0H9MP');
  await visit(asked, 'Power BI Pro', null);
  check(await asked.getByRole('button', { name: 'Buy', exact: true }).count() === 0, 'a blocked product offers Buy');
  await fillField(asked, 'Message for your admin (optional)', 'For the sales dashboards');
  await clickButton(asked, 'Request license');
  check((await statusText(asked)).startsWith('Your request was sent'), 'no message that the request was sent');
  await visit(asked, 'Power BI Pro', 'request-license');
  // A second request for the same product waits for the first.
  await clickButton(asked, 'Request license');
  check((await alertText(asked)).includes('already'), 'a second request was not refused');

  const adminContext = await launch();
  try {
    const page = await signIn(adminContext, credentials());
    await clickLink(page, 'Licenses');
    await page.getByRole('tab', { name: 'Requests', exact: true }).click();
    await visit(page, 'Requests', 'license-requests');
    const row = page.getByRole('row').filter({ hasText: member.username });
    check(await row.count() === 1, `no single pending request of ${member.username}`);
    check((await row.textContent()).includes('For the sales dashboards'), 'the request does not show its message');
    await row.getByRole('link', { name: 'Power BI Pro', exact: true }).click();
    await visit(page, 'Request for Power BI Pro', 'license-request');
    check(await page.getByRole('group', { name: 'Assign licenses from' }).getByRole('radio').first().isChecked(), 'no subscription is chosen to assign from');
    await fillField(page, 'Message to the requesters (optional)', 'Approved: enjoy the dashboards');
    await clickButton(page, 'Approve');
    check((await statusText(page)).startsWith('The request was approved'), 'no message that the request was approved');
    check(await fact(page, 'Status') === 'Approved', 'the request does not read Approved');
    check(await page.getByRole('row').filter({ hasText: member.username }).filter({ hasText: 'Approved' }).count() === 1, 'the member\'s outcome is not Approved');
    await visit(page, 'Request for Power BI Pro', 'license-request-approved');

    await page.getByRole('link', { name: 'Requests', exact: true }).click();
    await page.getByLabel("Use my organization's request process", { exact: true }).check();
    await fillField(page, 'Message', 'Ask for licenses through the IT portal.');
    await fillField(page, 'Link', 'https://it.contoso.example/licenses');
    await clickButton(page, 'Save');
    check((await statusText(page)) === 'Request settings saved.', 'the request settings were not saved');
  } finally {
    await adminContext.close();
  }

  const elsewhere = await openPage(memberContext, `/console/shop/${otherBlocked}`);
  check(await elsewhere.getByRole('button', { name: 'Request license', exact: true }).count() === 0, 'Request license is offered while the organization takes requests its own way');
  const process = await elsewhere.locator('#organization-process').textContent();
  check(process.includes('Ask for licenses through the IT portal.'), `the refusal does not show the organization's message: ${process}`);
  check(await elsewhere.getByRole('link', { name: 'https://it.contoso.example/licenses', exact: true }).count() === 1, 'the refusal does not link to the organization\'s process');
  await visit(elsewhere, await elsewhere.getByRole('heading', { level: 1 }).textContent(), 'organization-request-process');
}, { timeoutMs: 90_000 });
