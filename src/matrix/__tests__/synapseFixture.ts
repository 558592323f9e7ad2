/// <reference types="node" />
/**
 * A real Synapse homeserver for one jest test file: started in `beforeAll`
 * on a free loopback port with a temporary data directory, stopped in
 * `afterAll`. Needs the Synapse venv (`make .make/synapse`).
 */
import { spawn, type ChildProcess } from 'child_process';
import { createHmac } from 'crypto';
import { existsSync } from 'fs';
import { createServer } from 'net';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PYTHON = path.join(ROOT, '.venv-synapse', 'bin', 'python');
const SCRIPT = path.join(ROOT, 'testing', 'synapse', 'run_synapse.py');

/** Node's own fetch, even when a test puts a browser-like one in its place. */
const nodeFetch = globalThis.fetch;

/** The shared secret of the test homeserver (run_synapse.py's default). */
export const SHARED_SECRET = 'lmk-test-registration-secret';

/** Server name of the test homeserver: user ids are `@name:localhost`. */
export const SERVER_NAME = 'localhost';

/**
 * A user registered on the test homeserver, with an access token.
 */
export interface ISynapseUser {
  userId: string;
  accessToken: string;
  deviceId: string;
}

/**
 * A running test homeserver.
 */
export interface ISynapse {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  baseUrl: string;
  /** Register a user through the shared-secret admin API. */
  registerUser(
    name: string,
    password: string,
    admin?: boolean
  ): Promise<ISynapseUser>;
  /** Create a room as `user`; returns its id. */
  createRoom(
    user: ISynapseUser,
    options?: { name?: string; alias?: string; invite?: string[] }
  ): Promise<string>;
  /** Join a room (after an invite, or a public one). */
  join(user: ISynapseUser, roomIdOrAlias: string): Promise<string>;
  /** The room's `m.room.message` events, oldest first, read by `user`. */
  messages(user: ISynapseUser, roomId: string): Promise<IRoomMessage[]>;
  /** Any client-server API call, as `user` (JSON in, JSON out). */
  call(
    user: ISynapseUser | null,
    method: string,
    apiPath: string,
    body?: unknown
  ): Promise<{ status: number; json: any }>;
  stop(): Promise<void>;
}

/**
 * One message read back from a room.
 */
export interface IRoomMessage {
  eventId: string;
  sender: string;
  content: { [key: string]: any };
}

/**
 * Start Synapse for the tests of this file and stop it after them. Call at
 * the top of a test file; the returned function gives the running server.
 */
export function useSynapse(): () => ISynapse {
  let synapse: ISynapse | null = null;
  beforeAll(async () => {
    synapse = await startSynapse();
  }, 90_000);
  afterAll(async () => {
    await synapse?.stop();
  }, 30_000);
  return () => {
    if (!synapse) {
      throw new Error('Synapse is not running');
    }
    return synapse;
  };
}

/**
 * Start a homeserver and wait until it answers.
 */
export async function startSynapse(): Promise<ISynapse> {
  if (!existsSync(PYTHON)) {
    throw new Error(
      'The Synapse venv is missing: run `make .make/synapse` first.'
    );
  }
  const port = await freePort();
  const child = spawn(PYTHON, [SCRIPT, '--port', String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe']
  });
  const baseUrl = await waitForReady(child, 60_000);
  return new Synapse(baseUrl, child);
}

class Synapse implements ISynapse {
  constructor(
    readonly baseUrl: string,
    private _child: ChildProcess
  ) {}

  async call(
    user: ISynapseUser | null,
    method: string,
    apiPath: string,
    body?: unknown
  ): Promise<{ status: number; json: any }> {
    const headers: { [name: string]: string } = {};
    if (user) {
      headers['Authorization'] = `Bearer ${user.accessToken}`;
    }
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const response = await nodeFetch(this.baseUrl + apiPath, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : null };
  }

  async registerUser(
    name: string,
    password: string,
    admin = false
  ): Promise<ISynapseUser> {
    const endpoint = '/_synapse/admin/v1/register';
    const { json: nonceAnswer } = await this.call(null, 'GET', endpoint);
    const nonce: string = nonceAnswer.nonce;
    // The documented MAC: HMAC-SHA1 over nonce, user, password and admin
    // flag separated by NUL bytes, keyed with the shared secret.
    const mac = createHmac('sha1', SHARED_SECRET)
      .update(
        [nonce, name, password, admin ? 'admin' : 'notadmin'].join('\x00')
      )
      .digest('hex');
    const { status, json } = await this.call(null, 'POST', endpoint, {
      nonce,
      username: name,
      password,
      admin,
      mac
    });
    if (status !== 200) {
      throw new Error(`register ${name}: ${status} ${JSON.stringify(json)}`);
    }
    return {
      userId: json.user_id,
      accessToken: json.access_token,
      deviceId: json.device_id
    };
  }

  async createRoom(
    user: ISynapseUser,
    options: { name?: string; alias?: string; invite?: string[] } = {}
  ): Promise<string> {
    const { status, json } = await this.call(
      user,
      'POST',
      '/_matrix/client/v3/createRoom',
      {
        preset: 'private_chat',
        ...(options.name ? { name: options.name } : {}),
        ...(options.alias ? { room_alias_name: options.alias } : {}),
        ...(options.invite ? { invite: options.invite } : {})
      }
    );
    if (status !== 200) {
      throw new Error(`createRoom: ${status} ${JSON.stringify(json)}`);
    }
    return json.room_id;
  }

  async join(user: ISynapseUser, roomIdOrAlias: string): Promise<string> {
    const { status, json } = await this.call(
      user,
      'POST',
      `/_matrix/client/v3/join/${encodeURIComponent(roomIdOrAlias)}`,
      {}
    );
    if (status !== 200) {
      throw new Error(`join: ${status} ${JSON.stringify(json)}`);
    }
    return json.room_id;
  }

  async messages(user: ISynapseUser, roomId: string): Promise<IRoomMessage[]> {
    const { status, json } = await this.call(
      user,
      'GET',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=100`
    );
    if (status !== 200) {
      throw new Error(`messages: ${status} ${JSON.stringify(json)}`);
    }
    return (json.chunk as any[])
      .filter(event => event.type === 'm.room.message')
      .reverse()
      .map(event => ({
        eventId: event.event_id,
        sender: event.sender,
        content: event.content
      }));
  }

  async stop(): Promise<void> {
    const child = this._child;
    if (child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>(resolve => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * A loopback port nobody listens on right now.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Resolve with the base URL when run_synapse.py prints its ready line;
 * reject with its log if it exits or takes too long.
 */
function waitForReady(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const fail = (why: string) => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(new Error(`${why}\n${stderr.slice(-4000)}`));
    };
    const timer = setTimeout(
      () => fail(`Synapse did not start within ${timeoutMs / 1000} s`),
      timeoutMs
    );
    child.stderr!.on('data', chunk => {
      stderr = (stderr + String(chunk)).slice(-8000);
    });
    child.stdout!.on('data', chunk => {
      stdout += String(chunk);
      const match = /SYNAPSE READY (\S+)/.exec(stdout);
      if (match && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve(match[1].replace(/\/+$/, ''));
      }
    });
    child.once('exit', code => fail(`Synapse exited (${code})`));
  });
}
