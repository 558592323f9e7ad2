import type { IDisposable } from '@lumino/disposable';
import type { AccordionPanel, Widget } from '@lumino/widgets';
import { fitSectionSizes } from './sectionSizes';

/**
 * Keeps the sections of an accordion side panel at the height their
 * content needs (`fitSectionSizes`): looks again when a section's content
 * changes size, a section is folded or unfolded, or the panel is resized.
 * Between those, a handle the user dragged stays where it was put.
 */
export class SectionFitter implements IDisposable {
  constructor(options: SectionFitter.IOptions) {
    this._accordion = options.accordion;
    this._isFlex = options.isFlex;
    this._resize = new ResizeObserver(() => this._schedule());
    this._mutations = new MutationObserver(() => this._observeAll());
    this._resize.observe(this._accordion.node);
    this._accordion.expansionToggled.connect(this._schedule, this);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Follow the sections there are now (call after adding one). */
  refresh(): void {
    this._observeAll();
    this._schedule();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._resize.disconnect();
    this._mutations.disconnect();
    this._accordion.expansionToggled.disconnect(this._schedule, this);
    if (this._frame !== null) {
      cancelAnimationFrame(this._frame);
    }
  }

  /** Watch every section's contents (they are added lazily). */
  private _observeAll(): void {
    for (const section of this._accordion.widgets) {
      if (!this._watched.has(section)) {
        this._watched.add(section);
        this._mutations.observe(section.node, { childList: true });
      }
      for (const child of Array.from(section.node.children)) {
        if (!this._observed.has(child)) {
          this._observed.add(child);
          this._resize.observe(child);
        }
      }
    }
    this._schedule();
  }

  private _schedule(): void {
    if (this._frame === null && !this._isDisposed) {
      this._frame = requestAnimationFrame(() => {
        this._frame = null;
        this._fit();
      });
    }
  }

  private _fit(): void {
    const accordion = this._accordion;
    if (this._isDisposed || !accordion.isVisible) {
      return;
    }
    const chrome =
      accordion.titles.reduce((sum, title) => sum + title.offsetHeight, 0) +
      accordion.handles.reduce((sum, handle) => sum + handle.offsetHeight, 0);
    const available = accordion.node.clientHeight - chrome;
    if (available <= 0) {
      return;
    }
    const sizes = fitSectionSizes(
      available,
      accordion.widgets.map(section => ({
        natural: Private.natural(section),
        expanded: !section.isHidden,
        flex: this._isFlex(section)
      }))
    );
    if (sizes.some(size => size > 0)) {
      accordion.setRelativeSizes(sizes);
    }
  }

  private _accordion: AccordionPanel;
  private _isFlex: (section: Widget) => boolean;
  private _resize: ResizeObserver;
  private _mutations: MutationObserver;
  private _watched = new WeakSet<Widget>();
  private _observed = new WeakSet<Element>();
  private _frame: number | null = null;
  private _isDisposed = false;
}

/**
 * The namespace for `SectionFitter` statics.
 */
export namespace SectionFitter {
  export interface IOptions {
    accordion: AccordionPanel;
    /** The sections that take what is left (the history). */
    isFlex: (section: Widget) => boolean;
  }
}

namespace Private {
  /**
   * The height a section's content needs: its children laid out one under
   * the other (the toolbar lives in the section's title, elsewhere).
   */
  export function natural(section: Widget): number {
    let height = 0;
    for (const child of Array.from(section.node.children)) {
      const style = getComputedStyle(child);
      if (style.display === 'none' || style.position === 'absolute') {
        continue;
      }
      height +=
        child.getBoundingClientRect().height +
        parseFloat(style.marginTop || '0') +
        parseFloat(style.marginBottom || '0');
    }
    // A little air: a section filled to the pixel shows a scroll bar.
    return Math.ceil(height) + 2;
  }
}
