import { bellIcon } from '@jupyterlab/ui-components';
import type { Menu } from '@lumino/widgets';
import { Widget } from '@lumino/widgets';
import { type MenuSide, placeMenu } from './menuPlacement';

/**
 * What a mode button shows.
 */
export interface IModeButtonState {
  /** Short text next to the bell; empty for the bell alone. */
  label: string;
  /** Tooltip and accessible name. */
  title: string;
  /** Whether a mode of its own is set (the bell is highlighted). */
  active: boolean;
}

/**
 * A toolbar button with a bell that opens a menu of notification modes.
 *
 * It is the lab's own toolbar button element (`jp-button`, as
 * `ToolbarButtonComponent` renders it), so the toolbar's arrow keys reach
 * it like its neighbours. It announces a menu (`aria-haspopup`,
 * `aria-expanded`); from the keyboard the menu opens on its first item,
 * and when the menu closes the focus comes back to the bell.
 */
export class ModeButton extends Widget {
  constructor(options: ModeButton.IOptions) {
    super();
    this._options = options;
    this.addClass('jp-ToolbarButton');
    this.addClass('jp-lmk-ModeButton');
    const button = document.createElement('jp-button');
    button.setAttribute('appearance', 'stealth');
    button.className = `jp-ToolbarButtonComponent ${options.className}`;
    button.setAttribute('aria-haspopup', 'menu');
    button.setAttribute('aria-expanded', 'false');
    bellIcon.element({
      container: button.appendChild(document.createElement('span')),
      className: 'jp-ToolbarButtonComponent-icon',
      tag: 'span'
    });
    this._text = button.appendChild(document.createElement('span'));
    this._text.className = 'jp-ToolbarButtonComponent-label';
    button.addEventListener('click', this._onClick);
    this._button = this.node.appendChild(button);
    this.refresh();
  }

  /** The element that takes the focus and the clicks. */
  get button(): HTMLElement {
    return this._button;
  }

  /** Show the current state again (after a mode or the one-shot changed). */
  refresh(): void {
    if (this.isDisposed) {
      return;
    }
    const state = this._options.state();
    this._button.title = state.title;
    this._button.setAttribute('aria-label', state.title);
    this._text.textContent = state.label;
    this._text.hidden = !state.label;
    this.toggleClass('jp-mod-active', state.active);
  }

  dispose(): void {
    this._button.removeEventListener('click', this._onClick);
    super.dispose();
  }

  private _onClick = (event: MouseEvent): void => {
    event.preventDefault();
    this._options.beforeOpen?.();
    const menu = this._options.menu();
    if (menu.isAttached) {
      return;
    }
    const button = this._button;
    button.setAttribute('aria-expanded', 'true');
    const onClose = () => {
      menu.aboutToClose.disconnect(onClose);
      button.setAttribute('aria-expanded', 'false');
      // Escape, Enter or a click on an item: back to the bell. A click
      // elsewhere moves the focus there afterwards, as it should.
      const focused = document.activeElement;
      if (
        !focused ||
        focused === document.body ||
        menu.node.contains(focused)
      ) {
        button.focus();
      }
    };
    menu.aboutToClose.connect(onClose);
    menu.open(0, 0);
    const anchor = button.getBoundingClientRect();
    const size = menu.node.getBoundingClientRect();
    const { x, y } = placeMenu(
      this._options.side ?? 'below',
      anchor,
      size,
      { width: window.innerWidth, height: window.innerHeight },
      this._options.area?.()
    );
    // Lumino placed it at (0, 0) to measure it; move it before it is painted.
    menu.node.style.transform = `translate(${x}px, ${y}px)`;
    // Opened from the keyboard: put the focus on the first item.
    if (event.detail === 0) {
      menu.activeIndex = 0;
    }
  };

  private _options: ModeButton.IOptions;
  private _button: HTMLElement;
  private _text: HTMLSpanElement;
}

/**
 * The namespace for `ModeButton` statics.
 */
export namespace ModeButton {
  export interface IOptions {
    state: () => IModeButtonState;
    /** The menu to open (built on demand). */
    menu: () => Menu;
    /** Called before the menu opens (e.g. to make the cell active). */
    beforeOpen?: () => void;
    /** Class of the button element (`jp-lmk-CellBell`, `jp-lmk-NotebookBell`). */
    className: string;
    /** Where the menu opens (default: below). */
    side?: MenuSide;
    /** The box a menu opened `above` must stay in (the notebook's view). */
    area?: () => DOMRect;
  }
}
