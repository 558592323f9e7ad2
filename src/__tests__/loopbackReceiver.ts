/**
 * A loopback HTTP receiver for tests: stands in for a remote service
 * (webhook receiver, ntfy, Slack, ...) on 127.0.0.1, records every request
 * and answers as scripted, including faults (slow answers, dropped or reset
 * connections, rate limits).
 *
 * Also `browserFetch()`: Node's fetch with the browser's CORS rules on top,
 * so that tests can see what a page in a browser would see.
 */
import * as http from 'http';
import type { AddressInfo, Socket } from 'net';

/**
 * One request the receiver got, as it came over the wire.
 */
export interface IRecordedRequest {
  method: string;
  /** The path, without the query. */
  path: string;
  query: URLSearchParams;
  /** Header names are lower case. */
  headers: http.IncomingHttpHeaders;
  /** The exact body bytes. */
  body: Buffer;
  /** The body as UTF-8 text. */
  text: string;
  /**
   * The HTTP status the receiver answered with, once it has; undefined
   * while it waits, and for a request it dropped, reset or left hanging.
   */
  status?: number;
  /** How the receiver chose to answer it (preflights excepted). */
  answer?: ILoopbackAnswer;
}

/**
 * How the receiver answers one request.
 *
 * - `status`/`headers`/`body`: an HTTP answer (default 200, `ok`); an object
 *   body is sent as JSON.
 * - `delayMs`: wait before answering (or before dropping the connection).
 * - `fault: 'destroy'`: close the connection without an answer.
 * - `fault: 'reset'`: reset the connection (TCP RST) without an answer.
 * - `fault: 'hang'`: never answer (the connection is closed by `close()`).
 */
export interface ILoopbackAnswer {
  status?: number;
  headers?: { [name: string]: string };
  body?: string | object;
  delayMs?: number;
  fault?: 'destroy' | 'reset' | 'hang';
}

/**
 * The CORS policy of the receiver. Without one, it sends no CORS header at
 * all and answers a preflight with 405, like most services.
 */
export interface ICorsPolicy {
  /** `Access-Control-Allow-Origin` (default `*`). */
  origin?: string;
  /** `Access-Control-Allow-Methods` (default `POST, GET, OPTIONS`). */
  methods?: string;
  /** `Access-Control-Allow-Headers` (default: the requested ones). */
  headers?: string;
  /** `Access-Control-Expose-Headers`. */
  exposeHeaders?: string;
}

/**
 * Options of a loopback receiver.
 */
export interface ILoopbackOptions {
  cors?: ICorsPolicy | null;
  /** How to answer when no scripted answer is queued (default 200 `ok`). */
  defaultAnswer?: ILoopbackAnswer;
}

/**
 * A loopback HTTP receiver. Start one per test file (beforeAll) and close
 * it in afterAll; `clear()` between tests.
 */
export class LoopbackReceiver {
  /**
   * Start a receiver on 127.0.0.1 on a free port.
   */
  static async start(
    options: ILoopbackOptions = {}
  ): Promise<LoopbackReceiver> {
    const receiver = new LoopbackReceiver(options);
    await new Promise<void>((resolve, reject) => {
      receiver._server.once('error', reject);
      receiver._server.listen(0, '127.0.0.1', () => resolve());
    });
    return receiver;
  }

  private constructor(options: ILoopbackOptions) {
    this.cors = options.cors ?? null;
    this.defaultAnswer = options.defaultAnswer ?? { status: 200, body: 'ok' };
    this._server = http.createServer((request, response) => {
      void this._handle(request, response);
    });
    this._server.on('connection', socket => {
      this._sockets.add(socket);
      socket.on('close', () => this._sockets.delete(socket));
    });
  }

  /** The CORS policy; change it at any time. */
  cors: ICorsPolicy | null;

  /** The answer when no scripted one is queued; change it at any time. */
  defaultAnswer: ILoopbackAnswer;

  /**
   * How to answer each request (probes included, preflights excepted),
   * before the queue and the default: return undefined to leave it to
   * them. For faults that depend on the request (which event, which try).
   */
  script: ((request: IRecordedRequest) => ILoopbackAnswer | undefined) | null =
    null;

