/**
 * A client of the Skaha session API of the CANFAR Science Platform.
 *
 * Sources followed:
 * - Routes and parameters: the skaha service's `openapi.yaml`
 *   (opencadc/science-platform `skaha/src/main/webapp/openapi.yaml`):
 *   `GET /v1/session` (`type`, `status`, `view=stats`),
 *   `GET /v1/session/{id}` (`view=logs`, `view=events`, text/plain),
 *   `POST /v1/session` (launch; the answer's body is the new id),
 *   `POST /v1/session/{id}?action=renew`, `DELETE /v1/session/{id}`,
 *   `GET /v1/context`. Authentication: "a bearer token in the
 *   Authorization header".
 * - Base URL `<server>/<version>` (e.g. `https://ws-uv.canfar.net/skaha/v1`)
 *   and one request per replica: the Python client (opencadc/canfar
 *   `canfar/client.py`, `canfar/sessions.py`).
 * - Launch parameters go in a form body (`application/x-www-form-urlencoded`):
 *   the service reads its parameters from the query or a form body alike
 *   (cadc-rest `SyncInput`); a body keeps them out of proxies' URL logs.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { DeliveryError } from '../../delivery/deliveryError';
import { checkHttpUrl, fetchService, hostOf } from '../../delivery/http';
import type { ISkahaCreateSpec } from './createRequest';
import { replicaBodies } from './createRequest';
import type { ISkahaLimits, ISkahaSession, ISkahaStats } from './skahaSession';
import {
  parseLimits,
  parseSession,
  parseSessions,
  parseStats
} from './skahaSession';

/** Name of the service in messages. */
const SERVICE = 'Skaha';

/** Launch requests in flight at once for replicas. */
const CREATE_CONCURRENCY = 8;

/**
 * The outcome of launching one or more replicas: the ids the service gave,
 * in replica order, and a message per replica it refused.
 */
export interface ISkahaCreateResult {
  ids: string[];
  failures: { name: string; message: string }[];
}

/**
 * The outcome of deleting several sessions.
 */
export interface ISkahaDeleteResult {
  deleted: string[];
  failures: { id: string; message: string }[];
}

/**
 * Talks to one Skaha service with one bearer token. Every failure is a
 * `DeliveryError` whose message says what to do and never holds the token.
 */
export class SkahaClient {
  constructor(options: SkahaClient.IOptions) {
    this._base = options.url.trim().replace(/\/+$/, '');
    this._token = options.token;
    this._trans = options.trans;
    this._timeoutMs = options.timeoutMs;
  }

  /** The sessions of the user, optionally of one kind and/or status. */
  async list(
    filter: { kind?: string; status?: string } = {}
  ): Promise<ISkahaSession[]> {
    const query = new URLSearchParams();
    if (filter.kind) {
      query.set('type', filter.kind);
    }
    if (filter.status) {
      query.set('status', filter.status);
    }
    return parseSessions(await this._json('GET', 'session', query));
  }

  /** One session. */
  async info(id: string): Promise<ISkahaSession> {
    const session = parseSession(
      await this._json('GET', `session/${encodeURIComponent(id)}`)
    );
    if (!session) {
      throw new DeliveryError(
        'server',
        this._trans.__(
          '%1 at %2 answered without a session.',
          SERVICE,
          hostOf(this._base)
        )
      );
    }
    return session;
  }

  /** The container logs of a session (text). */
  async logs(id: string): Promise<string> {
    return this._text(id, 'logs');
  }

  /** The scheduling events of a session (text). */
  async events(id: string): Promise<string> {
    return this._text(id, 'events');
  }

  /** Platform-wide figures. */
  async stats(): Promise<ISkahaStats> {
    return parseStats(
      await this._json('GET', 'session', new URLSearchParams({ view: 'stats' }))
    );
  }

  /** The cores, RAM and GPUs a user may ask for. */
  async limits(): Promise<ISkahaLimits> {
    return parseLimits(await this._json('GET', 'context'));
  }

