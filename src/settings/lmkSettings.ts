import type { TranslationBundle } from '@jupyterlab/translation';
import type { IChannelConfig } from '../tokens';

/**
 * The settings of `jupyterlab-lmk:plugin`, checked and with defaults filled in.
 */
export interface ILmkSettings {
  /** Runs shorter than this many seconds are not reported. */
  threshold: number;
  /** Configured channels, in order. */
  channels: IChannelConfig[];
}

/**
 * The embedded default: in-lab toast and desktop notification, nothing
 * leaves the browser.
 */
export const DEFAULT_SETTINGS: ILmkSettings = {
  threshold: 30,
  channels: [
    { id: 'lab', type: 'toast', enabled: true },
    { id: 'desktop', type: 'desktop', enabled: true }
  ]
};

/**
 * Read settings defensively: whatever is malformed is replaced by its
 * default or left out, and named in `problems` so the user can be told.
 */
export function readSettings(
  raw: { [key: string]: unknown },
  trans: TranslationBundle
): { settings: ILmkSettings; problems: string[] } {
  const problems: string[] = [];

  let threshold = DEFAULT_SETTINGS.threshold;
  if (raw.threshold !== undefined) {
    if (
      typeof raw.threshold === 'number' &&
      Number.isFinite(raw.threshold) &&
      raw.threshold >= 0
    ) {
      threshold = raw.threshold;
    } else {
      problems.push(
        trans.__(
          '"threshold" must be a number of seconds, 0 or more; using %1.',
          DEFAULT_SETTINGS.threshold
        )
      );
    }
  }

  let channels = DEFAULT_SETTINGS.channels.map(c => ({ ...c }));
  if (raw.channels !== undefined) {
    if (!Array.isArray(raw.channels)) {
      problems.push(
        trans.__('"channels" must be a list; using the default channels.')
      );
    } else {
      const seen = new Set<string>();
      channels = [];
      raw.channels.forEach((item: unknown, position: number) => {
        const channel = item as Partial<IChannelConfig> | null;
        if (
          !channel ||
          typeof channel !== 'object' ||
          typeof channel.id !== 'string' ||
          !channel.id ||
          typeof channel.type !== 'string' ||
          !channel.type ||
          typeof channel.enabled !== 'boolean'
        ) {
          problems.push(
            trans.__(
              'Channel %1 needs a non-empty "id" and "type" and a true/false "enabled"; it is ignored.',
              position + 1
            )
          );
          return;
        }
        if (seen.has(channel.id)) {
          problems.push(
            trans.__(
              'Channel id "%1" is used twice; only the first one is kept.',
              channel.id
            )
          );
          return;
        }
        seen.add(channel.id);
        channels.push({ ...(channel as IChannelConfig) });
      });
    }
  }

  return { settings: { threshold, channels }, problems };
}
