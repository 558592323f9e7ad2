/**
 * The MIME type kernel code displays to send a notification (see the
 * Python helper `jupyterlab_lmk.notify`).
 */
export const NOTIFY_MIME_TYPE = 'application/vnd.jupyterlab-lmk.notify+json';

/** Longest message and title kept from a kernel's request. */
const MAX_MESSAGE = 10_000;
const MAX_TITLE = 200;

/**
 * A notification request from kernel code, checked.
 */
export interface INotifyPayload {
  /** Id given by the helper; absent when hand-written in another language. */
  id: string | null;
  message: string;
  title: string | null;
  channels: string[] | null;
  contentType: 'text/markdown' | 'text/plain';
}

/**
 * Read a payload defensively: `null` when there is no usable message.
 */
export function readNotifyPayload(data: unknown): INotifyPayload | null {
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    return null;
  }
  const given = data as { [key: string]: unknown };
  const raw: { [key: string]: unknown } = { ...given };
  for (const key of ['id', 'message', 'title', 'content_type']) {
    raw[key] = Private.unbox(given[key]);
  }
  if (typeof raw.message !== 'string' || !raw.message.trim()) {
    return null;
  }
  const channels = Array.isArray(raw.channels)
    ? raw.channels.filter((c): c is string => typeof c === 'string' && !!c)
    : null;
  return {
    id: typeof raw.id === 'string' && raw.id ? raw.id : null,
    message: Private.cut(raw.message, MAX_MESSAGE),
    title:
      typeof raw.title === 'string' && raw.title.trim()
        ? Private.cut(raw.title.trim(), MAX_TITLE)
        : null,
    channels: channels && channels.length ? channels : null,
    contentType:
      raw.content_type === 'text/plain' ? 'text/plain' : 'text/markdown'
  };
}

namespace Private {
  /**
   * R's JSON writer may send a scalar as a one-element list: `["done"]`.
   */
  export function unbox(value: unknown): unknown {
    return Array.isArray(value) &&
      value.length === 1 &&
      typeof value[0] === 'string'
      ? value[0]
      : value;
  }

  export function cut(text: string, max: number): string {
    return text.length > max ? text.slice(0, max - 1) + '…' : text;
  }
}
