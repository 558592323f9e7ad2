import { MessageLoop, type Message } from '@lumino/messaging';
import { type ISignal, Signal } from '@lumino/signaling';
import type { AccordionPanel, Widget } from '@lumino/widgets';
import type { SidePanel } from '@jupyterlab/ui-components';
import type { ILmkSidebar } from '../tokens';

/** Where the ids of the sections the user folded are kept. */
const FOLDED_KEY = 'jupyterlab-lmk:folded-sections';

/**
 * A side panel whose sections are made the first time it is shown (a lab
 * that never opens it pays only for its tab), that other plugins can add
 * sections to, and that tells when it is shown. It remembers which
 * sections the user folded (by section id, in `storage`); sections named
 * in `folded` start folded until the user unfolds them.
 */
export class LazySidePanel implements ILmkSidebar {
  /**
   * @param makeSections - adds the panel's own sections; called once,
   * before the panel is first shown.
   * @param added - called after sections were added (to fit their sizes).
   */
  constructor(options: LazySidePanel.IOptions) {
    this._panel = options.panel;
    this._makeSections = options.makeSections ?? (() => undefined);
    this._added = options.added ?? (() => undefined);
    this._storage = options.storage ?? null;
    this._foldedByDefault = new Set(options.folded ?? []);
    (this._panel.content as AccordionPanel).expansionToggled?.connect(
      this._remember,
      this
    );
    MessageLoop.installMessageHook(this._panel, (_, msg: Message) => {
      if (msg.type === 'before-show') {
        this.build();
      }
      if (msg.type === 'after-show') {
        // After the lazily loaded sections were created.
        requestAnimationFrame(() => this._shown.emit());
      }
      return true;
    });
  }

  /** The side panel. */
  get panel(): SidePanel {
    return this._panel;
  }

  get shown(): ISignal<this, void> {
    return this._shown;
  }

  /**
   * Add a section after the panel's own; before the panel is first shown,
   * it waits for them.
   */
  addSection(section: Widget): void {
    if (this._built) {
      this._panel.addWidget(section);
      this._fold(section);
      this._added();
    } else {
      this._waiting.push(section);
    }
  }

  /**
   * Make the sections (the first time only).
   */
  build(): void {
    if (this._built) {
      return;
    }
    this._built = true;
    this._makeSections();
    for (const section of this._waiting.splice(0)) {
      this._panel.addWidget(section);
    }
    for (const section of this._panel.widgets) {
      this._fold(section);
    }
    this._added();
  }

  /** Unfold a section and bring it into view. */
  reveal(section: Widget): void {
    this.build();
    const accordion = this._panel.content as AccordionPanel;
    const at = accordion.widgets.indexOf(section);
    if (at >= 0) {
      accordion.expand(at);
      section.node.scrollIntoView({ block: 'nearest' });
    }
  }

  isVisible(): boolean {
    return this._panel.isVisible && document.visibilityState === 'visible';
  }

  /** Fold a section that the user (or the default) left folded. */
  private _fold(section: Widget): void {
    const stored = this._stored();
    const folded = stored
      ? stored.includes(section.id)
      : this._foldedByDefault.has(section.id);
    const accordion = this._panel.content as AccordionPanel;
    const at = accordion.widgets.indexOf(section);
    if (folded && at >= 0) {
      this._applying = true;
      accordion.collapse(at);
      this._applying = false;
    }
  }

  /** Keep the folded sections' ids, once the user has folded or unfolded one. */
  private _remember(): void {
    if (this._applying || !this._storage) {
      return;
    }
    const accordion = this._panel.content as AccordionPanel;
    const folded = accordion.widgets
      .filter(section => section.isHidden && section.id)
      .map(section => section.id);
    try {
      this._storage.setItem(FOLDED_KEY, JSON.stringify(folded));
    } catch {
      // Storage off: folds last as long as the page.
    }
  }

  /** The stored folded ids, or null before the user folded anything. */
  private _stored(): string[] | null {
    try {
      const raw = this._storage?.getItem(FOLDED_KEY);
      const parsed: unknown = raw ? JSON.parse(raw) : null;
      return Array.isArray(parsed)
        ? parsed.filter((id): id is string => typeof id === 'string')
        : null;
    } catch {
      return null;
    }
  }

  private _panel: SidePanel;
  private _makeSections: () => void;
  private _added: () => void;
  private _storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  private _foldedByDefault: Set<string>;
  private _applying = false;
  private _built = false;
  private _waiting: Widget[] = [];
  private _shown = new Signal<this, void>(this);
}

/**
 * The namespace for `LazySidePanel` statics.
 */
export namespace LazySidePanel {
  export interface IOptions {
    panel: SidePanel;
    makeSections?: () => void;
    added?: () => void;
    /** Where folded sections are remembered (`localStorage`). */
    storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
    /** Ids of the sections folded until the user unfolds them. */
    folded?: string[];
  }
}
