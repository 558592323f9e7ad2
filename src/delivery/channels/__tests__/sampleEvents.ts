/**
 * Events and notifications shared by the channel tests.
 */
import type { ILmkEvent, ILmkNotification } from '../../../tokens';

/** A failed run, as the run tracker reports it. */
export function failedRunEvent(
  traceback = 'ZeroDivisionError: division by zero'
): ILmkEvent {
  return {
    version: 1,
    event: 'run.failed',
    title: 'train_model.ipynb failed',
    message:
      '[train\\_model.ipynb](http://127.0.0.1:8888/lab/tree/train_model.ipynb): Failed at cell 3 (In [12]) after 2 min 05 s. 3 of 5 cells executed.\n\n' +
      '**ZeroDivisionError: division by zero**\n\n```\n' +
      traceback +
      '\n```',
    text:
      'Failed at cell 3 (In [12]) after 2 min 05 s. 3 of 5 cells executed.\nZeroDivisionError: division by zero\n' +
      traceback,
    notebook: {
      path: 'work/train_model.ipynb',
      name: 'train_model.ipynb',
      url: 'http://127.0.0.1:8888/lab/tree/runs/train_model.ipynb'
    },
    run: {
      cells: 5,
      executed: 3,
      started: '2024-05-01T10:00:00.000Z',
      finished: '2024-05-01T10:02:05.000Z',
      duration_s: 125
    },
    cell: { index: 2, execution_count: 12 },
    error: {
      ename: 'ZeroDivisionError',
      evalue: 'division by zero',
      traceback: traceback.split('\n')
    },
    kernel: { id: 'k-1', name: 'python3' },
    report: { loss: '0.031' }
  };
}

/** A finished run. */
export function finishedRunEvent(): ILmkEvent {
  return {
    ...failedRunEvent(),
    event: 'run.finished',
    title: 'train_model.ipynb finished',
    message:
      '[train\\_model.ipynb](http://127.0.0.1:8888/lab/tree/train_model.ipynb): Finished in 2 min 05 s. 5 of 5 cells executed.',
    text: 'Finished in 2 min 05 s. 5 of 5 cells executed.',
    cell: null,
    error: null,
    report: null
  };
}

/** A traceback of about `bytes` bytes. */
export function hugeTraceback(bytes = 1024 * 1024): string {
  const line =
    'File "/opt/lib/python3.11/site-packages/pkg/module.py", line 42, in f\n';
  return (
    line.repeat(Math.ceil(bytes / line.length)) + 'ValueError: the real error'
  );
}

/** Wrap an event as a notification. */
export function notificationOf(
  event: ILmkEvent,
  id = 'n-42'
): ILmkNotification {
  return { id, event, target: { path: 'work/train_model.ipynb' } };
}
