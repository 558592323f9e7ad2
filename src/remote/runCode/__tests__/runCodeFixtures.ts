/**
 * A real Jupyter server for the Run code suites, without the IOPub rate
 * limit: by default the server drops output beyond 1 MB/s (and says so on
 * stderr), and these suites check that large outputs arrive whole.
 */
import { JupyterServer } from '@jupyterlab/testing';

/**
 * Start a Jupyter server with no IOPub rate limit before the suite and stop
 * it after.
 */
export function useUnlimitedJupyterServer(): void {
  const server = new JupyterServer();
  beforeAll(async () => {
    // The server's start-up chatter is echoed through console.debug.
    jest.spyOn(console, 'debug').mockImplementation(() => undefined);
    await server.start({
      configData: {
        ServerApp: { allow_root: true, log_level: 'INFO' },
        // The limit is read here (the ServerApp names in its warning are stale).
        ZMQChannelsWebsocketConnection: { limit_rate: false },
        LabApp: { log_level: 'INFO' }
      }
    });
  }, 120_000);
  afterAll(async () => {
    await server.shutdown();
  });
}
