/**
 * The form dialog in jsdom with the lab's own Dialog: where the keyboard
 * focus goes when it opens.
 */
import { nullTranslator } from '@jupyterlab/translation';
import * as React from 'react';
import { waitUntil } from '../../__tests__/waitUntil';
import { showFormDialog } from '../formDialog';

const trans = nullTranslator.load('jupyterlab_lmk');

describe('showFormDialog', () => {
  const idle = window.requestIdleCallback;
  afterEach(() => {
    window.requestIdleCallback = idle;
  });

  it('puts the focus on the first field once the form is in the page, in a browser that is never idle', async () => {
    // Headless Chromium with no frame to draw runs idle callbacks only at
    // the next input: here, never.
    window.requestIdleCallback = () => 0;
    const opener = document.createElement('button');
    document.body.appendChild(opener);
    opener.focus();

    const closed = showFormDialog({
      title: trans.__('Add a thing'),
      className: 'jp-lmk-TestDialog',
      render: close => (
        <form>
          <label>
            {trans.__('Name')} <input name="name" />
          </label>
          <button type="button" onClick={close}>
            {trans.__('Cancel')}
          </button>
        </form>
      )
    });

    await waitUntil(
      () => document.activeElement === document.querySelector('input[name]')
    );
    // Cancel closes it, and the focus goes back to the button that opened it.
    document.querySelector<HTMLButtonElement>('form button')!.click();
    await closed;
    expect(document.querySelector('.jp-lmk-TestDialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
    opener.remove();
  });
});