  /** Every request received, preflights included, in order. */
  readonly requests: IRecordedRequest[] = [];

  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  get origin(): string {
    const address = this._server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  /** The full address of a path on the receiver. */
  url(path = '/'): string {
    return this.origin + path;
  }

  /** The requests received with one method (default POST). */
  received(method = 'POST'): IRecordedRequest[] {
    return this.requests.filter(request => request.method === method);
  }

  /** The only request received with one method; fails otherwise. */
  single(method = 'POST'): IRecordedRequest {
    const found = this.received(method);
    if (found.length !== 1) {
      throw new Error(`Expected one ${method} request, got ${found.length}`);
    }
    return found[0];
  }

  /**
   * Queue scripted answers, used in order by the next requests that are
   * neither preflights (OPTIONS) nor probes (HEAD).
   */
  answer(...answers: ILoopbackAnswer[]): this {
    this._queue.push(...answers);
    return this;
  }

  /**
   * Wait until `count` requests (of one method, default POST) have been
   * received, at most `timeoutMs`.
   */
  async waitFor(
    count: number,
    method = 'POST',
    timeoutMs = 5000
  ): Promise<IRecordedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received(method).length < count) {
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out waiting for ${count} ${method} request(s); got ${this.received(method).length}`
        );
      }
      await new Promise(resolve => setTimeout(resolve, 10));
    }
    return this.received(method);
  }

  /** Forget the requests and the queued answers; restore the defaults. */
  clear(): void {
    this.requests.length = 0;
    this._queue.length = 0;
    this.script = null;
  }

  /** Stop listening and drop every open connection. */
  async close(): Promise<void> {
    for (const timer of this._timers) {
      clearTimeout(timer);
    }
    this._timers.clear();
    for (const socket of this._sockets) {
      socket.destroy();
    }
    await new Promise<void>(resolve => this._server.close(() => resolve()));
  }

  private async _handle(
    request: http.IncomingMessage,
    response: http.ServerResponse
  ): Promise<void> {
    const body = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => resolve(Buffer.concat(chunks)));
      request.on('error', reject);
    }).catch(() => Buffer.alloc(0));
    const url = new URL(request.url ?? '/', this.origin);
    const method = request.method ?? 'GET';
    const record: IRecordedRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body,
      text: body.toString('utf8')
    };
    this.requests.push(record);
    response.on('error', () => undefined);
    if (
      method === 'OPTIONS' &&
      request.headers['access-control-request-method']
    ) {
      this._preflight(request, response, record);
      return;
    }
    // HEAD requests (the lab's reachability probes) leave the queue alone.
    const answer =
      this.script?.(record) ??
      (method === 'HEAD' ? undefined : this._queue.shift()) ??
      this.defaultAnswer;
    record.answer = answer;
    const act = () => this._send(request, response, answer, record);
    if (answer.delayMs) {
      const timer = setTimeout(() => {
        this._timers.delete(timer);
        act();
      }, answer.delayMs);
      this._timers.add(timer);
    } else {
      act();
    }
  }

  private _preflight(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    record: IRecordedRequest
  ): void {
    const cors = this.cors;
    if (!cors) {
      record.status = 405;
      response.writeHead(405, { Allow: 'POST' });
      response.end();
      return;
    }
    const requested = request.headers['access-control-request-headers'];
    const headers: { [name: string]: string } = {
      'Access-Control-Allow-Origin': cors.origin ?? '*',
      'Access-Control-Allow-Methods': cors.methods ?? 'POST, GET, OPTIONS'
    };
    const allowHeaders = cors.headers ?? requested;
    if (allowHeaders) {
      headers['Access-Control-Allow-Headers'] = allowHeaders;
    }
    record.status = 204;
    response.writeHead(204, headers);
    response.end();
  }

  private _send(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    answer: ILoopbackAnswer,
    record: IRecordedRequest
  ): void {
    const socket = request.socket;
    switch (answer.fault) {
      case 'hang':
        return;
      case 'destroy':
        socket.destroy();
        return;
      case 'reset':
        socket.resetAndDestroy();
        return;
      default:
        break;
    }
    const headers: { [name: string]: string } = {};
    if (this.cors) {
      headers['Access-Control-Allow-Origin'] = this.cors.origin ?? '*';
      if (this.cors.exposeHeaders) {
        headers['Access-Control-Expose-Headers'] = this.cors.exposeHeaders;
      }
    }
    let body = answer.body ?? 'ok';
    if (typeof body !== 'string') {
      body = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    } else {
      headers['Content-Type'] = 'text/plain; charset=utf-8';
    }
    Object.assign(headers, answer.headers ?? {});
    if (socket.destroyed) {
      return;
    }
    record.status = answer.status ?? 200;
    response.writeHead(record.status, headers);
    response.end(body);
  }

  private _server: http.Server;
  private _sockets = new Set<Socket>();
  private _timers = new Set<ReturnType<typeof setTimeout>>();
  private _queue: ILoopbackAnswer[] = [];
}

/**
 * Request headers a page may send without a preflight (Fetch standard,
 * CORS-safelisted request headers).
 */
const SAFELISTED_HEADERS = new Set([
  'accept',
  'accept-language',
  'content-language',
  'content-type'
]);

/**
 * Response headers a page may read of a cross-origin answer without
 * `Access-Control-Expose-Headers` (Fetch standard, CORS-safelisted
 * response headers).
 */
const SAFELISTED_RESPONSE_HEADERS = new Set([
  'cache-control',
  'content-language',
  'content-length',
  'content-type',
  'expires',
  'last-modified',
  'pragma'
]);

/** Content types that need no preflight. */
const SAFELISTED_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain'
]);

/**
 * Node's fetch with the browser's CORS rules applied for a page at
 * `pageOrigin`: cross-origin requests that need one get a real preflight
 * (OPTIONS) first, answers without `Access-Control-Allow-Origin` are
 * refused with the browser's `TypeError`, and `no-cors` answers are opaque
 * (status 0, unreadable). Simplified: credentials are always omitted.
 *
 * Install with `globalThis.fetch = browserFetch(location.origin)`.
 */
export function browserFetch(pageOrigin: string): typeof fetch {
  const nodeFetch = globalThis.fetch;
  const refuse = () => new TypeError('Failed to fetch');

  return async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(
      typeof input === 'string' || input instanceof URL ? input : input.url
    );
    if (url.origin === pageOrigin) {
      return nodeFetch(input, init);
    }
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    if (typeof init.body === 'string' && !headers.has('content-type')) {
      headers.set('content-type', 'text/plain;charset=UTF-8');
    } else if (init.body instanceof URLSearchParams) {
      headers.set(
        'content-type',
        'application/x-www-form-urlencoded;charset=UTF-8'
      );
    }
    const simpleMethod = ['GET', 'HEAD', 'POST'].includes(method);
    const unsafe: string[] = [];
    headers.forEach((value, name) => {
      const type = value.split(';')[0].trim().toLowerCase();
      if (
        !SAFELISTED_HEADERS.has(name) ||
        (name === 'content-type' && !SAFELISTED_TYPES.has(type))
      ) {
        unsafe.push(name);
      }
    });

    if (init.mode === 'no-cors') {
      if (!simpleMethod) {
        throw refuse();
      }
      // The browser silently drops the headers a no-cors request may not have.
      unsafe.forEach(name => headers.delete(name));
      headers.set('origin', pageOrigin);
      await nodeFetch(url, { ...init, headers, mode: 'cors' });
      const opaque = new Response(null, { status: 200 });
      Object.defineProperties(opaque, {
        type: { value: 'opaque' },
        status: { value: 0 },
        ok: { value: false }
      });
      return opaque;
    }

    if (!simpleMethod || unsafe.length > 0) {
      let preflight: Response;
      try {
        preflight = await nodeFetch(url, {
          method: 'OPTIONS',
          headers: {
            origin: pageOrigin,
            'access-control-request-method': method,
            ...(unsafe.length
              ? { 'access-control-request-headers': unsafe.sort().join(',') }
              : {})
          },
          signal: init.signal
        });
      } catch {
        throw refuse();
      }
      const allowedMethods = listOf(
        preflight.headers.get('access-control-allow-methods')
      );
      const allowedHeaders = listOf(
        preflight.headers.get('access-control-allow-headers')
      );
      const originOk = allowsOrigin(preflight, pageOrigin);
      const methodOk =
        simpleMethod ||
        allowedMethods.includes(method.toLowerCase()) ||
        allowedMethods.includes('*');
      // The wildcard never covers Authorization (Fetch standard).
      const headersOk = unsafe.every(
        name =>
          allowedHeaders.includes(name) ||
          (allowedHeaders.includes('*') && name !== 'authorization')
      );
      if (!preflight.ok || !originOk || !methodOk || !headersOk) {
        throw refuse();
      }
    }

    headers.set('origin', pageOrigin);
    const response = await nodeFetch(url, { ...init, headers });
    if (!allowsOrigin(response, pageOrigin)) {
      throw refuse();
    }
    return withExposedHeaders(response);
  };
}

/**
 * The response as a page reads it: only the safelisted headers and those
 * the server exposes (`Retry-After` is hidden unless exposed).
 */
function withExposedHeaders(response: Response): Response {
  const exposed = listOf(response.headers.get('access-control-expose-headers'));
  const visible = new Headers();
  response.headers.forEach((value, name) => {
    if (
      SAFELISTED_RESPONSE_HEADERS.has(name) ||
      exposed.includes(name) ||
      exposed.includes('*')
    ) {
      visible.set(name, value);
    }
  });
  Object.defineProperty(response, 'headers', { value: visible });
  return response;
}

function listOf(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map(item => item.trim().toLowerCase())
    .filter(Boolean);
}

function allowsOrigin(response: Response, origin: string): boolean {
  const allowed = response.headers.get('access-control-allow-origin');
  return allowed === '*' || allowed === origin;
}