  /**
   * Launch a checked request: one `POST` per replica (a few at a time).
   * Refused replicas are reported, not thrown, so that the launched ones
   * are not forgotten; it throws only when none was launched.
   */
  async create(spec: ISkahaCreateSpec): Promise<ISkahaCreateResult> {
    const bodies = replicaBodies(spec);
    const ids: (string | null)[] = bodies.map(() => null);
    const failures: { name: string; message: string; index: number }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < bodies.length) {
        const index = next++;
        const body = bodies[index];
        try {
          const response = await this._request('POST', 'session', null, body);
          ids[index] = (await response.text()).trim();
        } catch (reason) {
          failures.push({
            index,
            name: body.get('name') ?? '',
            message: Private.message(reason)
          });
        }
      }
    };
    await Promise.all(
      Array.from(
        { length: Math.min(CREATE_CONCURRENCY, bodies.length) },
        worker
      )
    );
    failures.sort((a, b) => a.index - b.index);
    const launched = ids.filter((id): id is string => !!id);
    if (launched.length === 0 && failures.length > 0) {
      throw new DeliveryError(
        'rejected',
        bodies.length === 1
          ? failures[0].message
          : this._trans.__('No session was launched: %1', failures[0].message)
      );
    }
    return {
      ids: launched,
      failures: failures.map(({ name, message }) => ({ name, message }))
    };
  }

  /** Delete a session. */
  async remove(id: string): Promise<void> {
    await this._request('DELETE', `session/${encodeURIComponent(id)}`);
  }

  /** Delete several sessions, one request each, reporting each failure. */
  async removeMany(ids: readonly string[]): Promise<ISkahaDeleteResult> {
    const result: ISkahaDeleteResult = { deleted: [], failures: [] };
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++];
        try {
          await this.remove(id);
          result.deleted.push(id);
        } catch (reason) {
          result.failures.push({ id, message: Private.message(reason) });
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(CREATE_CONCURRENCY, ids.length) }, worker)
    );
    return result;
  }

  /** Push a session's expiry time back by the platform's session lifetime. */
  async renew(id: string): Promise<void> {
    await this._request(
      'POST',
      `session/${encodeURIComponent(id)}`,
      new URLSearchParams({ action: 'renew' })
    );
  }

  private async _text(id: string, view: 'logs' | 'events'): Promise<string> {
    const response = await this._request(
      'GET',
      `session/${encodeURIComponent(id)}`,
      new URLSearchParams({ view })
    );
    return response.text();
  }

  private async _json(
    method: string,
    path: string,
    query?: URLSearchParams
  ): Promise<unknown> {
    const response = await this._request(method, path, query);
    try {
      return await response.json();
    } catch {
      throw new DeliveryError(
        'server',
        this._trans.__(
          '%1 at %2 did not answer with JSON: is the address the API base (for example https://ws-uv.canfar.net/skaha/v1)?',
          SERVICE,
          hostOf(this._base)
        )
      );
    }
  }

  private async _request(
    method: string,
    path: string,
    query?: URLSearchParams | null,
    body?: URLSearchParams
  ): Promise<Response> {
    const trans = this._trans;
    const invalid = checkHttpUrl(this._base, trans);
    if (invalid) {
      throw new DeliveryError('invalid-config', invalid);
    }
    if (!this._token) {
      throw new DeliveryError(
        'invalid-config',
        trans.__(
          '%1 needs a token: get one from the platform and edit this server.',
          SERVICE
        )
      );
    }
    const search = query && query.toString() ? `?${query}` : '';
    const url = `${this._base}/${path}${search}`;
    const headers: { [name: string]: string } = {
      Authorization: `Bearer ${this._token}`
    };
    if (body) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    }
    try {
      return await fetchService({
        url,
        init: {
          method,
          headers,
          body: body?.toString(),
          mode: 'cors',
          credentials: 'omit',
          referrerPolicy: 'no-referrer'
        },
        service: SERVICE,
        trans,
        timeoutMs: this._timeoutMs,
        secrets: [this._token]
      });
    } catch (reason) {
      throw Private.explain(reason, this._base, trans);
    }
  }

  private _base: string;
  private _token: string;
  private _trans: TranslationBundle;
  private _timeoutMs: number | undefined;
}

/**
 * The namespace for `SkahaClient` statics.
 */
export namespace SkahaClient {
  /**
   * Options of a Skaha client.
   */
  export interface IOptions {
    /** The API base, e.g. `https://ws-uv.canfar.net/skaha/v1`. */
    url: string;
    /** The platform's bearer token (secret). */
    token: string;
    trans: TranslationBundle;
    /** Per request (default that of `fetchService`). */
    timeoutMs?: number;
  }
}

namespace Private {
  /** A failure's message for the user. */
  export function message(reason: unknown): string {
    return reason instanceof Error ? reason.message : String(reason);
  }

  /**
   * Reword the generic delivery messages for a session API: what went
   * wrong with the platform and what to do about it.
   */
  export function explain(
    reason: unknown,
    base: string,
    trans: TranslationBundle
  ): unknown {
    if (!(reason instanceof DeliveryError)) {
      return reason;
    }
    const host = hostOf(base);
    const origin = typeof location === 'undefined' ? '' : location.origin;
    const options = { status: reason.status ?? undefined };
    switch (reason.kind) {
      case 'cors':
        return new DeliveryError(
          'cors',
          trans.__(
            "%1 at %2 does not allow requests from this lab (CORS): it must allow the origin %3, the methods GET, POST and DELETE, and the Authorization header. Ask the platform to allow it, or use the platform's own web page.",
            SERVICE,
            host,
            origin
          )
        );
      case 'unauthorized':
        return new DeliveryError(
          'unauthorized',
          trans.__(
            '%1 at %2 refused the token (401): it is wrong or has expired. Get a new token from the platform and edit this server.',
            SERVICE,
            host
          ),
          options
        );
      case 'not-found':
        return new DeliveryError(
          'not-found',
          trans.__(
            '%1 at %2 found nothing there (404): the session may be gone, or the address is not the API base (for example https://ws-uv.canfar.net/skaha/v1).',
            SERVICE,
            host
          ) + Private.quoted(reason.message, trans),
          options
        );
      case 'rejected':
        return new DeliveryError(
          'rejected',
          trans.__(
            '%1 refused the request (%2).',
            SERVICE,
            reason.status ?? ''
          ) + Private.quoted(reason.message, trans),
          options
        );
      default:
        return reason;
    }
  }

  /** The " It said: …" part of a delivery message, if any. */
  export function quoted(message: string, trans: TranslationBundle): string {
    const marker = trans.__('It said: %1', '');
    const at = message.indexOf(marker);
    return at >= 0 ? ` ${message.slice(at)}` : '';
  }
}
