/**
 * Playwright configuration: Galata's defaults, Debian's Chromium (never a
 * downloaded browser), and one JupyterLab server for the whole suite.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

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
  webServer: {
    command: 'jlpm start',
    url: 'http://127.0.0.1:8888/lab',
    timeout: 120 * 1000,
    reuseExistingServer: !process.env.CI
  }
};
