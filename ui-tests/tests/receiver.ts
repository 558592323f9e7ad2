import * as http from 'http';
import type { AddressInfo } from 'net';

/**
 * One request a loopback receiver got.
 */
export interface IReceived {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A loopback HTTP receiver standing in for a webhook endpoint: listens on
 * 127.0.0.1, answers CORS preflights for JSON bodies and the X-Lmk-*
 * headers (as a receiver meant for browsers must), records every accepted
 * POST, and answers POSTs with the statuses queued by the test (default 200).
 */
export class LoopbackReceiver {
  readonly received: IReceived[] = [];
  /** Statuses for the next POSTs, in order; then 200. */
  readonly answers: number[] = [];

  async start(): Promise<string> {
    this._server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', chunk => chunks.push(chunk));
      request.on('end', () => {
        response.setHeader('Access-Control-Allow-Origin', '*');
        if (request.method === 'OPTIONS') {
          response.setHeader('Access-Control-Allow-Methods', 'POST');
          response.setHeader(
            'Access-Control-Allow-Headers',
            'Content-Type, X-Lmk-Event-Id, X-Lmk-Signature-256'
          );
          response.writeHead(204).end();
          return;
        }
        if (request.method !== 'POST') {
          // A reachability probe (HEAD) from the channel form.
          response.writeHead(200).end();
          return;
        }
        const status = this.answers.shift() ?? 200;
        if (status === 200) {
          this.received.push({
            method: request.method ?? '',
            path: request.url ?? '',
            headers: request.headers,
            body: Buffer.concat(chunks).toString('utf8')
          });
        }
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(status === 200 ? '{"ok":true}' : '{"error":"try later"}');
      });
    });
    await new Promise<void>(resolve =>
      this._server!.listen(0, '127.0.0.1', resolve)
    );
    const { port } = this._server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>(resolve =>
      this._server ? this._server.close(() => resolve()) : resolve()
    );
  }

  /** The accepted POSTs' JSON bodies. */
  events(): any[] {
    return this.received.map(request => JSON.parse(request.body));
  }

  private _server: http.Server | null = null;
}
