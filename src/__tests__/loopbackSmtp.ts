/// <reference types="node" />
/**
 * A real SMTP server on loopback for the email channel's jest and UI tests:
 * aiosmtpd from the project's venv (`src/relay/kernel/tests/smtp_server.py`),
 * AUTH required (user `lmk-user`), without TLS (the channel's `none`, for a
 * server on localhost). Each mail received is a file in a temporary folder.
 */
import { type ChildProcess, spawn } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import * as net from 'net';
import { tmpdir } from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');

/** The login the server accepts (with the password it was started with). */
export const SMTP_USER = 'lmk-user';

/** A port nothing listens on (for now). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
    server.on('error', reject);
  });
}

/**
 * The server, started and ready; `mails()` are the raw messages received,
 * oldest first.
 */
export class LoopbackSmtp {
  static async start(password: string): Promise<LoopbackSmtp> {
    const spool = mkdtempSync(path.join(tmpdir(), 'lmk-smtp-'));
    const port = await freePort();
    const child = spawn(
      path.join(ROOT, '.venv', 'bin', 'python'),
      [
        path.join(ROOT, 'src/relay/kernel/tests/smtp_server.py'),
        spool,
        '--port',
        String(port),
        '--password',
        password,
        '--plain'
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] }
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('smtp ready')) {
          resolve();
        }
      });
      child.on('exit', code =>
        reject(new Error(`the SMTP server exited: ${code}`))
      );
    });
    return new LoopbackSmtp(child, spool, port);
  }

  private constructor(
    private readonly _child: ChildProcess,
    private readonly _spool: string,
    readonly port: number
  ) {}

  mails(): string[] {
    return readdirSync(this._spool)
      .filter(name => name.endsWith('.eml'))
      .sort((a, b) => parseInt(a) - parseInt(b))
      .map(name => readFileSync(path.join(this._spool, name), 'utf8'));
  }

  /** The mails once there are `count` (or all there are after `timeoutMs`). */
  async waitForMails(count: number, timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.mails().length < count) {
      await new Promise(resolve => setTimeout(resolve, 250));
    }
    return this.mails();
  }

  /** Forget the mails received so far. */
  clear(): void {
    for (const name of readdirSync(this._spool)) {
      rmSync(path.join(this._spool, name));
    }
  }

  stop(): void {
    this._child.kill('SIGTERM');
    rmSync(this._spool, { recursive: true, force: true });
  }
}
