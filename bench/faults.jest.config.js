/**
 * Jest as the runner of the delivery figures (`make bench-faults`): the
 * project's own jest set-up (browser-like environment, TypeScript), for
 * `bench/faults.bench.ts` only, which is outside `src/`.
 */
const path = require('path');
const base = require('../jest.config');

module.exports = {
  ...base,
  rootDir: path.resolve(__dirname, '..'),
  testRegex: 'bench/faults\\.bench\\.ts$',
  transform: {
    ...base.transform,
    '^.+\\.tsx?$': ['ts-jest/legacy', { tsconfig: './bench/tsconfig.json' }]
  }
};
