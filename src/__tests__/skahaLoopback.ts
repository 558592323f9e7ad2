/**
 * A loopback stand-in for the Skaha session API of the CANFAR Science
 * Platform (which cannot run here), for jest and Galata. It implements the
 * documented subset the lab uses, with sessions in memory, and checks the
 * wire format as the service would:
 *
 * - Routes (`openapi.yaml` of opencadc/science-platform, under `/skaha/v1`):
 *   `GET /session` (`type`, `status`, `view=stats`), `GET /session/{id}`
 *   (`view=logs|events` as text/plain), `POST /session` (launch; the id as
 *   the body), `POST /session/{id}?action=renew`, `DELETE /session/{id}`,
 *   `GET /context`.
 * - `Authorization: Bearer <token>` on every request, 401 otherwise.
 * - Launch parameters from the query or a form body (cadc-rest SyncInput
 *   reads both); name `[A-Za-z0-9-]+` (`PostAction.validateName`); image
 *   required; cores/RAM/GPUs among the `/context` options; repeated `env`.
 * - Session JSON as `Session.java`, statistics as `ResourceStats.java`,
 *   limits as `context-schema.json`, notebook connect URLs as
 *   `SessionURLBuilder.java` (`.../session/notebook/<id>/lab/tree/...?token=<id>`).
 *
 * New sessions are Pending until `run()` (or `setStatus`) moves them on.
 * No jest globals here, so Galata can import it too.
 */
import * as http from 'http';
import type { AddressInfo, Socket } from 'net';

/** The path of the API base on the loopback server. */
const BASE = '/skaha/v1';

/**
 * One session as the loopback keeps it (the JSON fields of the service,
 * plus what it was launched with).
 */
export interface ILoopbackSkahaSession {
  id: string;
  name: string;
  type: string;
  image: string;
  status: string;
  startTime: string;
  expiryTime: string;
  requestedCPUCores: string;
  requestedRAM: string;
  requestedGPUCores: string;
  cpuCoresInUse: string;
  ramInUse: string;
  isFixedResources: boolean;
  cmd: string;
  args: string;
  /** `KEY=VALUE` as received. */
  env: string[];
  logs: string;
  events: string;
}

/**
 * One request received, as it came over the wire.
 */
export interface ISkahaRequest {
  method: string;
  /** Path below the API base (e.g. `/session/abc`). */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  status?: number;
}

/**
 * Options of the loopback Skaha service.
 */
export interface ISkahaLoopbackOptions {
  /** The bearer token it accepts (default `skaha-test-token`). */
  token?: string;
  /**
   * The page origin it allows (CORS), `*`, or null for none (default `*`).
   */
  corsOrigin?: string | null;
  /** `/context` as the service answers it. */
  context?: object;
  /** The user the sessions belong to (default `tester`). */
  user?: string;
  /** Session lifetime in days (renewals push the expiry to now + this). */
  lifetimeDays?: number;
}

/** The resource limits it answers by default (shape of `context-schema.json`). */
export const DEFAULT_SKAHA_CONTEXT = {
  cores: {
    default: 2,
    defaultRequest: 1,
    defaultLimit: 16,
    options: [1, 2, 4, 8, 16]
  },
  memoryGB: {
    default: 8,
    defaultRequest: 4,
    defaultLimit: 64,
    options: [1, 2, 4, 8, 16, 32, 64]
  },
  gpus: { options: [1, 2] },
  maxInteractiveSessions: 3
};

/**
 * The loopback Skaha service. Start one per test file and close it after.
 */
export class SkahaLoopback {
  /** Start on 127.0.0.1 on a free port. */
  static async start(
    options: ISkahaLoopbackOptions = {}
  ): Promise<SkahaLoopback> {
    const loopback = new SkahaLoopback(options);
    await new Promise<void>((resolve, reject) => {
      loopback._server.once('error', reject);
      loopback._server.listen(0, '127.0.0.1', () => resolve());
    });
    return loopback;
  }

