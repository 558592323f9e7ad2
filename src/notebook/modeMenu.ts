import { MenuSvg } from '@jupyterlab/ui-components';
import type { CommandRegistry } from '@lumino/commands';
import type { ReadonlyJSONObject } from '@lumino/coreutils';
import type { ElementARIAAttrs } from '@lumino/virtualdom';
import type { Menu } from '@lumino/widgets';

/**
 * One entry of a bell's menu: a command (with its arguments) or a line
 * between groups. Commands that are not registered (their plugin is
 * disabled) are left out.
 */
export type ModeMenuItem =
  | {
      command: string;
      args?: ReadonlyJSONObject;
      /**
       * For screen readers: one of exclusive choices (`radio`), or a
       * switch (`checkbox`); checked as the command's `isToggled` says.
       */
      role?: 'radio' | 'checkbox';
    }
  | { separator: true };

/**
 * A bell's menu: the lab's own menu with icons and check marks
 * (`MenuSvg`; a command's `isToggled` shows what is chosen), under a
 * heading that says what the choices apply to. The heading also names the
 * menu for screen readers.
 */
export function createModeMenu(options: {
  commands: CommandRegistry;
  heading: string;
  items: readonly ModeMenuItem[];
}): MenuSvg {
  const { commands } = options;
  const menu = new MenuSvg({ commands, renderer: Private.renderer });
  menu.addClass('jp-lmk-ModeMenu');
  menu.title.label = options.heading;
  // Above the items, outside Lumino's list (which maps its children to
  // items for the mouse and the keyboard).
  const header = document.createElement('div');
  header.className = 'jp-lmk-ModeMenu-header';
  const heading = header.appendChild(document.createElement('div'));
  heading.className = 'jp-lmk-ModeMenu-heading';
  heading.id = `jp-lmk-ModeMenu-heading-${++headings}`;
  heading.textContent = options.heading;
  menu.node.insertBefore(header, menu.contentNode);
  menu.contentNode.setAttribute('aria-labelledby', heading.id);

  let lastWasSeparator = true;
  for (const item of options.items) {
    if ('separator' in item) {
      if (!lastWasSeparator) {
        menu.addItem({ type: 'separator' });
        lastWasSeparator = true;
      }
    } else if (commands.hasCommand(item.command)) {
      menu.addItem({
        command: item.command,
        args: { ...item.args, ...(item.role ? { [ROLE]: item.role } : {}) }
      });
      lastWasSeparator = false;
    }
  }
  const items = menu.items;
  if (items.length && items[items.length - 1].type === 'separator') {
    menu.removeItemAt(items.length - 1);
  }
  return menu;
}

/** Makes each heading's id unique in the page. */
let headings = 0;

/** The argument that carries a menu item's role (see `ModeMenuItem`). */
const ROLE = 'lmkRole';

namespace Private {
  /**
   * The lab's menu renderer, telling screen readers which items are
   * exclusive choices (checked or not) and which can be switched on and off.
   */
  class Renderer extends MenuSvg.Renderer {
    createItemARIA(data: Menu.IRenderData): ElementARIAAttrs {
      const aria = super.createItemARIA(data);
      const { item } = data;
      if (item.type === 'separator') {
        return { ...aria, role: 'separator' };
      }
      if (item.type !== 'command') {
        return aria;
      }
      const role = item.args[ROLE];
      return role === 'radio' || role === 'checkbox'
        ? {
            ...aria,
            role: role === 'radio' ? 'menuitemradio' : 'menuitemcheckbox',
            'aria-checked': String(item.isToggled)
          }
        : aria;
    }
  }

  export const renderer = new Renderer();
}
