import type { TranslationBundle } from '@jupyterlab/translation';

/**
 * One change the sidebar makes to the settings document, worked out on the
 * document as it is in the file (not as the extension read it): only the
 * key, entry and fields edited change; entries the extension ignores
 * (malformed, of an unknown type, from another version) and fields it does
 * not know stay as they are. These functions never touch the DOM or the
 * registry; `SettingsStore` applies their result.
 */

/**
 * A change the sidebar cannot make without losing what the user wrote:
 * the value to change is not what it must be (a list, an object). Its
 * message says what to fix, and where.
 */
export class SettingsEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsEditError';
  }
}

/**
 * Field changes: a value to set, or `undefined` to remove the field.
 */
export type FieldChanges = { [field: string]: unknown };

/**
 * The fields that differ between two versions of an entry: set where
 * `after` has a different value, `undefined` where `after` dropped one.
 */
export function changedFields(
  before: { [field: string]: unknown },
  after: { [field: string]: unknown }
): FieldChanges {
  const changes: FieldChanges = {};
  for (const [field, value] of Object.entries(after)) {
    if (!sameJson(before[field], value)) {
      changes[field] = value;
    }
  }
  for (const field of Object.keys(before)) {
    if (!(field in after)) {
      changes[field] = undefined;
    }
  }
  return changes;
}

/**
 * A list setting (`channels`, `remoteServers`) with one entry, found by
 * `id`, changed field by field, or added at the end when there is none.
 *
 * @param current - the value in the document (`undefined` when unset).
 * @param fallback - the list in force when the document has none (the
 *   schema's default).
 * @throws SettingsEditError when the document's value is not a list.
 */
export function upsertEntry(
  key: string,
  current: unknown,
  fallback: readonly unknown[],
  id: string,
  changes: FieldChanges,
  added: { [field: string]: unknown },
  trans: TranslationBundle
): unknown[] {
  const list = Private.list(key, current, fallback, trans);
  const index = Private.indexOf(list, id);
  if (index === -1) {
    list.push(Private.copy(added));
    return list;
  }
  const entry = { ...(list[index] as { [field: string]: unknown }) };
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) {
      delete entry[field];
    } else {
      entry[field] = Private.copy(value);
    }
  }
  list[index] = entry;
  return list;
}

/**
 * A list setting without the first entry whose `id` is `id` (a duplicate
 * the extension ignored shows up then, rather than going unseen).
 *
 * @throws SettingsEditError when the document's value is not a list.
 */
export function removeEntry(
  key: string,
  current: unknown,
  fallback: readonly unknown[],
  id: string,
  trans: TranslationBundle
): unknown[] {
  const list = Private.list(key, current, fallback, trans);
  const index = Private.indexOf(list, id);
  if (index !== -1) {
    list.splice(index, 1);
  }
  return list;
}

/**
 * An object setting (`accounts`) with one member set, or removed when
 * `value` is `undefined`; its other members stay as they are.
 *
 * @throws SettingsEditError when the document's value is not an object.
 */
export function setMember(
  key: string,
  current: unknown,
  member: string,
  value: unknown,
  trans: TranslationBundle
): { [member: string]: unknown } {
  if (
    current !== undefined &&
    (current === null || typeof current !== 'object' || Array.isArray(current))
  ) {
    throw new SettingsEditError(Private.fixFirst(key, 'object', trans));
  }
  const result = { ...((current ?? {}) as { [member: string]: unknown }) };
  if (value === undefined) {
    delete result[member];
  } else {
    result[member] = Private.copy(value);
  }
  return result;
}

/**
 * Whether two JSON values are equal.
 */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

namespace Private {
  /**
   * A copy of the list to change, or an error if the value is no list.
   */
  export function list(
    key: string,
    current: unknown,
    fallback: readonly unknown[],
    trans: TranslationBundle
  ): unknown[] {
    if (current === undefined) {
      return fallback.map(copy);
    }
    if (!Array.isArray(current)) {
      throw new SettingsEditError(fixFirst(key, 'list', trans));
    }
    return [...current];
  }

  /** The position of the first object entry with this `id`, or -1. */
  export function indexOf(list: readonly unknown[], id: string): number {
    return list.findIndex(
      entry =>
        !!entry &&
        typeof entry === 'object' &&
        (entry as { id?: unknown }).id === id
    );
  }

  export function copy<T>(value: T): T {
    return value === undefined ? value : JSON.parse(JSON.stringify(value));
  }

  export function fixFirst(
    key: string,
    kind: 'list' | 'object',
    trans: TranslationBundle
  ): string {
    return kind === 'list'
      ? trans.__(
          '"%1" in your settings file is not a list, so it cannot be changed here without losing what it holds. Fix it first in Settings › Settings Editor › Notifications (LMK) (JSON view).',
          key
        )
      : trans.__(
          '"%1" in your settings file is not an object, so it cannot be changed here without losing what it holds. Fix it first in Settings › Settings Editor › Notifications (LMK) (JSON view).',
          key
        );
  }
}
