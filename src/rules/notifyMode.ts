/**
 * When a notebook, a cell or the global default asks to be told about runs.
 *
 * - `default`: when the run took at least the threshold;
 * - `always`: whatever the duration;
 * - `on-error`: only when it fails;
 * - `never`: not at all;
 * - `still-running`: as `default`, and once more when the run is still
 *   going after the "still running" delay.
 */
export type NotifyMode =
  'default' | 'always' | 'on-error' | 'never' | 'still-running';

/**
 * Every mode, in the order menus show them.
 */
export const NOTIFY_MODES: readonly NotifyMode[] = [
  'default',
  'always',
  'on-error',
  'still-running',
  'never'
];

/**
 * Whether a value is one of the modes.
 */
export function isNotifyMode(value: unknown): value is NotifyMode {
  return (NOTIFY_MODES as readonly unknown[]).includes(value);
}

/**
 * The mode stored under `mode` in a cell's or notebook's `lmk` metadata;
 * `null` when none is set (the level above decides) or it is malformed.
 */
export function readMode(lmkMetadata: unknown): NotifyMode | null {
  if (!lmkMetadata || typeof lmkMetadata !== 'object') {
    return null;
  }
  const mode = (lmkMetadata as { mode?: unknown }).mode;
  return isNotifyMode(mode) ? mode : null;
}

/**
 * The `lmk` metadata with `mode` set, or removed when `mode` is `null`;
 * other keys (report values, title prefix) are kept. Returns `null` when
 * nothing is left, so the key can be deleted from the notebook.
 */
export function withMode(
  lmkMetadata: unknown,
  mode: NotifyMode | null
): { [key: string]: unknown } | null {
  const next: { [key: string]: unknown } =
    lmkMetadata && typeof lmkMetadata === 'object'
      ? { ...(lmkMetadata as { [key: string]: unknown }) }
      : {};
  if (mode) {
    next.mode = mode;
  } else {
    delete next.mode;
  }
  return Object.keys(next).length ? next : null;
}
