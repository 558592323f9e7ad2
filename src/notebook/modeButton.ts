import type { Menu } from '@lumino/widgets';
import { Widget } from '@lumino/widgets';
import { bellIcon } from '@jupyterlab/ui-components';

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
 * A native button, so it is reachable with Tab and opens with Enter/Space;
 * the menu then takes the arrow keys.
 */
export class ModeButton extends Widget {
  constructor(options: ModeButton.IOptions) {
    super({ node: document.createElement('button') });
    this._options = options;
    const button = this.node as HTMLButtonElement;
    button.type = 'button';
    button.setAttribute('aria-haspopup', 'menu');
    this.addClass('jp-ToolbarButtonComponent');
    this.addClass('jp-lmk-ModeButton');
    if (options.className) {
      this.addClass(options.className);
    }
    bellIcon.element({
      container: button.appendChild(document.createElement('span')),
      className: 'jp-ToolbarButtonComponent-icon',
      tag: 'span'
    });
    this._text = button.appendChild(document.createElement('span'));
    this._text.className = 'jp-ToolbarButtonComponent-label';
    button.addEventListener('click', this._onClick);
    this.refresh();
  }

  /** Show the current state again (after a mode or the one-shot changed). */
  refresh(): void {
    if (this.isDisposed) {
      return;
    }
    const state = this._options.state();
    this.node.title = state.title;
    this.node.setAttribute('aria-label', state.title);
    this.node.setAttribute('aria-pressed', String(state.active));
    this._text.textContent = state.label;
    this._text.hidden = !state.label;
    this.toggleClass('jp-mod-active', state.active);
  }

  dispose(): void {
    this.node.removeEventListener('click', this._onClick);
    super.dispose();
  }

  private _onClick = (event: MouseEvent): void => {
    event.preventDefault();
    this._options.beforeOpen?.();
    const menu = this._options.menu();
    const rect = this.node.getBoundingClientRect();
    menu.open(rect.left, rect.bottom);
    // Opened from the keyboard: put the focus on the first item.
    if (event.detail === 0) {
      menu.activeIndex = 0;
    }
  };

  private _options: ModeButton.IOptions;
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
    className?: string;
  }
}
