import type { TranslationBundle } from '@jupyterlab/translation';
import { checkTopic } from '../delivery/channels/ntfyChannel';
import { configString, fetchRequest } from '../delivery/channels/webhookCommon';
import { DeliveryError } from '../delivery/deliveryError';
import { checkHttpUrl, hostOf, type IHttpRequest } from '../delivery/http';
import { ntfyAuthParam, ntfyServerBase } from '../delivery/ntfyAccount';
import { ntfyPayload } from '../messages/chatFormats';
import type { IChannelConfig, ILmkEvent } from '../tokens';
import {
  CommandNonces,
  controlTopicName,
  cryptoRandom,
  type RandomBytes
} from './commandNonces';
import {
  type CommandReading,
  LIVE_VERBS,
  type LiveVerb,
  ntfyCommandBody,
  readNtfyCommand
} from './phoneCommands';
import { liveWhere } from './liveMetadata';
import type { LiveCommandPath } from './liveStatusText';
import type {
  ILiveHandover,
  ILiveTransport,
  StatusChange
} from './liveTransport';

/**
 * Progress updates of an ntfy status: at most one a minute (ntfy.sh allows
 * 250 messages a day), and at most 100 a run.
 */
export const NTFY_UPDATE_INTERVAL_MS = 60_000;
export const NTFY_MAX_UPDATES = 100;
/** Priority of the status messages: low, no sound or vibration. */
const STATUS_PRIORITY = 2;
/** Priority of a message about a command: default. */
const ANSWER_PRIORITY = 3;
/** ntfy's default keepalive is 45 s: a silent stream for longer is dead. */
const STREAM_SILENCE_MS = 120_000;
/** Longest wait before subscribing again after a failure. */
const MAX_RETRY_MS = 30_000;

/**
 * One button of an ntfy notification (the documented JSON form of an
 * `http` action: a POST of `body` to `url` when tapped; `clear` dismisses
 * the notification).
 */
export interface INtfyHttpAction {
  action: 'http';
  label: string;
  url: string;
  method: 'POST';
  body: string;
  clear: boolean;
}

/**
 * A run's live status on ntfy: one notification, updated in place through
 * a sequence id where the server supports it (ntfy 2.16 and later; older
 * servers get only the start and the end), with "Interrupt" and "Mute"
 * buttons that post a one-use nonce to a control topic made for this run
 * (144 random bits, never reused), which the page subscribes to.
 *
 * No secret goes into a notification: the buttons carry no token, so the
 * control topic must accept anonymous messages (see docs/phone.md).
 */
export class NtfyLive implements ILiveTransport {
  readonly kind = 'ntfy';
  readonly progressIntervalMs = NTFY_UPDATE_INTERVAL_MS;
  readonly maxProgressEdits = NTFY_MAX_UPDATES;
  readonly commandPath: LiveCommandPath = { kind: 'ntfy' };

  constructor(options: NtfyLive.IOptions) {
    const { config, trans } = options;
    this._trans = trans;
    this._base = ntfyServerBase(config.server);
    this._topic = configString(config, 'topic');
    const problem =
      checkHttpUrl(this._base, trans) ?? checkTopic(this._topic, trans);
    if (problem) {
      throw new DeliveryError(
        'invalid-config',
        trans.__('The ntfy channel cannot share a live status: %1', problem)
      );
    }
    const token = configString(config, 'token');
    this._auth = token ? ntfyAuthParam(`Bearer ${token}`) : '';
    this._secrets = [token, this._auth, this._topic].filter(Boolean);
    this._run = options.shareId;
    const random = options.random ?? cryptoRandom;
    this.controlTopic = controlTopicName(random);
    this._nonces = new CommandNonces(random);
    this._sequenceId = `lmk-${options.shareId}`;
    this.where = liveWhere(config);
  }

  /** The control topic of this run (a capability: never shown). */
  readonly controlTopic: string;

  readonly where: string;

  /**
   * Whether the server updates the notification in place: known once the
   * status is out (the server echoes the sequence id it understood).
   */
  get updatesInPlace(): boolean {
    return this._inPlace;
  }

