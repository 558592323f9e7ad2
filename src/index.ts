import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { kernelNotifyPlugin } from './plugins/kernelNotifyPlugin';
import { notifierPlugin } from './plugins/notifierPlugin';
import { reportPlugin } from './plugins/reportPlugin';
import { trackerPlugin } from './plugins/trackerPlugin';

export * from './tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [
  trackerPlugin,
  notifierPlugin,
  kernelNotifyPlugin,
  reportPlugin
];

export default plugins;
