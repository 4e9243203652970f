// One page, as it first opens: no script or console errors, no serious or critical accessibility violation, and a
// screenshot for people to look at.
//
//   MSCOMMERCE_PAGE_PATH        the page's path (and query) on the server
//   MSCOMMERCE_SCREENSHOT_NAME  the screenshot's name (NAME.png in the screenshot folder)
//   MSCOMMERCE_PAGE_HEADING     the page's one level-1 heading, which must be there

import { byRole, check, env, expectNoProblems, openPage, scan, scenario, screenshot } from '../lib.mjs';

const path = env('MSCOMMERCE_PAGE_PATH');
const name = env('MSCOMMERCE_SCREENSHOT_NAME');
const heading = env('MSCOMMERCE_PAGE_HEADING');

await scenario(`page-scan ${name}`, async (context) => {
  const page = await openPage(context, path);
  const headings = await byRole(page, 'heading', heading).count();
  check(headings === 1, `the page ${path} has ${headings} heading(s) named '${heading}', expected 1`);
  await scan(page);
  expectNoProblems(page);
  console.log(`screenshot: ${await screenshot(page, name)}`);
});
