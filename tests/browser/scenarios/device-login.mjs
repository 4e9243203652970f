// A person approves a device on the device-login pages, by the names people see: the code into the field
// labelled Code, Next; then the sign-in page for the device (scanned and screenshotted as device-sign-in), user
// name and password, Continue; then the page that says it is done (scanned, screenshotted as device-signed-in).
//
//   MSCOMMERCE_USER_CODE   the code the device shows (the device authorization's user_code)

import {
  byRole, check, clickButton, credentials, env, expectNoProblems, fillField, openPage, scan, scenario, screenshot,
} from '../lib.mjs';

const userCode = env('MSCOMMERCE_USER_CODE');
const { username, password } = credentials();

await scenario('device-login', async (context) => {
  const page = await openPage(context, '/devicelogin');
  await fillField(page, 'Code', userCode);
  await clickButton(page, 'Next');

  await byRole(page, 'heading', 'Sign in to your device').waitFor();
  check(await byRole(page, 'button', 'Deny').isVisible(), 'the device sign-in page offers no Deny button');
  await scan(page);
  console.log(`screenshot: ${await screenshot(page, 'device-sign-in')}`);
  await fillField(page, 'User name (email address)', username);
  await fillField(page, 'Password', password);
  await clickButton(page, 'Continue');

  await byRole(page, 'heading', "You're signed in").waitFor();
  await scan(page);
  expectNoProblems(page);
  console.log(`screenshot: ${await screenshot(page, 'device-signed-in')}`);
});
