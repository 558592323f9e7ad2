/// <reference types="node" />
/**
 * Runs the kernel-side formats (`src/relay/kernel/lmk_formats.py`) in the
 * project's virtual environment, through `formatParityDriver.py`.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const PYTHON = path.resolve(__dirname, '../../..', '.venv', 'bin', 'python');
const DRIVER = path.join(__dirname, 'formatParityDriver.py');

/**
 * One call of the Python module: a function of it by name (or a driver
 * operation), with JSON arguments; `{ $ref: n }` stands for `shared[n]`, so
 * that big values go once.
 */
export interface IPythonJob {
  op: string;
  args?: unknown[];
}

/**
 * Run jobs in one Python process; the results, in order.
 */
export function runPython(
  jobs: IPythonJob[],
  shared: unknown[] = []
): unknown[] {
  const result = spawnSync(PYTHON, [DRIVER], {
    input: JSON.stringify({ jobs, shared }),
    maxBuffer: 512 * 1024 * 1024,
    encoding: 'utf-8'
  });
  if (result.status !== 0) {
    throw new Error(`the Python driver failed: ${result.stderr}`);
  }
  return JSON.parse(result.stdout);
}

/**
 * A request as the driver returns it, with the body in base64.
 */
export interface IPythonRequest {
  method: string;
  url: string;
  headers: { [name: string]: string };
  body: string;
  secrets: string[];
}
