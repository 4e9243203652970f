// The scan can fail: on the device-login page (served with its content security policy), the code field loses
// its label, and scan() must then fail naming axe's `label` rule and the field. Passes when it does.

import { check, openPage, scan, scenario } from '../lib.mjs';

await scenario('scan-self-check', async (context) => {
  const page = await openPage(context, '/devicelogin');
  await scan(page);
  await page.evaluate(() => document.querySelector('label[for="user_code"]').remove());
  let failure;
  try {
    await scan(page);
  } catch (error) {
    failure = error.message;
  }
  check(failure !== undefined, 'scan() passed a page whose field has no label');
  for (const expected of ['label (critical)', '#user_code', 'https://dequeuniversity.com/rules/axe/']) {
    check(failure.includes(expected), `scan()'s failure does not mention '${expected}':\n${failure}`);
  }
  console.log(`scan() failed as expected:\n${failure}`);
});
