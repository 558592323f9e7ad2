/**
 * Parse a timestamp from a kernel message header (ISO-8601, often with
 * microseconds) into epoch milliseconds, or `null` when absent or invalid.
 */
export function parseKernelTime(value: unknown): number | null {
  if (typeof value !== 'string' || !value) {
    return null;
  }
  // Date.parse is only required to accept millisecond precision.
  const trimmed = value.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? null : ms;
}
