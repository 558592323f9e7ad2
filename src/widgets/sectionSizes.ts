/**
 * One section of a side panel, as the fitting sees it.
 */
export interface ISectionNeed {
  /** The height its content needs (CSS pixels); 0 when folded. */
  natural: number;
  /** Folded sections get nothing. */
  expanded: boolean;
  /** Takes what is left over (a list that can grow, like the history). */
  flex?: boolean;
}

/**
 * Heights for a panel's sections that give each the room its content
 * needs: when everything fits, each gets its natural height and the
 * flexible sections share the rest; when it does not, small sections keep
 * their natural height and the large ones share what is left equally
 * (each then scrolls). Sums to `available` when anything is expanded.
 */
export function fitSectionSizes(
  available: number,
  sections: readonly ISectionNeed[]
): number[] {
  const space = Math.max(0, available);
  const open = sections
    .map((section, index) => ({ ...section, index }))
    .filter(section => section.expanded);
  const sizes = sections.map(() => 0);
  if (open.length === 0) {
    return sizes;
  }
  const needs = open.map(section => Math.max(0, section.natural));
  const total = needs.reduce((sum, need) => sum + need, 0);
  if (total <= space) {
    open.forEach((section, i) => (sizes[section.index] = needs[i]));
    const flexible = open.filter(section => section.flex);
    const takers = flexible.length ? flexible : [open[open.length - 1]];
    const share = (space - total) / takers.length;
    for (const section of takers) {
      sizes[section.index] += share;
    }
    return sizes;
  }
  // Water-filling: the largest cap under which everything fits.
  const sorted = [...needs].sort((a, b) => a - b);
  let rest = space;
  let cap = 0;
  for (let i = 0; i < sorted.length; i++) {
    const left = sorted.length - i;
    if (sorted[i] * left >= rest) {
      cap = rest / left;
      break;
    }
    rest -= sorted[i];
  }
  open.forEach(
    (section, i) => (sizes[section.index] = Math.min(needs[i], cap))
  );
  return sizes;
}
