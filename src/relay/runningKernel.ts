import type { Kernel } from '@jupyterlab/services';

/**
 * A new connection to a running kernel of the server, by id (`null` if it
 * is not running): for a kernel whose page has closed. The caller disposes
 * of it.
 */
export async function connectToRunningKernel(
  kernels: Kernel.IManager,
  kernelId: string
): Promise<Kernel.IKernelConnection | null> {
  await kernels.refreshRunning().catch(() => undefined);
  const model = [...kernels.running()].find(m => m.id === kernelId);
  return model ? kernels.connectTo({ model }) : null;
}
