/**
 * A storage like localStorage, in memory: one instance is shared by the
 * "tabs" of a test, as the browser's is by a lab's tabs.
 */
export class MemoryStorage {
  getItem(key: string): string | null {
    return this._data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this._data.set(key, value);
  }
  removeItem(key: string): void {
    this._data.delete(key);
  }
  private _data = new Map<string, string>();
}
