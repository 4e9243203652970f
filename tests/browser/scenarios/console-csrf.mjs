// A form posted without the console's CSRF token (as a page of another site would post it, with the session
// cookie riding along) is refused, and changes nothing.

import { baseUrl, check, credentials, scenario } from '../lib.mjs';
import { signIn } from '../console.mjs';

await scenario('console-csrf', async (context) => {
  const page = await signIn(context, credentials(), '/console/settings/services/self-service-trials-and-purchases');
  const form = { 'product:CFQ7TTC0H9MP': 'Disabled', 'was:product:CFQ7TTC0H9MP': 'Enabled' };
  for (const token of [undefined, 'forged-token']) {
    const answer = await page.request.post(`${baseUrl()}/console/settings/services/self-service-trials-and-purchases`, {
      form: token === undefined ? form : { ...form, csrf_token: token },
      maxRedirects: 0,
    });
    check(answer.status() === 403, `a form with ${token ? 'a forged' : 'no'} CSRF token was answered ${answer.status()}`);
    check((await answer.text()).includes('This form was not sent from the console'), 'the refusal does not say why');
  }
  await page.reload();
  const powerBi = page.getByRole('group', { name: 'Power BI Pro', exact: true });
  check(await powerBi.getByLabel('Allow', { exact: true }).isChecked(), 'Power BI Pro changed after the refused forms');
});
