import type { ILmkEvent } from '../tokens';
import { boundMarkdown, truncateText, utf8Length } from './chatMarkdown';
import { boundTraceback } from './format';

/**
 * Largest event sent to a service, in bytes of JSON (the generic webhook's
 * body; every other channel sends less); above it the long texts are cut.
 */
export const MAX_EVENT_BYTES = 64 * 1024;

/**
 * The event as it is sent and kept for a retry: unchanged unless it is too
 * big, then with its long texts cut (the shape stays a valid version 1
 * event). An error of megabytes would otherwise be stored three times
 * (message, text, evalue) and sent as it is.
 */
export function boundEvent(event: ILmkEvent): ILmkEvent {
  if (utf8Length(JSON.stringify(event)) <= MAX_EVENT_BYTES) {
    return event;
  }
  return Private.cut(event, {
    text: 16000,
    short: 500,
    evalue: 2000,
    tracebackLines: 30,
    tracebackChars: 4000,
    reportValue: 500
  });
}

/**
 * A smaller version of an event, of a few kilobytes at most, for when the
 * browser's storage has no room for the full one: the title, the start of
 * the message, the error and the end of the traceback.
 */
export function compactEvent(event: ILmkEvent): ILmkEvent {
  return Private.cut(event, {
    text: 1200,
    short: 200,
    evalue: 300,
    tracebackLines: 5,
    tracebackChars: 600,
    reportValue: 100
  });
}

namespace Private {
  /**
   * How long each kind of text may be, in characters (UTF-8 bytes for the
   * message and the text).
   */
  interface ILimits {
    text: number;
    short: number;
    evalue: number;
    tracebackLines: number;
    tracebackChars: number;
    reportValue: number;
  }

  export function cut(event: ILmkEvent, limits: ILimits): ILmkEvent {
    const short = (value: string) => truncateText(value, limits.short);
    const report = event.report
      ? Object.fromEntries(
          Object.entries(event.report)
            .slice(0, 20)
            .map(([name, value]) => [
              truncateText(name, 100),
              truncateText(String(value), limits.reportValue)
            ])
        )
      : null;
    return {
      ...event,
      title: short(event.title),
      message: boundMarkdown(event.message, limits.text, utf8Length),
      text: boundMarkdown(event.text, limits.text, utf8Length),
      notebook: event.notebook
        ? {
            path: truncateText(event.notebook.path, 2000),
            name: short(event.notebook.name),
            url: truncateText(event.notebook.url, 2000)
          }
        : null,
      error: event.error
        ? {
            ename: short(event.error.ename),
            evalue: truncateText(event.error.evalue, limits.evalue),
            traceback: boundTraceback(
              event.error.traceback,
              limits.tracebackLines,
              limits.tracebackChars
            )
          }
        : null,
      kernel: event.kernel
        ? { id: short(event.kernel.id), name: short(event.kernel.name) }
        : null,
      report
    };
  }
}
