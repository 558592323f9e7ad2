import { LIVE_VERBS, type LiveVerb } from './phoneCommands';

/**
 * Random bytes: the browser's (and Node's) cryptographic generator.
 */
export type RandomBytes = (length: number) => Uint8Array;

/**
 * Cryptographically random bytes from `crypto.getRandomValues`.
 */
export const cryptoRandom: RandomBytes = length =>
  crypto.getRandomValues(new Uint8Array(length));

/**
 * A random token of `bytes` bytes in base64url (no padding): letters,
 * digits, `-` and `_`, which ntfy accepts in a topic name.
 */
export function randomToken(
  bytes: number,
  random: RandomBytes = cryptoRandom
): string {
  let binary = '';
  for (const byte of random(bytes)) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary)
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Random bytes in a control topic's name: 144 bits (at least 128 asked). */
export const CONTROL_TOPIC_BYTES = 18;
/** Random bytes in a nonce: 128 bits. */
export const NONCE_BYTES = 16;

/**
 * A new ntfy control topic name for one run: `lmk_` and 144 random bits,
 * never reused.
 */
export function controlTopicName(random: RandomBytes = cryptoRandom): string {
  return `lmk_${randomToken(CONTROL_TOPIC_BYTES, random)}`;
}

/**
 * The one-use nonces of one shared run, one per verb. A nonce is good for
 * its verb and its run only, and only once: using it spends it.
 */
export class CommandNonces {
  constructor(random: RandomBytes = cryptoRandom) {
    for (const verb of LIVE_VERBS) {
      this._nonces.set(verb, randomToken(NONCE_BYTES, random));
    }
  }

  /** The nonce of a verb (what its action button carries). */
  nonce(verb: LiveVerb): string {
    return this._nonces.get(verb)!;
  }

  /** Whether the verb's nonce was spent. */
  isUsed(verb: LiveVerb): boolean {
    return this._used.has(verb);
  }

  /**
   * Check a nonce for a verb, in time independent of where it differs.
   */
  check(verb: LiveVerb, nonce: string): 'ok' | 'bad' | 'used' {
    if (!sameSecret(this._nonces.get(verb) ?? '', nonce)) {
      return 'bad';
    }
    return this._used.has(verb) ? 'used' : 'ok';
  }

  /** Spend the verb's nonce. */
  use(verb: LiveVerb): void {
    this._used.add(verb);
  }

  private _nonces = new Map<LiveVerb, string>();
  private _used = new Set<LiveVerb>();
}

/**
 * Compare two secrets without an early exit at the first difference, so
 * the time taken does not tell how much of a guess was right.
 */
export function sameSecret(expected: string, given: string): boolean {
  let diff = expected.length ^ given.length;
  for (let i = 0; i < expected.length; i++) {
    diff |= expected.charCodeAt(i) ^ given.charCodeAt(i % (given.length || 1));
  }
  return diff === 0 && expected.length > 0;
}
