/**
 * A loopback stand-in for an ntfy server (ntfy itself cannot run here),
 * following ntfy's documented wire format for what the live status uses:
 *
 * - publish as JSON: `POST /` with `{topic, message, title, priority, tags,
 *   click, markdown, actions, sequence_id}`; answered with the message as
 *   subscribers get it (`id`, `time`, `event: "message"`, `topic`, ...);
 * - publish to a topic: `POST|PUT /<topic>` with the message as the body
 *   (what an `http` action button sends when tapped);
 * - subscribe: `GET /<topic>/json?since=all|<id>|<unix time>`, a stream of
 *   one JSON message a line (`open` first, then `message` events);
 * - access: the `auth` query parameter (base64url of the Authorization
 *   header value), checked against the tokens given;
 * - CORS: `Access-Control-Allow-Origin: *`, preflights allowed;
 * - sequence ids (ntfy 2.16+): echoed back when `sequenceIds` is on; an
 *   older server ignores the field.
 *
 * It checks what it is sent against the documented limits (topic names,
 * at most three actions, each with a label and an http(s) url, messages of
 * at most 4,096 bytes) and answers 400 otherwise, as ntfy does.
 * `tap()` plays the phone: it sends an action button's request as the ntfy
 * app does, from outside the browser.
 */
import * as http from 'http';
import type { AddressInfo, Socket } from 'net';

const TOPIC = /^[-_A-Za-z0-9]{1,64}$/;
const MAX_MESSAGE_BYTES = 4096;

/**
 * A message as ntfy stores it and gives it to subscribers.
 */
export interface INtfyMessage {
  id: string;
  time: number;
  event: 'message';
  topic: string;
  message: string;
  title?: string;
  priority?: number;
  tags?: string[];
  click?: string;
  actions?: INtfyAction[];
  sequence_id?: string;
  /** When the stand-in received it (ms, this machine's clock): not ntfy's. */
  receivedAt: number;
  /** The `Authorization` value it was sent with, decoded from `auth`. */
  authorization: string | null;
}

/**
 * An action button as published.
 */
export interface INtfyAction {
  action: 'view' | 'broadcast' | 'http';
  label: string;
  url?: string;
  method?: string;
  headers?: { [name: string]: string };
  body?: string;
  clear?: boolean;
}

/**
 * The ntfy stand-in. Start one per test file; `close()` in afterAll.
 */
