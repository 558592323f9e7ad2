const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

const esModules = [
  '@codemirror',
  '@marijn',
  '@microsoft',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyter/ydoc',
  '@jupyterlab/',
  'color',
  'exenv-es6',
  'lib0',
  'marked',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  reporters: ['default'],
  modulePathIgnorePatterns: [
    '<rootDir>/.venv/',
    '<rootDir>/.venv-synapse/',
    '<rootDir>/.venv-hub/',
    '<rootDir>/.venv-install/',
    '<rootDir>/dist/',
    '<rootDir>/bench/.work/',
    '<rootDir>/testing/',
    '<rootDir>/jupyterlab_lmk/',
    '<rootDir>/ui-tests/',
    '<rootDir>/lib/'
  ],
  // The integration suites start real servers and kernels and mostly wait
  // on them: three workers keep two cores busy, longest suites first.
  testTimeout: 30000,
  maxWorkers: 3,
  testSequencer: '<rootDir>/testing/jest/slowFirstSequencer.js',
  collectCoverageFrom: [
    'src/**/*.{ts,tsx}',
    '!src/**/*.d.ts',
    '!src/**/.ipynb_checkpoints/*'
  ],
  coverageReporters: ['lcov', 'text'],
  testRegex: 'src/.*/.*.spec.ts[x]?$',
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
