import { nullTranslator } from '@jupyterlab/translation';
import { buildManualEvent } from '../runEvent';
import {
  buildKernelNotifyEvent,
  buildSnippetEvent,
  withReport
} from '../kernelEvents';

const trans = nullTranslator.load('jupyterlab_lmk');
const source = {
  notebookPath: 'runs/train.ipynb',
  notebookUrl: 'http://127.0.0.1:8888/lab/tree/runs/train.ipynb',
  kernel: { id: 'k', name: 'python3' }
};

describe('withReport', () => {
  it('puts the values under "report" and in a Report section', () => {
    const event = withReport(
      buildManualEvent('Finished in 3 s.', 'train.ipynb finished'),
      { loss: '0.1234', rows: '1000' },
      trans
    );
    expect(event.report).toEqual({ loss: '0.1234', rows: '1000' });
    expect(event.text).toBe(
      'Finished in 3 s.\nReport:\nloss: 0.1234\nrows: 1000'
    );
    expect(event.message).toContain('**Report**');
    expect(event.message).toContain('- `loss: 0.1234`');
  });

  it('changes nothing without values', () => {
    const event = buildManualEvent('x', 'y');
    expect(withReport(event, {}, trans)).toBe(event);
  });
});

describe('buildKernelNotifyEvent', () => {
  it('uses the notebook name as title when the code gave none', () => {
    const event = buildKernelNotifyEvent(
      {
        id: null,
        message: 'epoch 10 done',
        title: null,
        channels: null,
        contentType: 'text/markdown'
      },
      source
    );
    expect(event).toMatchObject({
      event: 'manual',
      title: 'train.ipynb',
      text: 'epoch 10 done',
      notebook: { path: 'runs/train.ipynb', name: 'train.ipynb' },
      kernel: { id: 'k', name: 'python3' }
    });
  });
});

describe('buildSnippetEvent', () => {
  const base = {
    stdout: '',
    stderr: '',
    result: null,
    error: null,
    timedOut: false,
    elapsedSeconds: 0.5
  };

  it('reports stdout and the result', () => {
    const event = buildSnippetEvent(
      { ...base, stdout: 'hello\n', result: '42' },
      source,
      trans
    );
    expect(event.title).toBe('train.ipynb: snippet result');
    expect(event.text).toBe('Done in 0.5 s.\nhello\n42');
  });

  it('reports an error with its traceback', () => {
    const event = buildSnippetEvent(
      {
        ...base,
        error: {
          ename: 'NameError',
          evalue: "name 'x' is not defined",
          traceback: ['NameError: x']
        }
      },
      source,
      trans
    );
    expect(event.title).toBe('train.ipynb: snippet failed');
    expect(event.text.split('\n')[0]).toBe(
      "NameError: name 'x' is not defined"
    );
    expect(event.error?.ename).toBe('NameError');
  });

  it('says when the kernel did not answer in time', () => {
    const event = buildSnippetEvent(
      { ...base, timedOut: true, elapsedSeconds: 60 },
      source,
      trans
    );
    expect(event.title).toBe('train.ipynb: snippet still running');
  });
});
