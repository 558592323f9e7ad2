import { fitSectionSizes } from '../sectionSizes';

describe('fitSectionSizes', () => {
  it('gives each section its natural height and the rest to the history', () => {
    expect(
      fitSectionSizes(600, [
        { natural: 150, expanded: true },
        { natural: 40, expanded: true, flex: true },
        { natural: 120, expanded: true }
      ])
    ).toEqual([150, 330, 120]);
  });

  it('gives nothing to a folded section', () => {
    expect(
      fitSectionSizes(600, [
        { natural: 150, expanded: true },
        { natural: 40, expanded: true, flex: true },
        { natural: 120, expanded: false }
      ])
    ).toEqual([150, 450, 0]);
  });

  it('lets small sections keep their height when space is short, the large ones share the rest', () => {
    const sizes = fitSectionSizes(600, [
      { natural: 120, expanded: true },
      { natural: 2000, expanded: true, flex: true },
      { natural: 900, expanded: true }
    ]);
    expect(sizes).toEqual([120, 240, 240]);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(600);
  });

  it('gives what is left to the last open section when there is no flexible one', () => {
    expect(
      fitSectionSizes(500, [
        { natural: 100, expanded: true },
        { natural: 100, expanded: true }
      ])
    ).toEqual([100, 400]);
  });

  it('does nothing when every section is folded', () => {
    expect(fitSectionSizes(500, [{ natural: 100, expanded: false }])).toEqual([
      0
    ]);
  });
});
