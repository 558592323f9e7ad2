import type { Kernel, Session } from '@jupyterlab/services';
import { kernelRows } from '../liveKernels';

const started: Kernel.IModel = {
  id: 'k1',
  name: 'python3',
  execution_state: 'starting',
  connections: 0
};

const session: Session.IModel = {
  id: 's1',
  name: 'train.ipynb',
  path: 'train.ipynb',
  type: 'notebook',
  kernel: started
};

describe('kernelRows', () => {
  it('shows a session’s kernel as the kernel list has it now, not as the session first saw it', () => {
    const now: Kernel.IModel = {
      ...started,
      execution_state: 'busy',
      connections: 1,
      last_activity: '2026-12-01T10:00:00Z'
    };
    expect(kernelRows([session], [now])).toEqual([{ session, kernel: now }]);
  });

  it('keeps the session’s copy until the kernel list has the kernel', () => {
    expect(kernelRows([session], [])).toEqual([{ session, kernel: started }]);
  });

  it('lists kernels without a session after the sessions', () => {
    const bare: Kernel.IModel = { id: 'k2', name: 'ir' };
    expect(kernelRows([session], [bare, started])).toEqual([
      { session, kernel: started },
      { session: null, kernel: bare }
    ]);
  });
});
