import { expect, galata, test } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { openNotebook, uploadNotebooks } from './fixtures';

/**
 * The bells of the cell and notebook toolbars, as a new user meets them:
 * with the mouse, the keyboard only, and a screen reader's view.
 */
test.use({ mockSettings: { ...galata.DEFAULT_SETTINGS } });

test.beforeEach(async ({ page, tmpPath }) => {
  await uploadNotebooks(page, tmpPath);
});

/** The open bell menu, found as a screen reader finds it: by its name. */
function menuNamed(page: IJupyterLabPageFixture, name: string) {
  return page.getByRole('menu', { name });
}

/**
 * The accessible name of what has the keyboard focus (inside the lab's
 * toolbar buttons, which keep their button in a shadow root).
 */
function focusedName(page: IJupyterLabPageFixture): Promise<string> {
  return page.evaluate(() => {
    let focused: Element | null = document.activeElement;
    while (focused?.shadowRoot?.activeElement) {
      focused = focused.shadowRoot.activeElement;
    }
    const root = focused?.getRootNode();
    const host = root instanceof ShadowRoot ? root.host : focused;
    return host?.getAttribute('aria-label') ?? host?.textContent?.trim() ?? '';
  });
}

const CELL_MENU = 'Notify me about this cell’s runs';
const NOTEBOOK_MENU = 'Notify me about this notebook’s runs';

test('the cell bell’s menu says what it is about, checks the mode in force, and opens off the cell’s output', async ({
  page,
  tmpPath
}) => {
  await openNotebook(page, tmpPath, 'outputs.ipynb');
  await page.menu.clickMenuItem('Run>Run All Cells');
  await expect(page.locator('.jp-OutputArea-output')).toHaveCount(5);
  await page.notebook.selectCells(3);
  const cell = page.locator('.jp-Notebook .jp-Cell').nth(3);
  const bell = cell.locator('.jp-lmk-CellBell');
  await expect(bell).toHaveAttribute('aria-haspopup', 'menu');
  await expect(bell).toHaveAttribute('aria-expanded', 'false');
  await expect(bell).not.toHaveAttribute('aria-pressed', /.*/);
  await bell.click();

  const menu = menuNamed(page, CELL_MENU);
  await expect(menu).toBeVisible();
  await expect(bell).toHaveAttribute('aria-expanded', 'true');
  await expect(page.locator('.jp-lmk-ModeMenu-heading')).toHaveText(CELL_MENU);
  // What is in force is checked, with the lab's check mark.
  const inherit = menu.getByRole('menuitemradio', {
    name: 'Like the Rest of the Notebook'
  });
  await expect(inherit).toHaveAttribute('aria-checked', 'true');
  await expect(
    page.locator('.jp-lmk-ModeMenu .lm-mod-toggled .lm-Menu-itemIcon svg')
  ).toBeVisible();
  // The words quote the setting, not "the threshold".
  await expect(menu).toContainText('When It Takes 30 s or More');
  await expect(menu).not.toContainText(/Threshold|Settings Say|Notebook Says/);

  // Off the cell's own output: above the bell, over the cell above.
  const menuBox = (await page.locator('.jp-lmk-ModeMenu').boundingBox())!;
  const bellBox = (await bell.boundingBox())!;
  const outputBox = (await cell.locator('.jp-OutputArea').boundingBox())!;
  expect(menuBox.y + menuBox.height).toBeLessThanOrEqual(bellBox.y + 1);
  expect(menuBox.y + menuBox.height).toBeLessThan(outputBox.y);

  await menu.getByRole('menuitemradio', { name: 'Only When It Fails' }).click();
  await expect(bell).toHaveAttribute('aria-expanded', 'false');
  await bell.click();
  await expect(
    menu.getByRole('menuitemradio', { name: 'Only When It Fails' })
  ).toHaveAttribute('aria-checked', 'true');
  await expect(inherit).toHaveAttribute('aria-checked', 'false');
});

test('keyboard only: the bells are in the toolbars’ arrow-key order, open with Enter and give the focus back when the menu closes', async ({
  page,
  tmpPath
}) => {
  await openNotebook(page, tmpPath, 'quick.ipynb');
  const bell = page.locator('.jp-lmk-NotebookBell');
  const bellName = /^Notify me about this notebook’s runs/;
  await bell.focus();
  await expect.poll(() => focusedName(page)).toMatch(bellName);
  // One tab stop for the toolbar: arrows move between its items.
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => focusedName(page)).not.toMatch(bellName);
  await expect(bell).toHaveAttribute('tabindex', '-1');
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => focusedName(page)).toMatch(bellName);
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => focusedName(page)).toBe('Report values');
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => focusedName(page)).toMatch(bellName);

  // Enter opens the menu on its first item; Escape closes it, back on the bell.
  await page.keyboard.press('Enter');
  const menu = menuNamed(page, NOTEBOOK_MENU);
  await expect(menu).toBeVisible();
  await expect(bell).toHaveAttribute('aria-expanded', 'true');
  await expect(page.locator('.jp-lmk-ModeMenu .lm-mod-active')).toHaveText(
    'Like My Other Notebooks'
  );
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  await expect.poll(() => focusedName(page)).toMatch(bellName);
  await expect(bell).toHaveAttribute('aria-expanded', 'false');

  // Choosing with Enter also gives the focus back.
  await page.keyboard.press('Enter');
  await expect(menu).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(menu).toHaveCount(0);
  await expect
    .poll(() => focusedName(page))
    .toBe('Notify me about this notebook’s runs: Every Run, However Short');

  // The cell bell takes part in the cell toolbar's arrows too.
  await page.notebook.selectCells(1);
  const cellBell = page.locator('.jp-Cell.jp-mod-active .jp-lmk-CellBell');
  const cellBellName = /^Notify me about this cell’s runs/;
  await cellBell.focus();
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => focusedName(page)).not.toMatch(cellBellName);
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => focusedName(page)).toMatch(cellBellName);
  await page.keyboard.press('Enter');
  await expect(menuNamed(page, CELL_MENU)).toBeVisible();
  await page.keyboard.press('Escape');
  await expect.poll(() => focusedName(page)).toMatch(cellBellName);
});

test('the notebook toolbar’s report button says what it is without its tooltip, and the bell menu offers it too', async ({
  page,
  tmpPath
}) => {
  await openNotebook(page, tmpPath, 'quick.ipynb');
  await expect(
    page.locator('.jp-NotebookPanel-toolbar').getByRole('button', {
      name: 'Report values',
      exact: true
    })
  ).toBeVisible();
  await page.locator('.jp-lmk-NotebookBell').click();
  const menu = menuNamed(page, NOTEBOOK_MENU);
  // The one-shot is a switch, off until armed.
  await expect(
    menu.getByRole('menuitemcheckbox', { name: 'Notify Me When This Run Ends' })
  ).toHaveAttribute('aria-checked', 'false');
  await menu
    .getByRole('menuitem', { name: 'Report Values in Notifications…' })
    .click();
  await expect(page.locator('.jp-Dialog')).toContainText('name: expression');
});
