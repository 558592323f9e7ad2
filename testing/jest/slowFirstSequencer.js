/**
 * Jest's test order with the suites that wait longest on real kernels and
 * servers first, so that the workers end together. Jest orders by the last
 * run's durations when it has them, but a fresh clone (CI) has none and
 * jest then goes by file size, which left the longest suite for last.
 * Figures: seconds per suite in a run of `jlpm test` on two cores.
 */
const Sequencer = require('@jest/test-sequencer').default;

const SLOWEST = [
  'src/relay/__tests__/kernelRelay.spec.ts', // 130 s
  'src/delivery/__tests__/deliveryFaults.spec.ts', // 85 s
  'src/remote/jupyter/__tests__/jupyterRemote.spec.ts', // 30-60 s
  'src/tracking/__tests__/runTracking.spec.ts', // 25-40 s
  'src/live/__tests__/matrixLive.spec.ts', // 35 s
  'src/relay/__tests__/formatParity.spec.ts' // 20-35 s
];

class SlowestFirst extends Sequencer {
  sort(tests) {
    const rank = test => {
      const index = SLOWEST.findIndex(suffix => test.path.endsWith(suffix));
      return index < 0 ? SLOWEST.length : index;
    };
    // Array.prototype.sort is stable: the rest keep jest's own order.
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowestFirst;
