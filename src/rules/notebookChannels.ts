import { isDefaultChannel } from '../settings/lmkSettings';
import type { IChannelConfig } from '../tokens';

/**
 * The channel ids a notebook chose (`lmk.channels` in its metadata), or
 * `null` when it did not choose (the default channels apply). Only ids
 * are stored in a notebook, never a channel's settings or secrets.
 */
export function readNotebookChannels(lmkMetadata: unknown): string[] | null {
  if (!lmkMetadata || typeof lmkMetadata !== 'object') {
    return null;
  }
  const channels = (lmkMetadata as { channels?: unknown }).channels;
  return Array.isArray(channels) && channels.every(id => typeof id === 'string')
    ? [...channels]
    : null;
}

/**
 * The `lmk` metadata with `channels` set, or removed when `ids` is `null`;
 * other keys are kept. Returns `null` when nothing is left.
 */
export function withNotebookChannels(
  lmkMetadata: unknown,
  ids: readonly string[] | null
): { [key: string]: unknown } | null {
  const next: { [key: string]: unknown } =
    lmkMetadata && typeof lmkMetadata === 'object'
      ? { ...(lmkMetadata as { [key: string]: unknown }) }
      : {};
  if (ids) {
    next.channels = [...ids];
  } else {
    delete next.channels;
  }
  return Object.keys(next).length ? next : null;
}

/**
 * The channels a notebook's notifications go to: those it chose that are
 * enabled (an id no longer configured is kept, so the history says it is
 * gone), else the default channels.
 */
export function channelsForNotebook(
  configured: readonly IChannelConfig[],
  chosen: readonly string[] | null
): string[] {
  if (!chosen) {
    return configured.filter(isDefaultChannel).map(config => config.id);
  }
  return chosen.filter(id => {
    const config = configured.find(c => c.id === id);
    return !config || config.enabled;
  });
}