  private constructor(options: ISkahaLoopbackOptions) {
    this.token = options.token ?? 'skaha-test-token';
    this.corsOrigin =
      options.corsOrigin === undefined ? '*' : options.corsOrigin;
    this.context = options.context ?? DEFAULT_SKAHA_CONTEXT;
    this.user = options.user ?? 'tester';
    this.lifetimeDays = options.lifetimeDays ?? 4;
    this._server = http.createServer((request, response) => {
      void this._handle(request, response);
    });
    this._server.on('connection', socket => {
      this._sockets.add(socket);
      socket.on('close', () => this._sockets.delete(socket));
    });
  }

  /** The accepted bearer token; change it at any time. */
  token: string;
  /** The allowed page origin (`*` for any, null for no CORS at all). */
  corsOrigin: string | null;
  /** The `/context` answer. */
  context: object;
  readonly user: string;
  readonly lifetimeDays: number;

  /** Sessions by id, in launch order. */
  readonly sessions = new Map<string, ILoopbackSkahaSession>();
  /** Every request received, preflights included. */
  readonly requests: ISkahaRequest[] = [];

  /** `http://127.0.0.1:<port>`. */
  get origin(): string {
    const address = this._server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  /** The API base to configure in the lab. */
  get url(): string {
    return this.origin + BASE;
  }

  /** The requests of one method (preflights are `OPTIONS`). */
  received(method: string): ISkahaRequest[] {
    return this.requests.filter(request => request.method === method);
  }

  /** The only request of one method; throws otherwise. */
  single(method: string): ISkahaRequest {
    const found = this.received(method);
    if (found.length !== 1) {
      throw new Error(`Expected one ${method} request, got ${found.length}`);
    }
    return found[0];
  }

  /**
   * Add `count` sessions (names `<prefix>-<n>`, kinds and statuses taken
   * in turn from the lists) and return them.
   */
  seed(
    count: number,
    options: { prefix?: string; kinds?: string[]; statuses?: string[] } = {}
  ): ILoopbackSkahaSession[] {
    const kinds = options.kinds ?? ['notebook', 'headless', 'desktop'];
    const statuses = options.statuses ?? ['Running', 'Pending', 'Succeeded'];
    const added: ILoopbackSkahaSession[] = [];
    for (let index = 0; index < count; index++) {
      const session = this._newSession({
        name: `${options.prefix ?? 'seeded'}-${index + 1}`,
        type: kinds[index % kinds.length],
        image: 'images.canfar.net/skaha/astroml:latest',
        cores: '2',
        ram: '8',
        gpus: '',
        cmd: '',
        args: '',
        env: []
      });
      session.status = statuses[index % statuses.length];
      added.push(session);
    }
    return added;
  }

  /** Set a session's status (e.g. Pending → Running). */
  setStatus(id: string, status: string): void {
    const session = this.sessions.get(id);
    if (!session) {
      throw new Error(`No loopback session ${id}`);
    }
    session.status = status;
    if (status === 'Running') {
      session.cpuCoresInUse = '0.1';
      session.ramInUse = '512Mi';
      session.events += `${new Date().toISOString()} Normal Started Started container\n`;
    }
  }

  /** Move every Pending session to Running. */
  run(): void {
    for (const session of this.sessions.values()) {
      if (session.status === 'Pending') {
        this.setStatus(session.id, 'Running');
      }
    }
  }

  /** Forget sessions and requests. */
  clear(): void {
    this.sessions.clear();
    this.requests.length = 0;
  }

  /** Stop listening and drop every open connection. */
  async close(): Promise<void> {
    for (const socket of this._sockets) {
      socket.destroy();
    }
    await new Promise<void>(resolve => this._server.close(() => resolve()));
  }

  private async _handle(
    request: http.IncomingMessage,
    response: http.ServerResponse
  ): Promise<void> {
    const body = await new Promise<string>(resolve => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      request.on('error', () => resolve(''));
    });
    const url = new URL(request.url ?? '/', this.origin);
    const method = request.method ?? 'GET';
    const record: ISkahaRequest = {
      method,
      path: url.pathname.startsWith(BASE)
        ? url.pathname.slice(BASE.length)
        : url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body
    };
    this.requests.push(record);
    response.on('error', () => undefined);
    const send = (
      status: number,
      content: string | object,
      headers: { [name: string]: string } = {}
    ) => {
      record.status = status;
      const cors: { [name: string]: string } = this.corsOrigin
        ? { 'Access-Control-Allow-Origin': this.corsOrigin }
        : {};
      const text =
        typeof content === 'string' ? content : JSON.stringify(content);
      response.writeHead(status, {
        'Content-Type':
          typeof content === 'string'
            ? 'text/plain; charset=utf-8'
            : 'application/json',
        ...cors,
        ...headers
      });
      response.end(text);
    };

    if (
      method === 'OPTIONS' &&
      request.headers['access-control-request-method']
    ) {
      if (!this.corsOrigin) {
        record.status = 405;
        response.writeHead(405, { Allow: 'GET, POST, DELETE' });
        response.end();
        return;
      }
      send(204, '', {
        'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type',
        'Access-Control-Max-Age': '600'
      });
      return;
    }
    if (method === 'HEAD') {
      send(200, '');
      return;
    }
    if (!url.pathname.startsWith(`${BASE}/`)) {
      send(404, 'Not found');
      return;
    }
    if (request.headers.authorization !== `Bearer ${this.token}`) {
      send(401, 'Unauthorized: no valid bearer token', {
        'WWW-Authenticate': 'Bearer'
      });
      return;
    }
    try {
      this._route(method, record, send);
    } catch (reason) {
      send(500, reason instanceof Error ? reason.message : String(reason));
    }
  }

