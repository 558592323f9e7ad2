/// <reference types="node" />
/**
 * Second real Jupyter servers for the remote suites, started with
 * testing/jupyter-remote/run_remote_server.py (as Galata does).
 */
import { spawn } from 'child_process';
import type { ChildProcess } from 'child_process';
import * as net from 'net';
import * as path from 'path';
import { browserFetch } from '../../../__tests__/loopbackReceiver';

/**
 * A running remote Jupyter server.
 */
export interface IRemoteJupyter {
  url: string;
  token: string;
  process: ChildProcess;
}

/** A free port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Start a remote server; resolves once it prints that it is ready.
 */
export async function startRemoteJupyter(options: {
  token: string;
  allowOrigin?: string;
}): Promise<IRemoteJupyter> {
  const port = await freePort();
  const python = path.join(process.cwd(), '.venv', 'bin', 'python');
  const script = path.join(
    process.cwd(),
    'testing',
    'jupyter-remote',
    'run_remote_server.py'
  );
  const args = [script, '--port', String(port), '--token', options.token];
  if (options.allowOrigin) {
    args.push('--allow-origin', options.allowOrigin);
  }
  const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('remote jupyter did not start')),
      60_000
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('lmk-remote-server ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', () => undefined);
    child.once('exit', code => {
      clearTimeout(timer);
      reject(new Error(`remote jupyter exited (${code})`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    token: options.token,
    process: child
  };
}

/** Stop a remote server (its launcher removes its folder). */
export async function stopRemoteJupyter(
  server: IRemoteJupyter | undefined
): Promise<void> {
  const child = server?.process;
  if (!child || child.exitCode !== null) {
    return;
  }
  await new Promise<void>(resolve => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * `browserFetch` for `ServerConnection`, which passes a `Request` (whose
 * method, headers and body `browserFetch` would not see).
 */
export function pageFetch(pageOrigin: string): typeof fetch {
  const inner = browserFetch(pageOrigin);
  return async (input: RequestInfo | URL, init?: RequestInit) => {
    if (input instanceof Request) {
      const body =
        input.method === 'GET' || input.method === 'HEAD'
          ? undefined
          : await input.text();
      return inner(input.url, {
        method: input.method,
        headers: input.headers,
        body,
        signal: input.signal,
        ...init
      });
    }
    return inner(input, init);
  };
}
