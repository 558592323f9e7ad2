/// <reference types="node" />
/**
 * A real JupyterHub for a jest suite, started through
 * testing/jupyterhub/run_hub.py (venv `.venv-hub`) on a free loopback port.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as net from 'net';
import * as path from 'path';

/** The user the test hub knows. */
export const HUB_USER = 'alice';

/** Her API token on the test hub (run_hub.py's `--token`). */
export const HUB_TOKEN = 'lmk-jest-hub-token';

/** The page origin the test hub allows (CORS). */
export const HUB_ALLOWED_ORIGIN = 'http://127.0.0.1:8888';

/**
 * A free TCP port on 127.0.0.1 (closed again, so a server can take it).
 */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}

/**
 * Start a hub before the suite and stop it after; returns a getter of its
 * base URL (`http://127.0.0.1:<port>/`).
 */
export function useJupyterHub(): () => string {
  let hub: ChildProcess | null = null;
  let url = '';
  beforeAll(async () => {
    const port = await freePort();
    const root = process.cwd();
    hub = spawn(
      path.join(root, '.venv-hub', 'bin', 'python'),
      [
        path.join(root, 'testing', 'jupyterhub', 'run_hub.py'),
        '--port',
        String(port),
        '--allow-origin',
        HUB_ALLOWED_ORIGIN,
        '--token',
        HUB_TOKEN,
        '--timeout',
        '45'
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    );
    let log = '';
    hub.stderr!.on('data', (chunk: Buffer) => {
      // Kept (the last part) to explain a hub that did not start.
      log = (log + chunk.toString()).slice(-4000);
    });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      hub!.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /JUPYTERHUB READY (\S+)/.exec(out);
        if (match) {
          resolve(match[1]);
        }
      });
      hub!.on('exit', code =>
        reject(new Error(`JupyterHub exited (${code}) before ready:\n${log}`))
      );
    });
  }, 60_000);
  afterAll(async () => {
    if (hub && hub.exitCode === null) {
      const exited = new Promise(resolve => hub!.once('exit', resolve));
      hub.kill('SIGTERM');
      await exited;
    }
  }, 20_000);
  return () => url;
}
