import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { notifierPlugin } from './plugins/notifierPlugin';
import { trackerPlugin } from './plugins/trackerPlugin';

export * from './tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [trackerPlugin, notifierPlugin];

export default plugins;