  private _route(
    method: string,
    record: ISkahaRequest,
    send: (status: number, content: string | object) => void
  ): void {
    const parts = record.path
      .split('/')
      .filter(Boolean)
      .map(decodeURIComponent);
    if (parts[0] === 'context' && parts.length === 1 && method === 'GET') {
      send(200, this.context);
      return;
    }
    if (parts[0] !== 'session' || parts.length > 2) {
      send(404, 'Not found');
      return;
    }
    const params = this._parameters(record);
    if (parts.length === 1) {
      if (method === 'GET') {
        if (params.get('view') === 'stats') {
          send(200, this._stats());
          return;
        }
        const type = params.get('type');
        const status = params.get('status');
        send(
          200,
          [...this.sessions.values()]
            .filter(session => !type || session.type === type)
            .filter(session => !status || session.status === status)
            .map(session => this._json(session))
        );
        return;
      }
      if (method === 'POST') {
        const error = this._checkLaunch(params);
        if (error) {
          send(400, error);
          return;
        }
        const session = this._newSession({
          name: params.get('name')!,
          type: params.get('type') || 'headless',
          image: params.get('image')!,
          cores: params.get('cores') ?? '',
          ram: params.get('ram') ?? '',
          gpus: params.get('gpus') ?? '',
          cmd: params.get('cmd') ?? '',
          args: params.get('args') ?? '',
          env: params.getAll('env')
        });
        send(200, `${session.id}\n`);
        return;
      }
      send(405, 'Method not allowed');
      return;
    }
    const session = this.sessions.get(parts[1]);
    if (!session) {
      send(404, `session ${parts[1]} not found`);
      return;
    }
    if (method === 'GET') {
      const view = params.get('view');
      if (view === 'logs') {
        send(200, session.logs);
      } else if (view === 'events') {
        send(200, session.events);
      } else {
        send(200, this._json(session));
      }
      return;
    }
    if (method === 'POST') {
      if ((params.get('action') ?? '').toLowerCase() !== 'renew') {
        send(400, 'unrecognized action');
        return;
      }
      session.expiryTime = new Date(
        Date.now() + this.lifetimeDays * 86_400_000
      ).toISOString();
      send(200, '');
      return;
    }
    if (method === 'DELETE') {
      this.sessions.delete(session.id);
      send(200, '');
      return;
    }
    send(405, 'Method not allowed');
  }

  /** Query parameters and, for a form body, its fields (as SyncInput reads them). */
  private _parameters(record: ISkahaRequest): URLSearchParams {
    const params = new URLSearchParams(record.query);
    const type = String(record.headers['content-type'] ?? '');
    if (type.startsWith('application/x-www-form-urlencoded')) {
      new URLSearchParams(record.body).forEach((value, key) =>
        params.append(key, value)
      );
    }
    return params;
  }

