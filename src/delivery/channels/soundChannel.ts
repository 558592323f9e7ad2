import type { TranslationBundle } from '@jupyterlab/translation';
import type {
  IChannelConfig,
  IChannelType,
  IDeliveryResult,
  ILmkEvent,
  ILmkNotification
} from '../../tokens';
import type { IChannelDescription } from './channelDescription';

/**
 * One note of a chime: frequency (Hz), start and length (seconds).
 */
export interface INote {
  frequency: number;
  start: number;
  length: number;
}

/**
 * The chimes: rising for success, falling and lower for failure, a double
 * beep for anything that waits on you. Made with the Web Audio API; no audio
 * file is downloaded.
 */
export const CHIMES: { [kind in SoundKind]: readonly INote[] } = {
  success: [
    { frequency: 660, start: 0, length: 0.12 },
    { frequency: 880, start: 0.13, length: 0.18 }
  ],
  failure: [
    { frequency: 440, start: 0, length: 0.15 },
    { frequency: 294, start: 0.16, length: 0.3 }
  ],
  attention: [
    { frequency: 740, start: 0, length: 0.09 },
    { frequency: 740, start: 0.15, length: 0.09 }
  ]
};

/**
 * Which chime an event plays.
 */
export type SoundKind = 'success' | 'failure' | 'attention';

/**
 * The chime of an event.
 */
export function soundKind(event: ILmkEvent): SoundKind {
  switch (event.event) {
    case 'run.finished':
    case 'manual':
      return 'success';
    case 'run.failed':
    case 'kernel.died':
      return 'failure';
    default:
      return 'attention';
  }
}

/**
 * A short sound in the lab's tab. Browsers only let a page play sound after
 * the user has interacted with it; before that the delivery is skipped and
 * says why.
 */
export class SoundChannel implements IChannelType {
  readonly type = 'sound';

  constructor(options: SoundChannel.IOptions) {
    this._trans = options.trans;
  }

  async send(
    notification: ILmkNotification,
    config: IChannelConfig
  ): Promise<IDeliveryResult> {
    const AudioContextType =
      typeof window === 'undefined' ? undefined : window.AudioContext;
    if (!AudioContextType) {
      return {
        channelId: config.id,
        status: 'skipped',
        detail: this._trans.__('This browser cannot play sounds.')
      };
    }
    this._context = this._context ?? new AudioContextType();
    const context = this._context;
    if (context.state === 'suspended') {
      await context.resume().catch(() => undefined);
    }
    if (context.state !== 'running') {
      return {
        channelId: config.id,
        status: 'skipped',
        detail: this._trans.__(
          'The browser blocks sound until you click in the lab once.'
        )
      };
    }
    const volume = clampVolume(config.volume);
    playNotes(context, CHIMES[soundKind(notification.event)], volume);
    return { channelId: config.id, status: 'sent' };
  }

  private _trans: TranslationBundle;
  private _context: AudioContext | null = null;
}

/**
 * The namespace for `SoundChannel` statics.
 */
export namespace SoundChannel {
  /**
   * Options to create a sound channel.
   */
  export interface IOptions {
    trans: TranslationBundle;
  }
}

/**
 * The sound channel in the sidebar's channel form.
 */
export const soundDescription: IChannelDescription = {
  type: 'sound',
  label: trans => trans.__('Sound'),
  fields: trans => [
    {
      name: 'volume',
      label: trans.__('Volume (0 to 1)'),
      kind: 'number',
      defaultValue: 0.3
    }
  ],
  validate: (config, trans) => {
    const volume = config.volume;
    const problems: { [field: string]: string } = {};
    if (
      volume !== undefined &&
      !(typeof volume === 'number' && volume >= 0 && volume <= 1)
    ) {
      problems.volume = trans.__('The volume must be a number from 0 to 1.');
    }
    return problems;
  },
  summary: config => `${Math.round(clampVolume(config.volume) * 100)} %`
};

/**
 * Schedule the notes on a context: sine tones with short fades, so they
 * do not click.
 */
export function playNotes(
  context: BaseAudioContext,
  notes: readonly INote[],
  volume: number
): void {
  const start = context.currentTime + 0.01;
  for (const note of notes) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = note.frequency;
    const begin = start + note.start;
    const end = begin + note.length;
    gain.gain.setValueAtTime(0, begin);
    gain.gain.linearRampToValueAtTime(volume, begin + 0.01);
    gain.gain.linearRampToValueAtTime(0, end);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(begin);
    oscillator.stop(end + 0.02);
  }
}

function clampVolume(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value)
    ? Math.min(1, Math.max(0, value))
    : 0.3;
}
