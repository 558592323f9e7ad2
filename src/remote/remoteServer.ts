import { type Kernel, ServerConnection } from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';
import type { TranslationBundle } from '@jupyterlab/translation';

/**
 * The kinds of remote place the Remote sessions section can list.
 */
export type RemoteServerKind = 'jupyter' | 'hub' | 'skaha';

/**
 * One remote server as kept in the settings (`remoteServers`). The token is
 * a secret: never logged, shown, put in a notebook or a notification.
 */
export interface IRemoteServerConfig {
  /** Stable id (`jupyter`, `jupyter-2`, `hub`, ...); `local` is this server. */
  id: string;
  kind: RemoteServerKind;
  /** What the user calls it. */
  name: string;
  /** Base URL: a Jupyter server's base URL, a hub's URL, Skaha's API base. */
  url: string;
  /** Secret: Jupyter token, hub API token or platform bearer token. */
  token: string;
}

/** The id of this lab's own server in watches and the list. */
export const LOCAL_SERVER_ID = 'local';

/**
 * Where this lab's kernel watches are kept in the browser (one list per lab).
 */
export function watchesStorageKey(): string {
  return `jupyterlab-lmk:watches:${ServerConnection.makeSettings().baseUrl}`;
}

/**
 * Whether a "tell me when it's done" watch is pending in this lab (then the
 * remote code loads at start to resume it). Cheap: one storage read.
 */
export function hasStoredWatches(): boolean {
  try {
    const stored = window.localStorage.getItem(watchesStorageKey());
    return !!stored && stored !== '[]';
  } catch {
    return false;
  }
}

/**
 * What a kernel watch needs to find its kernel again after a reload.
 */
export interface IKernelWatchTarget {
  /** `LOCAL_SERVER_ID` or the id of a configured server. */
  serverId: string;
  /** Display name of the server (for the message). */
  serverName: string;
  kernelId: string;
  kernelName: string;
  /** Notebook or console path of the session, when there is one. */
  path?: string;
}

/**
 * What the views of the Remote sessions section get from the panel.
 */
export interface IRemoteContext {
  trans: TranslationBundle;
  /** Whether "Tell me when it's done" is offered (there is a notifier). */
  canWatch: boolean;
  /** Whether the section can be seen (polls stand by when it cannot). */
  isVisible(): boolean;
  /** Emitted when the section is shown again (polls refresh). */
  readonly shown: ISignal<unknown, void>;
  /** Ask a yes/no question; resolves true on yes. */
  confirm(title: string, body: string, action: string): Promise<boolean>;
  /** Open the Run code panel on a kernel connection. */
  runCode(kernel: Kernel.IKernelConnection, title: string): void;
  /** Start a "tell me when it's done" watch (kept across reloads). */
  watch(target: IKernelWatchTarget): void;
  /** Stop a watch. */
  unwatch(serverId: string, kernelId: string): void;
  /** Whether a kernel is watched. */
  isWatched(serverId: string, kernelId: string): boolean;
  /** Emitted when watches start or stop. */
  readonly watchesChanged: ISignal<unknown, void>;
  /** Open a path of this lab's own server in the lab. */
  openLocal(path: string): void;
  /** Add a Jupyter server to the settings (hub servers, platform sessions). */
  addJupyterServer(options: {
    name: string;
    url: string;
    token: string;
  }): Promise<void>;
}