  /** Why the service would refuse a launch, or null. */
  private _checkLaunch(params: URLSearchParams): string | null {
    const context = this.context as typeof DEFAULT_SKAHA_CONTEXT;
    const image = params.get('image');
    if (!image) {
      return "Missing parameter 'image'";
    }
    const name = params.get('name');
    if (!name) {
      return "Missing parameter 'name'";
    }
    if (!/^[A-Za-z0-9-]+$/.test(name)) {
      return "name can only contain alpha-numeric chars and '-'";
    }
    const choices: [string, number[] | undefined][] = [
      ['cores', context.cores?.options],
      ['ram', context.memoryGB?.options],
      ['gpus', context.gpus?.options]
    ];
    for (const [key, options] of choices) {
      const value = params.get(key);
      if (value && !(options ?? []).includes(Number(value))) {
        return `Unavailable option for '${key}': ${value}`;
      }
    }
    const type = params.get('type') || 'headless';
    const interactive = [...this.sessions.values()].filter(
      session =>
        session.type !== 'headless' &&
        ['Pending', 'Running'].includes(session.status)
    ).length;
    const max = context.maxInteractiveSessions;
    if (type !== 'headless' && max && interactive >= max) {
      return `User ${this.user} has reached the maximum of ${max} active sessions.`;
    }
    for (const env of params.getAll('env')) {
      if (!/^[^=]+=/.test(env)) {
        return `Invalid env: ${env}`;
      }
    }
    return null;
  }

  private _newSession(launch: {
    name: string;
    type: string;
    image: string;
    cores: string;
    ram: string;
    gpus: string;
    cmd: string;
    args: string;
    env: string[];
  }): ILoopbackSkahaSession {
    const id = (++this._counter).toString(36).padStart(8, 'x');
    const now = Date.now();
    const fixed = !!(launch.cores || launch.ram);
    const session: ILoopbackSkahaSession = {
      id,
      name: launch.name,
      type: launch.type,
      image: launch.image,
      status: 'Pending',
      startTime: new Date(now).toISOString(),
      expiryTime: new Date(now + this.lifetimeDays * 86_400_000).toISOString(),
      requestedCPUCores: launch.cores || '1',
      requestedRAM: `${launch.ram || '4'}G`,
      requestedGPUCores: launch.gpus || '<none>',
      cpuCoresInUse: '<none>',
      ramInUse: '<none>',
      isFixedResources: fixed,
      cmd: launch.cmd,
      args: launch.args,
      env: launch.env,
      logs: `Starting ${launch.image} for ${launch.name}\n`,
      events: `${new Date(now).toISOString()} Normal Scheduled Successfully assigned ${id}\n`
    };
    this.sessions.set(id, session);
    return session;
  }

  /** A session as `Session.java` writes it. */
  private _json(session: ILoopbackSkahaSession): object {
    const connectURL =
      session.type === 'notebook'
        ? `${this.origin}/session/notebook/${session.id}/lab/tree/arc/home/${this.user}?token=${session.id}`
        : `${this.origin}/session/${session.type}/${session.id}/`;
    return {
      id: session.id,
      userid: this.user,
      runAsUID: '1000',
      runAsGID: '1000',
      supplementalGroups: [1000],
      appid: '<none>',
      image: session.image,
      type: session.type,
      status: session.status,
      name: session.name,
      startTime: session.startTime,
      expiryTime: session.expiryTime,
      connectURL,
      requestedRAM: session.requestedRAM,
      requestedCPUCores: session.requestedCPUCores,
      requestedGPUCores: session.requestedGPUCores,
      ramInUse: session.ramInUse,
      gpuRAMInUse: '<none>',
      cpuCoresInUse: session.cpuCoresInUse,
      gpuUtilization: '<none>',
      isFixedResources: session.isFixedResources
    };
  }

  /** Platform statistics as `ResourceStats.java` writes them. */
  private _stats(): object {
    const requested = [...this.sessions.values()]
      .filter(session => session.status === 'Running')
      .reduce((sum, session) => sum + Number(session.requestedCPUCores), 0);
    return {
      cores: {
        requestedCPUCores: requested,
        cpuCoresAvailable: 960,
        maxCPUCores: { cpuCores: 32, withRam: '147Gi' }
      },
      ram: {
        requestedRAM: '1024G',
        ramAvailable: '4096G',
        maxRAM: { ram: '226Gi', withCPUCores: 32 }
      }
    };
  }

  private _server: http.Server;
  private _sockets = new Set<Socket>();
  private _counter = 0;
}
