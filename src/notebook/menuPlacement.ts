/**
 * A box on the page, in CSS pixels from the viewport's top left.
 */
export interface IBox {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * Where a menu opened from a button goes.
 *
 * - `below`: under the button, from its left edge (a toolbar's menus);
 * - `above`: over the button, its right edge on the button's, so that a
 *   cell toolbar's menu covers the cell above rather than this cell's
 *   own input and output; below the button when there is no room above
 *   (within `area`, the notebook's visible part).
 */
export type MenuSide = 'below' | 'above';

/**
 * The top-left corner of a menu of `size` opened from `anchor`, kept in
 * the viewport.
 */
export function placeMenu(
  side: MenuSide,
  anchor: IBox,
  size: { width: number; height: number },
  viewport: { width: number; height: number },
  area: IBox = {
    top: 0,
    left: 0,
    bottom: viewport.height,
    right: viewport.width
  }
): { x: number; y: number } {
  let x: number;
  let y: number;
  if (side === 'above' && anchor.top - size.height >= Math.max(0, area.top)) {
    x = anchor.right - size.width;
    y = anchor.top - size.height;
  } else {
    x = side === 'above' ? anchor.right - size.width : anchor.left;
    y = anchor.bottom;
    if (y + size.height > viewport.height) {
      // No room below either: as high as it fits.
      y = Math.max(0, viewport.height - size.height);
    }
  }
  x = Math.min(Math.max(0, x), Math.max(0, viewport.width - size.width));
  return { x, y };
}
