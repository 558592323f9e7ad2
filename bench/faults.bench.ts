/**
 * The figures of issue 26: per fault case and channel, notifications tried,
 * delivered, lost and doubled, and what History said in the end. Runs the
 * cases of `src/delivery/__tests__/deliveryFaultRuns.ts` (real notifier,
 * outbox and channels; loopback receivers on 127.0.0.1) one after the
 * other, in jest's browser-like environment, and prints a Markdown table.
 *
 *     make bench-faults
 *     LMK_FAULT_TIME_SCALE=1 LMK_FAULT_PER_CASE=5 make bench-faults
 *
 * `LMK_FAULT_TIME_SCALE` scales every wait of the product and the receivers
 * (default 0.1; 1 is real time, about an hour); `LMK_FAULT_PER_CASE` is the
 * number of notifications per case and channel (default 3).
 */
import {
  CASE_LIMIT_MS,
  CASES,
  FaultRuns,
  faultTable,
  type IRow
} from '../src/delivery/__tests__/deliveryFaultRuns';

it(
  'prints notifications tried, delivered, lost and doubled per fault case',
  async () => {
    const runs = await FaultRuns.start();
    const rows: IRow[] = [];
    const started = Date.now();
    try {
      for (const fault of CASES) {
        rows.push(...(await runs.run(fault)).rows);
      }
    } finally {
      await runs.close();
    }
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    process.stdout.write(
      `\n${faultTable(rows)}\n\n${CASES.length} cases in ${minutes} min\n\n`
    );
  },
  CASES.length * CASE_LIMIT_MS
);
