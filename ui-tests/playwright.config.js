/**
 * Playwright configuration: Galata's defaults, Debian's Chromium (never a
 * downloaded browser), one JupyterLab server and one Synapse homeserver
 * for the whole suite.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const synapsePort = Number(process.env.LMK_SYNAPSE_PORT || 8008);

module.exports = {
  ...baseConfig,
  reporter: [['list']],
  timeout: 120 * 1000,
  retries: 0,
  workers: 1,
  use: {
    ...baseConfig.use,
    baseURL: 'http://127.0.0.1:8888',
    // Video needs Playwright's own ffmpeg download; traces do not.
    video: 'off',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-sync',
        '--disable-background-networking',
        '--disable-component-update'
      ]
    }
  },
  webServer: [
    {
      command: 'jlpm start',
      url: 'http://127.0.0.1:8888/lab',
      timeout: 120 * 1000,
      reuseExistingServer: !process.env.CI
    },
    {
      // A real Matrix homeserver for the Matrix tests (tests/synapse.ts),
      // from its own venv (Makefile: $(STAMPS)/synapse). Temporary data,
      // removed when it gets SIGTERM.
      command:
        `../.venv-synapse/bin/python ../testing/synapse/run_synapse.py ` +
        `--port ${synapsePort}`,
      cwd: __dirname,
      url: `http://127.0.0.1:${synapsePort}/_matrix/client/versions`,
      timeout: 60 * 1000,
      reuseExistingServer: !process.env.CI,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10 * 1000 },
      stdout: 'ignore',
      stderr: 'pipe'
    }
  ]
};
