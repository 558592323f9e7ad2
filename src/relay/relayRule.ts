import type { NotifyMode } from '../rules/notifyMode';
import { shouldNotifyRun } from '../rules/runRule';
import type { IRelayRule } from './relayProtocol';

/**
 * What decides, at a run's start, whether it notifies.
 */
export interface IRelayRuleInput {
  threshold: number;
  globalMode: NotifyMode;
  notebookMode: NotifyMode | null;
  cellModes: Iterable<NotifyMode | null>;
  armed: boolean;
}

/**
 * The rule handed to the kernel for a run: the lab's own rules
 * (`shouldNotifyRun`) folded, per outcome the kernel can see, into the
 * shortest duration that notifies. The rules only ever look at whether
 * the duration reaches the threshold, so two probes per outcome say it all.
 */
export function relayRule(input: IRelayRuleInput): IRelayRule {
  const modes = [...input.cellModes];
  const probe = (
    outcome: 'finished' | 'failed' | 'interrupted',
    durationSeconds: number
  ) =>
    shouldNotifyRun({
      outcome,
      durationSeconds,
      threshold: input.threshold,
      globalMode: input.globalMode,
      notebookMode: input.notebookMode,
      cellModes: modes,
      armed: input.armed
    });
  const limit = (outcome: 'finished' | 'failed' | 'interrupted') =>
    probe(outcome, 0)
      ? 0
      : probe(outcome, input.threshold)
        ? input.threshold
        : null;
  return {
    finished: limit('finished'),
    failed: limit('failed'),
    interrupted: limit('interrupted')
  };
}

/**
 * The distinct cell modes of a run's cells, read from their execute
 * requests' metadata (the lab sends each cell's metadata with its request,
 * so this reads plain objects, not the notebook).
 */
export function requestModes(
  requests: readonly { metadata: unknown }[],
  readMode: (lmkMetadata: unknown) => NotifyMode | null
): Set<NotifyMode | null> {
  const modes = new Set<NotifyMode | null>();
  for (const request of requests) {
    modes.add(readMode((request.metadata as { lmk?: unknown } | null)?.lmk));
  }
  return modes;
}
