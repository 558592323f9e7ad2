import type { TranslationBundle } from '@jupyterlab/translation';

/**
 * A named expression whose value goes into a run's notification.
 */
export interface IReportExpression {
  name: string;
  expression: string;
}

/** Names are short identifiers people can read in a message. */
const NAME = /^[A-Za-z_][\w .-]{0,39}$/;

/**
 * The report expressions stored in a notebook's `lmk` metadata
 * (`{"report": {"loss": "f\"{loss:.4f}\""}}`); malformed entries are skipped.
 */
export function readReport(lmkMetadata: unknown): IReportExpression[] {
  const report =
    lmkMetadata && typeof lmkMetadata === 'object'
      ? (lmkMetadata as { report?: unknown }).report
      : undefined;
  if (!report || typeof report !== 'object' || Array.isArray(report)) {
    return [];
  }
  return Object.entries(report as { [name: string]: unknown })
    .filter(
      (entry): entry is [string, string] =>
        NAME.test(entry[0]) &&
        typeof entry[1] === 'string' &&
        entry[1].trim() !== ''
    )
    .map(([name, expression]) => ({ name, expression: expression.trim() }));
}

/**
 * The metadata value for a list of expressions.
 */
export function reportToMetadata(expressions: IReportExpression[]): {
  [name: string]: string;
} {
  return Object.fromEntries(expressions.map(e => [e.name, e.expression]));
}

/**
 * Expressions as the editor shows them: one `name: expression` per line.
 */
export function formatReportText(expressions: IReportExpression[]): string {
  return expressions.map(e => `${e.name}: ${e.expression}`).join('\n');
}

/**
 * Parse the editor's text; every line that is not `name: expression` is
 * reported with its line number, and nothing is kept until all are right.
 */
export function parseReportText(
  text: string,
  trans: TranslationBundle
): { expressions: IReportExpression[]; errors: string[] } {
  const expressions: IReportExpression[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) {
      return;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    const expression = colon > 0 ? line.slice(colon + 1).trim() : '';
    if (!NAME.test(name) || !expression) {
      errors.push(
        trans.__(
          'Line %1: write "name: expression", e.g. "loss: round(loss, 4)".',
          i + 1
        )
      );
      return;
    }
    if (seen.has(name)) {
      errors.push(
        trans.__('Line %1: the name "%2" is used twice.', i + 1, name)
      );
      return;
    }
    seen.add(name);
    expressions.push({ name, expression });
  });
  return { expressions: errors.length ? [] : expressions, errors };
}