  async open(status: ILmkEvent): Promise<void> {
    const answer = await this._publish(status, {
      priority: STATUS_PRIORITY,
      sequence: true,
      buttons: true
    });
    this._inPlace = answer?.sequence_id === this._sequenceId;
  }

  async update(status: ILmkEvent, change: StatusChange): Promise<void> {
    if (this._inPlace) {
      await this._publish(status, {
        priority: STATUS_PRIORITY,
        sequence: true,
        buttons: change !== 'final'
      });
    } else if (change === 'answer') {
      await this._publish(status, {
        priority: ANSWER_PRIORITY,
        sequence: false,
        buttons: true
      });
    } else if (change === 'final') {
      await this._publish(status, {
        priority: STATUS_PRIORITY,
        sequence: false,
        buttons: false
      });
    }
    // A progress update the server cannot show in place would be a new
    // notification each time: only the start and the end go out.
  }

  async say(event: ILmkEvent): Promise<void> {
    await this._publish(event, {
      priority: ANSWER_PRIORITY,
      sequence: false,
      buttons: false
    });
  }

  listen(
    onReading: (reading: CommandReading) => void,
    onTrouble: (message: string | null) => void
  ): void {
    if (this._listening || this._closed) {
      return;
    }
    this._listening = true;
    void this._loop(onReading, onTrouble);
  }

  spend(verb: LiveVerb): void {
    this._nonces.use(verb);
  }

  close(): void {
    this._closed = true;
    this._abort.abort();
  }

  handover(): ILiveHandover {
    const nonces: { [verb in LiveVerb]?: string } = {};
    for (const verb of LIVE_VERBS) {
      if (!this._nonces.isUsed(verb)) {
        nonces[verb] = this._nonces.nonce(verb);
      }
    }
    return {
      kind: 'ntfy',
      server: this._base,
      controlTopic: this.controlTopic,
      run: this._run,
      nonces,
      since: this._lastSeen
    };
  }

  /**
   * The request that publishes a status (JSON to the server's root, the
   * token in the `auth` parameter, as the ntfy channel does).
   */
  request(
    event: ILmkEvent,
    options: { priority: number; sequence: boolean; buttons: boolean }
  ): IHttpRequest {
    const payload: { [key: string]: unknown } = {
      ...ntfyPayload(event, {
        topic: this._topic,
        priority: options.priority
      })
    };
    if (options.sequence) {
      payload.sequence_id = this._sequenceId;
    }
    if (options.buttons) {
      const actions = this._actions();
      if (actions.length) {
        payload.actions = actions;
      }
    }
    const url = new URL(this._base + '/');
    if (this._auth) {
      url.searchParams.set('auth', this._auth);
    }
    return {
      method: 'POST',
      url: url.toString(),
      headers: {},
      body: JSON.stringify(payload),
      secrets: [...this._secrets, this.controlTopic]
    };
  }

  /** The buttons of the verbs not used yet. */
  private _actions(): INtfyHttpAction[] {
    const labels: { [verb in LiveVerb]: string } = {
      interrupt: this._trans.__('Interrupt'),
      mute: this._trans.__('Mute')
    };
    return LIVE_VERBS.filter(verb => !this._nonces.isUsed(verb)).map(verb => ({
      action: 'http',
      label: labels[verb],
      url: `${this._base}/${this.controlTopic}`,
      method: 'POST',
      body: ntfyCommandBody(this._run, verb, this._nonces.nonce(verb)),
      clear: false
    }));
  }

  private async _publish(
    event: ILmkEvent,
    options: { priority: number; sequence: boolean; buttons: boolean }
  ): Promise<{ [key: string]: unknown } | null> {
    const response = await fetchRequest(this.request(event, options), {
      mode: 'cors',
      service: 'ntfy',
      trans: this._trans
    });
    try {
      return (await response.json()) as { [key: string]: unknown };
    } catch {
      return null;
    }
  }