export class NtfyLoopback {
  static async start(
    options: NtfyLoopback.IOptions = {}
  ): Promise<NtfyLoopback> {
    const server = new NtfyLoopback(options);
    await new Promise<void>((resolve, reject) => {
      server._server.once('error', reject);
      server._server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return server;
  }

  private constructor(options: NtfyLoopback.IOptions) {
    this.sequenceIds = options.sequenceIds ?? true;
    this.tokens = options.tokens ?? null;
    this._server = http.createServer((request, response) => {
      void this._handle(request, response);
    });
    this._server.on('connection', socket => {
      this._sockets.add(socket);
      socket.on('close', () => this._sockets.delete(socket));
    });
  }

  /** Whether it understands sequence ids (ntfy 2.16 and later). */
  sequenceIds: boolean;

  /**
   * Tokens that may read and write (`null`: anyone may). Anonymous writes
   * are allowed to topics starting with `lmk_`, as the docs advise.
   */
  tokens: string[] | null;

  /** Every message published, in order. */
  readonly messages: INtfyMessage[] = [];

  /** Requests refused, with the reason given. */
  readonly refused: { path: string; status: number; reason: string }[] = [];

  /** `http://127.0.0.1:<port>`. */
  get origin(): string {
    const address = this._server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  /** Messages of one topic. */
  topic(name: string): INtfyMessage[] {
    return this.messages.filter(message => message.topic === name);
  }

  /** Subscriptions open now, by topic. */
  subscribers(topic: string): number {
    return this._subscribers.filter(s => s.topic === topic).length;
  }

  /**
   * Wait for a message matching `test` (at most `timeoutMs`).
   */
  async waitFor(
    test: (message: INtfyMessage) => boolean,
    timeoutMs = 20_000
  ): Promise<INtfyMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(test);
      if (found) {
        return found;
      }
      if (Date.now() > deadline) {
        throw new Error('Timed out waiting for an ntfy message');
      }
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  }

  /**
   * Tap an action button of a message as the ntfy app does: its request
   * (default POST) with its headers and body, from outside any browser.
   * Resolves with the HTTP status.
   */
  async tap(message: INtfyMessage, label: string): Promise<number> {
    const action = message.actions?.find(a => a.label === label);
    if (!action || action.action !== 'http' || !action.url) {
      throw new Error(`No http action "${label}" on the message`);
    }
    const response = await fetch(action.url, {
      method: action.method ?? 'POST',
      headers: action.headers ?? {},
      body: action.body ?? ''
    });
    await response.text();
    return response.status;
  }

  /** Publish to a topic as anyone could (a stranger guessing). */
  async post(topic: string, body: string): Promise<number> {
    const response = await fetch(`${this.origin}/${topic}`, {
      method: 'POST',
      body
    });
    await response.text();
    return response.status;
  }

  clear(): void {
    this.messages.length = 0;
    this.refused.length = 0;
  }

  async close(): Promise<void> {
    for (const subscriber of this._subscribers) {
      subscriber.response.end();
    }
    for (const socket of this._sockets) {
      socket.destroy();
    }
    await new Promise<void>(resolve => this._server.close(() => resolve()));
  }

  private async _handle(
    request: http.IncomingMessage,
    response: http.ServerResponse
  ): Promise<void> {
    const body = await new Promise<Buffer>(resolve => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => resolve(Buffer.concat(chunks)));
      request.on('error', () => resolve(Buffer.alloc(0)));
    });
    response.on('error', () => undefined);
    const url = new URL(request.url ?? '/', this.origin);
    const method = request.method ?? 'GET';
    const cors = { 'Access-Control-Allow-Origin': '*' };
    if (method === 'OPTIONS') {
      response.writeHead(200, {
        ...cors,
        'Access-Control-Allow-Methods': 'GET, PUT, POST, PATCH, DELETE',
        'Access-Control-Allow-Headers': '*'
      });
      response.end();
      return;
    }
    const authorization = Private.authorization(url, request);
    const refuse = (status: number, reason: string) => {
      this.refused.push({ path: url.pathname, status, reason });
      response.writeHead(status, {
        ...cors,
        'Content-Type': 'application/json'
      });
      response.end(
        JSON.stringify({ code: status * 100, http: status, error: reason })
      );
    };
    const parts = url.pathname.split('/').filter(Boolean);
    if (method === 'GET' && parts.length === 2 && parts[1] === 'json') {
      const topic = parts[0];
      if (!TOPIC.test(topic)) {
        return refuse(400, 'invalid topic');
      }
      if (!this._allowed(authorization, topic, 'read')) {
        return refuse(403, 'forbidden');
      }
      this._subscribe(topic, url.searchParams.get('since'), response, cors);
      return;
    }
    if ((method === 'POST' || method === 'PUT') && parts.length === 0) {
      let json: { [key: string]: any };
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return refuse(400, 'invalid JSON');
      }
      const problem = Private.checkJson(json);
      if (problem) {
        return refuse(400, problem);
      }
      if (!this._allowed(authorization, json.topic, 'write')) {
        return refuse(403, 'forbidden');
      }
      const message = this._publish({
        topic: json.topic,
        message: typeof json.message === 'string' ? json.message : 'triggered',
        ...(json.title ? { title: json.title } : {}),
        ...(json.priority ? { priority: json.priority } : {}),
        ...(json.tags ? { tags: json.tags } : {}),
        ...(json.click ? { click: json.click } : {}),
        ...(json.actions ? { actions: json.actions } : {}),
        ...(this.sequenceIds && json.sequence_id
          ? { sequence_id: json.sequence_id }
          : {}),
        authorization
      });
      response.writeHead(200, { ...cors, 'Content-Type': 'application/json' });
      response.end(JSON.stringify(Private.wire(message)));
      return;
    }
    if ((method === 'POST' || method === 'PUT') && parts.length === 1) {
      const topic = parts[0];
      if (!TOPIC.test(topic)) {
        return refuse(400, 'invalid topic');
      }
      if (body.length > MAX_MESSAGE_BYTES) {
        return refuse(413, 'message too large');
      }
      if (!this._allowed(authorization, topic, 'write')) {
        return refuse(403, 'forbidden');
      }
      const message = this._publish({
        topic,
        message: body.toString('utf8') || 'triggered',
        authorization
      });
      response.writeHead(200, { ...cors, 'Content-Type': 'application/json' });
      response.end(JSON.stringify(Private.wire(message)));
      return;
    }
    refuse(404, 'not found');
  }

  private _allowed(
    authorization: string | null,
    topic: string,
    access: 'read' | 'write'
  ): boolean {
    if (this.tokens === null) {
      return true;
    }
    if (access === 'write' && topic.startsWith('lmk_')) {
      return true;
    }
    const token = authorization?.replace(/^Bearer /, '') ?? '';
    return this.tokens.includes(token);
  }

  private _publish(
    fields: Omit<INtfyMessage, 'id' | 'time' | 'event' | 'receivedAt'>
  ): INtfyMessage {
    const message: INtfyMessage = {
      id: Private.messageId(),
      time: Math.floor(Date.now() / 1000),
      event: 'message',
      receivedAt: Date.now(),
      ...fields
    };
    this.messages.push(message);
    for (const subscriber of this._subscribers) {
      if (subscriber.topic === message.topic) {
        subscriber.response.write(JSON.stringify(Private.wire(message)) + '\n');
      }
    }
    return message;
  }

  private _subscribe(
    topic: string,
    since: string | null,
    response: http.ServerResponse,
    cors: { [name: string]: string }
  ): void {
    response.writeHead(200, {
      ...cors,
      'Content-Type': 'application/x-ndjson; charset=utf-8'
    });
    response.write(
      JSON.stringify({
        id: Private.messageId(),
        time: Math.floor(Date.now() / 1000),
        event: 'open',
        topic
      }) + '\n'
    );
    const earlier = this.topic(topic);
    let from = earlier.length;
    if (since === 'all') {
      from = 0;
    } else if (since && /^\d+$/.test(since)) {
      from = earlier.findIndex(m => m.time >= Number(since));
      from = from < 0 ? earlier.length : from;
    } else if (since) {
      const at = earlier.findIndex(m => m.id === since);
      from = at < 0 ? 0 : at + 1;
    }
    for (const message of earlier.slice(from)) {
      response.write(JSON.stringify(Private.wire(message)) + '\n');
    }
    const subscriber = { topic, response };
    this._subscribers.push(subscriber);
    response.on('close', () => {
      this._subscribers = this._subscribers.filter(s => s !== subscriber);
    });
  }

  private _server: http.Server;
  private _sockets = new Set<Socket>();
  private _subscribers: { topic: string; response: http.ServerResponse }[] = [];
}

