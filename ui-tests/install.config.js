/**
 * Playwright configuration of make install-check: the built wheel, installed
 * into clean environments (JupyterLab 4.4, the newest 4.x, Notebook 7), each
 * served as a user would run it and loaded in Debian's Chromium.
 */
const { use } = require('./playwright.config.js');
// The environments (Makefile: INSTALL_ENVS), their ports and pages.
const servers = require('./install/servers.json');

module.exports = {
  testDir: './install',
  reporter: [['list']],
  timeout: 120 * 1000,
  retries: 0,
  workers: 1,
  use: {
    launchOptions: use.launchOptions,
    video: 'off',
    trace: 'retain-on-failure'
  },
  webServer: servers.map(server => ({
    command:
      `../.venv-install/${server.env}/bin/python ` +
      `../testing/install/run_installed.py --app ${server.app} --port ${server.port}`,
    cwd: __dirname,
    url: `http://127.0.0.1:${server.port}/api/status`,
    timeout: 90 * 1000,
    reuseExistingServer: false,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10 * 1000 },
    stdout: 'ignore',
    stderr: 'pipe'
  }))
};