  /**
   * Follow the control topic (`/<topic>/json`, a stream of one JSON message
   * a line) until closed; subscribe again after a failure or a silence,
   * from the last message seen.
   */
  private async _loop(
    onReading: (reading: CommandReading) => void,
    onTrouble: (message: string | null) => void
  ): Promise<void> {
    const context = {
      run: this._run,
      check: (verb: LiveVerb, nonce: string) => this._nonces.check(verb, nonce)
    };
    let retryMs = 1000;
    while (!this._closed) {
      const failure = await this._follow(
        message => {
          if (message.event !== 'message' || typeof message.id !== 'string') {
            return;
          }
          this._lastSeen = message.id;
          onReading(readNtfyCommand(message.id, message.message, context));
        },
        () => {
          retryMs = 1000;
          onTrouble(null);
        }
      );
      if (this._closed) {
        return;
      }
      if (failure) {
        onTrouble(failure);
      }
      await this._sleep(retryMs);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    }
  }

  /**
   * One subscription: resolves when it ends, with a message for the user
   * if it failed.
   */
  private async _follow(
    onMessage: (message: { [key: string]: unknown }) => void,
    onOpen: () => void
  ): Promise<string | null> {
    const trans = this._trans;
    const url = new URL(`${this._base}/${this.controlTopic}/json`);
    url.searchParams.set('since', this._lastSeen);
    if (this._auth) {
      url.searchParams.set('auth', this._auth);
    }
    const stream = new AbortController();
    const stop = () => stream.abort();
    this._abort.signal.addEventListener('abort', stop);
    let silence: ReturnType<typeof setTimeout> | undefined;
    const heard = () => {
      clearTimeout(silence);
      silence = setTimeout(stop, STREAM_SILENCE_MS);
    };
    try {
      heard();
      const response = await fetch(url.toString(), {
        method: 'GET',
        mode: 'cors',
        credentials: 'omit',
        cache: 'no-store',
        referrerPolicy: 'no-referrer',
        signal: stream.signal
      });
      if (!response.ok || !response.body) {
        return trans.__(
          'ntfy at %1 refused to let the lab follow the run’s control topic (HTTP %2): commands from the phone are not heard.',
          hostOf(this._base),
          response.status
        );
      }
      onOpen();
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          return null;
        }
        heard();
        buffer += decoder.decode(value, { stream: true });
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf('\n');
          if (!line) {
            continue;
          }
          try {
            const message = JSON.parse(line);
            if (message && typeof message === 'object') {
              onMessage(message);
            }
          } catch {
            // Not a line of ntfy's stream: skip it.
          }
        }
        // A line longer than any command is not one of ours.
        if (buffer.length > 65_536) {
          buffer = '';
        }
      }
    } catch {
      return this._closed || stream.signal.aborted
        ? null
        : trans.__(
            'ntfy at %1 could not be reached to hear commands from the phone; trying again.',
            hostOf(this._base)
          );
    } finally {
      clearTimeout(silence);
      this._abort.signal.removeEventListener('abort', stop);
    }
  }

  private _sleep(ms: number): Promise<void> {
    return new Promise(resolve => {
      const done = () => {
        clearTimeout(timer);
        this._abort.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this._abort.signal.addEventListener('abort', done);
    });
  }

  private _trans: TranslationBundle;
  private _base: string;
  private _topic: string;
  private _auth: string;
  private _secrets: string[];
  private _run: string;
  private _nonces: CommandNonces;
  private _sequenceId: string;
  private _inPlace = false;
  private _listening = false;
  private _closed = false;
  private _lastSeen = 'all';
  private _abort = new AbortController();
}

/**
 * The namespace for `NtfyLive` statics.
 */
export namespace NtfyLive {
  /**
   * Options of an ntfy live status.
   */
  export interface IOptions {
    /** The ntfy channel (with the ntfy login's token if it has none). */
    config: IChannelConfig;
    /** The share's id, unique: commands must name it. */
    shareId: string;
    trans: TranslationBundle;
    /** Random bytes (tests); the browser's cryptographic generator. */
    random?: RandomBytes;
  }
}
