/**
 * Nothing lost, nothing doubled: each fault case of issue 26 (see
 * `deliveryFaultRuns.ts`) run through the real notifier, outbox and
 * channels against loopback stand-ins for a webhook receiver and Discord.
 * Asserts 0 lost and 0 doubled where the receiver answers correctly within
 * a minute, and at most one copy too many to Discord anywhere else. The
 * figures (tried, delivered, lost, doubled per case) are printed by
 * `make bench-faults`, not here.
 */
import {
  CASE_LIMIT_MS,
  CASES,
  FaultRuns,
  type IRow,
  PER_CASE
} from './deliveryFaultRuns';

describe('delivery under faults: notifications tried, delivered, lost, doubled (loopback stand-ins for a webhook receiver and Discord)', () => {
  const rows: IRow[] = [];
  let runs: FaultRuns;

  beforeAll(async () => {
    runs = await FaultRuns.start();
  });

  afterAll(async () => {
    await runs.close();
  });

  it.each(CASES.map(c => [c.name, c]))(
    '%s',
    async (_, fault) => {
      const run = await runs.run(fault);
      rows.push(...run.rows);
      for (const row of run.rows) {
        // Never more than one copy too many where copies are kept; the
        // webhook's receiver drops them by X-Lmk-Event-Id.
        for (const id of run.ids) {
          expect(run.copies[row.channel].get(id) ?? 0).toBeLessThanOrEqual(
            row.channel === 'webhook' ? 20 : 2
          );
        }
        if (fault.answersWithinAMinute) {
          expect(row.lost).toBe(0);
          expect(row.doubled).toBe(0);
          expect(row.shown).toBe('sent');
        }
      }
      // What is stored for a retry is what is sent, within bounds.
      for (const size of run.webhookBodies) {
        expect(size).toBeLessThanOrEqual(64 * 1024);
      }
    },
    CASE_LIMIT_MS + 10_000
  );

  it('the cases a receiver refuses or drops end once, with a cause, and never more than twice to Discord', () => {
    const refused = rows.filter(row => row.name.startsWith('refuses the lab'));
    expect(refused.map(row => row.shown)).toEqual(['failed', 'failed']);
    const slow = rows.find(
      row =>
        row.name.startsWith('answers after 90 s') && row.channel === 'discord'
    )!;
    // Taken once, then "sent, not confirmed": never sent again.
    expect(slow).toMatchObject({ delivered: PER_CASE, doubled: 0 });
    expect(slow.shown).toBe('sent, not confirmed');
  });
});
