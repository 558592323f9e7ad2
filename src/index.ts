import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { emailPlugin } from './plugins/emailPlugin';
import { kernelNotifyPlugin } from './plugins/kernelNotifyPlugin';
import { kernelRelayPlugin } from './plugins/kernelRelayPlugin';
import {
  liveSharesPanelPlugin,
  liveStatusPlugin
} from './plugins/liveStatusPlugin';
import { notebookModesPlugin } from './plugins/notebookModesPlugin';
import { notifierPlugin } from './plugins/notifierPlugin';
import { remoteSessionsPlugin } from './plugins/remoteSessionsPlugin';
import { reportPlugin } from './plugins/reportPlugin';
import { settingsCheckPlugin } from './plugins/settingsCheckPlugin';
import { settingsFormPlugin } from './plugins/settingsFormPlugin';
import { sidebarPlugin } from './plugins/sidebarPlugin';
import { trackerPlugin } from './plugins/trackerPlugin';
import { whenDonePlugin } from './plugins/whenDonePlugin';

export * from './tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [
  trackerPlugin,
  whenDonePlugin,
  liveStatusPlugin,
  kernelRelayPlugin,
  notifierPlugin,
  emailPlugin,
  kernelNotifyPlugin,
  reportPlugin,
  notebookModesPlugin,
  sidebarPlugin,
  remoteSessionsPlugin,
  settingsFormPlugin,
  settingsCheckPlugin,
  liveSharesPanelPlugin
];

export default plugins;
