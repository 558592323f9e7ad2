/**
 * The kernel relay's Python is sent from src/relay/kernel/sources.ts, made
 * from the .py files by scripts/embed-kernel-relay.mjs (run by the build).
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

describe('the embedded kernel relay', () => {
  it('is the current .py files (else: node scripts/embed-kernel-relay.mjs)', () => {
    const script = path.resolve(
      __dirname,
      '../../../scripts/embed-kernel-relay.mjs'
    );
    expect(() =>
      execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })
    ).not.toThrow();
  });
});