/**
 * The namespace for `NtfyLoopback` statics.
 */
export namespace NtfyLoopback {
  export interface IOptions {
    /** Whether sequence ids are understood (default true, as ntfy 2.16+). */
    sequenceIds?: boolean;
    /** Tokens allowed to read and write; default: anyone. */
    tokens?: string[];
    /** A fixed port (default: a free one). */
    port?: number;
  }
}

namespace Private {
  let counter = 0;

  export function messageId(): string {
    counter++;
    return `m${Date.now().toString(36)}${counter.toString(36)}`.slice(0, 12);
  }

  /** A message as subscribers and publishers see it. */
  export function wire(message: INtfyMessage): { [key: string]: unknown } {
    const { receivedAt, authorization, ...wire } = message;
    void receivedAt;
    void authorization;
    return wire;
  }

  /** The `Authorization` value a request carries (header or `auth`). */
  export function authorization(
    url: URL,
    request: http.IncomingMessage
  ): string | null {
    const header = request.headers.authorization;
    if (header) {
      return header;
    }
    const auth = url.searchParams.get('auth');
    if (!auth) {
      return null;
    }
    const base64 = auth.replace(/-/g, '+').replace(/_/g, '/');
    return Buffer.from(base64, 'base64').toString('utf8');
  }

  /** What ntfy would refuse in a JSON publish, or null. */
  export function checkJson(json: { [key: string]: any }): string | null {
    if (!json || typeof json !== 'object' || typeof json.topic !== 'string') {
      return 'topic missing';
    }
    if (!TOPIC.test(json.topic)) {
      return 'invalid topic';
    }
    if (
      typeof json.message === 'string' &&
      Buffer.byteLength(json.message) > MAX_MESSAGE_BYTES
    ) {
      return 'message too large';
    }
    if (
      json.priority !== undefined &&
      ![1, 2, 3, 4, 5].includes(json.priority)
    ) {
      return 'invalid priority';
    }
    if (
      json.sequence_id !== undefined &&
      (typeof json.sequence_id !== 'string' || !TOPIC.test(json.sequence_id))
    ) {
      return 'invalid sequence id';
    }
    if (json.actions !== undefined) {
      if (!Array.isArray(json.actions) || json.actions.length > 3) {
        return 'too many actions';
      }
      for (const action of json.actions) {
        if (
          !['view', 'broadcast', 'http'].includes(action?.action) ||
          typeof action.label !== 'string' ||
          !action.label
        ) {
          return 'invalid action';
        }
        if (
          action.action !== 'broadcast' &&
          !/^https?:\/\//.test(String(action.url ?? ''))
        ) {
          return 'invalid action url';
        }
        if (
          action.action === 'http' &&
          action.method !== undefined &&
          !['GET', 'POST', 'PUT'].includes(action.method)
        ) {
          return 'invalid action method';
        }
      }
    }
    return null;
  }
}
