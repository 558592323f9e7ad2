import { hostOf } from '../delivery/http';
import type { IChannelConfig } from '../tokens';

/** The channel types a run can be shared live through. */
export const LIVE_CHANNEL_TYPES: readonly string[] = ['matrix', 'ntfy'];

/**
 * The channel through which every run of a notebook is shared live
 * (`lmk.live` in its metadata: a channel id), or null. Only the id is
 * stored in the notebook, never the channel's settings or secrets.
 */
export function readLiveChannel(lmkMetadata: unknown): string | null {
  if (!lmkMetadata || typeof lmkMetadata !== 'object') {
    return null;
  }
  const live = (lmkMetadata as { live?: unknown }).live;
  return typeof live === 'string' && live.trim() ? live.trim() : null;
}

/**
 * The `lmk` metadata with `live` set to a channel id, or removed for
 * `null`; other keys are kept. Returns `null` when nothing is left.
 */
export function withLiveChannel(
  lmkMetadata: unknown,
  channelId: string | null
): { [key: string]: unknown } | null {
  const next: { [key: string]: unknown } =
    lmkMetadata && typeof lmkMetadata === 'object'
      ? { ...(lmkMetadata as { [key: string]: unknown }) }
      : {};
  if (channelId) {
    next.live = channelId;
  } else {
    delete next.live;
  }
  return Object.keys(next).length ? next : null;
}

/**
 * The configured channels a run can be shared through: Matrix rooms and
 * ntfy topics (also those switched off for notifications).
 */
export function liveChannels(
  channels: readonly IChannelConfig[]
): IChannelConfig[] {
  return channels.filter(config => LIVE_CHANNEL_TYPES.includes(config.type));
}

/**
 * Where a channel posts a live status, for people: a Matrix room's name
 * (else its id or alias), or an ntfy server and the start of its topic
 * (on a public server the topic works like a password).
 */
export function liveWhere(config: IChannelConfig): string {
  if (config.type === 'ntfy') {
    const server =
      typeof config.server === 'string' && config.server.trim()
        ? config.server.trim()
        : 'https://ntfy.sh';
    const topic = typeof config.topic === 'string' ? config.topic : '';
    return `${hostOf(server)} · ${topic.slice(0, 3)}…`;
  }
  if (typeof config.roomName === 'string' && config.roomName.trim()) {
    return config.roomName.trim();
  }
  return typeof config.roomId === 'string' ? config.roomId : config.id;
}
