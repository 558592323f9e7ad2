/**
 * Playwright configuration: Galata's defaults, Debian's Chromium (never a
 * downloaded browser), and for the whole suite: one JupyterLab server, one
 * Synapse homeserver, two "remote" Jupyter servers and one JupyterHub.
 */
const path = require('path');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const synapsePort = Number(process.env.LMK_SYNAPSE_PORT || 8008);

/**
 * A second, real Jupyter server on another origin ("remote"): once with
 * CORS allowed for the lab's origin, once without (tests/remote.ts).
 */
function remoteJupyterServer(port, allowOrigin) {
  return {
    command:
      `../.venv/bin/python ../testing/jupyter-remote/run_remote_server.py ` +
      `--port ${port} --token lmk-remote-token` +
      (allowOrigin ? ` --allow-origin ${allowOrigin}` : ''),
    cwd: __dirname,
    url: `http://127.0.0.1:${port}/api/status?token=lmk-remote-token`,
    timeout: 60 * 1000,
    reuseExistingServer: !process.env.CI,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10 * 1000 },
    stdout: 'ignore',
    stderr: 'pipe'
  };
}

module.exports = {
  ...baseConfig,
  // The install check (install.config.js) has its own folder and servers.
  testDir: './tests',
  reporter: [['list']],
  timeout: 120 * 1000,
  retries: 0,
  workers: 1,
  use: {
    ...baseConfig.use,
    baseURL: 'http://127.0.0.1:8888',
    // Video needs Playwright's own ffmpeg download; traces do not. Traces
    // cost every test about 15 % (Galata ~20 min with them, ~16 without):
    // kept for runs at a desk, off in CI.
    video: 'off',
    trace: process.env.CI ? 'off' : 'retain-on-failure',
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
      reuseExistingServer: !process.env.CI,
      // The second kernel environment (ipykernel 6) of the kernel relay's
      // tests: its kernelspec "python3-ipykernel6" (Makefile: .make/ipykernel6).
      env: {
        JUPYTER_PATH: path.resolve(
          __dirname,
          '../.venv-ipykernel6/kernelspec/share/jupyter'
        )
      }
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
    },
    remoteJupyterServer(8890, 'http://127.0.0.1:8888'),
    remoteJupyterServer(8891, ''),
    {
      // A real JupyterHub (own venv, Makefile: $(STAMPS)/jupyterhub) with
      // configurable-http-proxy, DummyAuthenticator and local processes:
      // user alice, API token lmk-test-hub-token (tests/remote.ts).
      command:
        `../.venv-hub/bin/python ../testing/jupyterhub/run_hub.py ` +
        `--port 8000 --allow-origin http://127.0.0.1:8888`,
      cwd: __dirname,
      url: 'http://127.0.0.1:8000/hub/api/',
      timeout: 60 * 1000,
      reuseExistingServer: !process.env.CI,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 15 * 1000 },
      stdout: 'ignore',
      stderr: 'pipe'
    }
  ]
};
