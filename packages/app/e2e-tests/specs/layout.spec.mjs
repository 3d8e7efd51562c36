// The approvals inbox and the request page at 360, 800 and 1280 px (a phone
// opening a notification, a narrow window, a laptop), with a request whose
// justification is long: the Approve and Deny buttons stay on screen, no row
// is taller than the screen, and no page logs a console error.
// Screenshots: output/layout-<page>-<width>.png.
import { apiAs, expectStatus } from '../api.mjs';
import { signInAs } from '../signIn.mjs';
import { assert, settleOpenRequests, settled, shot } from '../ui.mjs';

const WIDTHS = [360, 800, 1280];
const HEIGHT = 800;
// An app no earlier spec grants jane (the employee walk is granted Asana
// through the sandbox's Okta, and a held tier cannot be requested again).
const APP = { appId: 'linear', tierId: 'member' };

/**
 * React's development-build deprecation warnings about libraries Backstage
 * ships (MUI v4's transitions use findDOMNode; material-table and
 * react-beautiful-dnd, under Backstage's Table, use defaultProps). They are
 * logged as console errors but are not our code's; anything else is.
 */
const THIRD_PARTY = [
  /^Warning: findDOMNode is deprecated/,
  /^Warning: %s: Support for defaultProps will be removed from (function|memo) components.*%s (MTable\w+|Connect\(Droppable\)|Connect\(Draggable\))/,
];

/** Console errors and uncaught exceptions, each with the page it happened on. */
function watchConsole(page) {
  const errors = [];
  page.on('console', msg => {
    const text = msg.text();
    if (msg.type() === 'error' && !THIRD_PARTY.some(p => p.test(text))) {
      errors.push(`${page.url()}: ${text}`);
    }
  });
  page.on('pageerror', error => {
    errors.push(`${page.url()}: uncaught ${error.message}`);
  });
  return errors;
}

async function assertOnScreen(locator, width, what) {
  const box = await locator.boundingBox();
  assert(box, `${what} is not shown at ${width} px`);
  assert(
    box.x >= 0 && box.x + box.width <= width + 1,
    `${what} is off-screen at ${width} px (x ${Math.round(
      box.x,
    )}, width ${Math.round(box.width)})`,
  );
}

test('Layout: inbox and request page at 360, 800 and 1280 px, no console error', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  const errors = watchConsole(page);
  await settleOpenRequests('jane.doe', [APP.appId]);
  const jane = await apiAs('jane.doe');
  const justification =
    `${'I coordinate the launch plan with marketing, sales and support, and need to see and update the shared project boards every day. '.repeat(
      8,
    )}`.slice(0, 1000);
  const r = expectStatus(
    await jane.post('/requests', { ...APP, justification }),
    201,
    'long request',
  );

  await signInAs(page, APP_URL, 'sam.manager');
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: HEIGHT });
    await page.goto(`${APP_URL}/apps/approvals`);
    const approve = page.getByRole('button', { name: /^Approve/ }).first();
    await approve.waitFor();
    await settled(page);
    await assertOnScreen(approve, width, 'Approve');
    await assertOnScreen(
      page.getByRole('button', { name: /^Deny/ }).first(),
      width,
      'Deny',
    );
    const row = page.getByText(justification.slice(0, 60)).first();
    const rowBox = await row.boundingBox();
    assert(
      rowBox && rowBox.height < HEIGHT,
      `the long justification is ${Math.round(
        rowBox?.height ?? 0,
      )} px tall at ${width} px`,
    );
    await shot(page, outputDir, `layout-approvals-${width}`);

    await page.goto(`${APP_URL}/apps/requests/${r.id}`);
    await page.getByText('Linear').first().waitFor();
    await settled(page);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    assert(
      overflow <= 1,
      `the request page scrolls sideways by ${overflow} px at ${width} px`,
    );
    await shot(page, outputDir, `layout-request-${width}`);
  }
  await settleOpenRequests('jane.doe', [APP.appId]);
  assert(
    errors.length === 0,
    `console errors:\n${errors.slice(0, 10).join('\n')}`,
  );
});
