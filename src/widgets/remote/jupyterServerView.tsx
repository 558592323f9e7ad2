import { KernelAPI, SessionAPI } from '@jupyterlab/services';
import type { Kernel, Session } from '@jupyterlab/services';
import {
  closeIcon,
  consoleIcon,
  editIcon,
  type LabIcon,
  launchIcon,
  refreshIcon,
  stopIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';
import { diagnoseJupyterServer } from '../../remote/jupyter/diagnose';
import { kernelRows, LiveKernels } from '../../remote/jupyter/liveKernels';
import {
  JupyterRemote,
  remoteServerSettings
} from '../../remote/jupyter/jupyterConnection';
import type {
  IRemoteContext,
  IRemoteServerConfig
} from '../../remote/remoteServer';
import { LOCAL_SERVER_ID } from '../../remote/remoteServer';

/**
 * Props of the view of one Jupyter server.
 */
export interface IJupyterServerViewProps {
  config: IRemoteServerConfig;
  context: IRemoteContext;
  /** This lab's own managers (`app.serviceManager`); absent for others. */
  managers?: { sessions: Session.IManager; kernels: Kernel.IManager };
  /** How often the kernels' state is asked for, in ms (see `LiveKernels`). */
  liveInterval?: number;
}

/**
 * The sessions and kernels of one Jupyter server (this lab's own, or one
 * reached by URL and token), live (`LiveKernels`: each kernel's state and
 * connections, asked every few seconds while the list is shown), with
 * actions on each.
 */
export function JupyterServerView(props: IJupyterServerViewProps): JSX.Element {
  const { config, context, managers: given } = props;
  const { trans } = context;
  const isLocal = !!given || config.id === LOCAL_SERVER_ID;

  // The managers of a remote server live as long as the view.
  const [owned, setupError] = React.useMemo(() => {
    if (given) {
      return [null, null];
    }
    try {
      return [
        new JupyterRemote({
          serverSettings: remoteServerSettings(config),
          standby: () => !context.isVisible() || 'when-hidden'
        }),
        null
      ];
    } catch {
      return [
        null,
        trans.__(
          'This is not a Jupyter server address: it should look like http://host:8888/.'
        )
      ];
    }
  }, [given, config.url, config.token]);
  React.useEffect(() => () => owned?.dispose(), [owned]);
  const managers = given ?? owned;

  const [, setTick] = React.useState(0);
  const rerender = React.useCallback(() => setTick(tick => tick + 1), []);
  const [error, setError] = React.useState<string | null>(setupError);
  const [busy, setBusy] = React.useState(false);
  const [renaming, setRenaming] = React.useState<string | null>(null);

  const diagnose = React.useCallback(async () => {
    if (isLocal) {
      setError(
        trans.__('This lab’s server does not answer: check that it is running.')
      );
      return;
    }
    setError(
      (await diagnoseJupyterServer(config.url, config.token, trans)) ??
        trans.__('Listing the sessions failed; try Refresh.')
    );
  }, [isLocal, config.url, config.token]);

  const refresh = React.useCallback(async () => {
    if (!managers) {
      return;
    }
    setBusy(true);
    try {
      await Promise.all([
        managers.kernels.refreshRunning(),
        managers.sessions.refreshRunning()
      ]);
      // Listed: whatever went wrong before is over.
      setError(null);
    } catch {
      // A failed listing is reported through `connectionFailure`.
    } finally {
      setBusy(false);
    }
  }, [managers]);

  React.useEffect(() => {
    if (!managers) {
      return;
    }
    // Other managers (the server's address or token changed): the error
    // of the old ones no longer holds.
    setError(setupError);
    const onChange = () => {
      setError(null);
      rerender();
    };
    const onFailure = () => void diagnose();
    managers.kernels.runningChanged.connect(onChange);
    managers.sessions.runningChanged.connect(onChange);
    managers.kernels.connectionFailure.connect(onFailure);
    managers.sessions.connectionFailure.connect(onFailure);
    context.watchesChanged.connect(rerender);
    const live = new LiveKernels({
      kernels: managers.kernels,
      isVisible: context.isVisible,
      interval: props.liveInterval
    });
    const onShown = () => void refresh();
    context.shown.connect(onShown);
    // The managers' first listing may have failed before we listened.
    if (!given) {
      void refresh();
    }
    // "Last activity" is shown relative to now.
    const clock = setInterval(rerender, 30_000);
    return () => {
      managers.kernels.runningChanged.disconnect(onChange);
      managers.sessions.runningChanged.disconnect(onChange);
      managers.kernels.connectionFailure.disconnect(onFailure);
      managers.sessions.connectionFailure.disconnect(onFailure);
      context.watchesChanged.disconnect(rerender);
      context.shown.disconnect(onShown);
      live.dispose();
      clearInterval(clock);
    };
  }, [managers, diagnose, refresh]);

  if (!managers) {
    return (
      <div className="jp-lmk-Remote-jupyter">
        <p className="jp-lmk-Remote-error" role="alert">
          {error}
        </p>
      </div>
    );
  }

  const rows = kernelRows(
    managers.sessions.running(),
    managers.kernels.running()
  );
  const idle = Array.from(managers.kernels.running()).filter(
    kernel => kernel.execution_state === 'idle'
  );

  /** Run an action, showing its failure on the error line. */
  const act = async (action: () => Promise<unknown>) => {
    try {
      await action();
      setError(null);
    } catch {
      await diagnose();
    }
  };

  const shutDownAllIdle = async () => {
    const ok = await context.confirm(
      trans.__('Shut down idle kernels'),
      trans._n(
        'Shut down %1 idle kernel on %2?',
        'Shut down %1 idle kernels on %2?',
        idle.length,
        config.name
      ),
      trans.__('Shut Down')
    );
    if (ok) {
      await act(() =>
        Promise.all(idle.map(kernel => managers.kernels.shutdown(kernel.id)))
      );
    }
  };

  const rename = async (session: Session.IModel, name: string) => {
    setRenaming(null);
    if (!name.trim() || name === session.name) {
      return;
    }
    await act(async () => {
      await SessionAPI.updateSession(
        { id: session.id, name: name.trim() },
        managers.sessions.serverSettings
      );
      await managers.sessions.refreshRunning();
    });
  };

  const item = (kernel: Kernel.IModel, session: Session.IModel | null) => (
    <KernelItem
      key={session?.id ?? kernel.id}
      config={config}
      context={context}
      kernel={kernel}
      session={session}
      isLocal={isLocal}
      renaming={!!session && renaming === session.id}
      onRenameStart={() => session && setRenaming(session.id)}
      onRename={name => session && void rename(session, name)}
      onRenameCancel={() => setRenaming(null)}
      act={act}
      managers={managers}
    />
  );

  return (
    <div className="jp-lmk-Remote-jupyter">
      <div className="jp-lmk-Remote-toolbar">
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-mod-small jp-lmk-Remote-button"
          onClick={() => void refresh()}
          disabled={busy}
          aria-label={trans.__('Refresh the sessions of %1', config.name)}
        >
          {trans.__('Refresh')}
        </button>
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-mod-small jp-lmk-Remote-button"
          onClick={() => void shutDownAllIdle()}
          disabled={idle.length === 0}
          aria-label={trans.__('Shut down all idle kernels on %1', config.name)}
        >
          {trans.__('Shut down all idle')}
        </button>
      </div>
      {error && (
        <p className="jp-lmk-Remote-error" role="alert">
          {error}
        </p>
      )}
      {rows.length === 0 && !error ? (
        <p className="jp-lmk-Remote-empty">
          {trans.__('No sessions or kernels are running.')}
        </p>
      ) : (
        <ul className="jp-lmk-Remote-list">
          {rows.map(row => item(row.kernel, row.session))}
        </ul>
      )}
    </div>
  );
}

/**
 * One session (or kernel without a session) and its actions.
 */
function KernelItem(props: {
  config: IRemoteServerConfig;
  context: IRemoteContext;
  kernel: Kernel.IModel;
  session: Session.IModel | null;
  isLocal: boolean;
  renaming: boolean;
  onRenameStart(): void;
  onRename(name: string): void;
  onRenameCancel(): void;
  act(action: () => Promise<unknown>): Promise<void>;
  managers: { sessions: Session.IManager; kernels: Kernel.IManager };
}): JSX.Element {
  const { config, context, kernel, session, managers, act } = props;
  const { trans } = context;
  const label = session?.path || kernel.name;
  const watched = context.isWatched(config.id, kernel.id);
  const connections = kernel.connections ?? 0;

  const shutDown = async () => {
    const ok = await context.confirm(
      trans.__('Shut down kernel'),
      trans.__('Shut down the kernel of %1 on %2?', label, config.name),
      trans.__('Shut Down')
    );
    if (ok) {
      await act(() =>
        session
          ? managers.sessions.shutdown(session.id)
          : managers.kernels.shutdown(kernel.id)
      );
    }
  };

  const runCode = () => {
    const connection = managers.kernels.connectTo({ model: kernel });
    context.runCode(connection, trans.__('%1 on %2', label, config.name));
  };

  const toggleWatch = () => {
    if (watched) {
      context.unwatch(config.id, kernel.id);
    } else {
      context.watch({
        serverId: config.id,
        serverName: config.name,
        kernelId: kernel.id,
        kernelName: kernel.name,
        ...(session?.path ? { path: session.path } : {})
      });
    }
  };

  return (
    <li className="jp-lmk-Remote-item">
      <div className="jp-lmk-Remote-itemHeader">
        {props.renaming && session ? (
          <RenameInput
            initial={session.name || session.path}
            label={trans.__('New name of the session %1', label)}
            onSave={props.onRename}
            onCancel={props.onRenameCancel}
          />
        ) : (
          <span className="jp-lmk-Remote-itemName" title={label}>
            {label}
            {session?.name && session.name !== session.path ? (
              <span className="jp-lmk-Remote-itemAlias"> ({session.name})</span>
            ) : null}
          </span>
        )}
        <span
          className={`jp-lmk-Remote-state jp-lmk-Remote-state-${kernel.execution_state ?? 'unknown'}`}
        >
          {Private.stateLabel(kernel.execution_state, trans)}
        </span>
      </div>
      <div className="jp-lmk-Remote-itemDetails">
        {kernel.name}
        {' · '}
        {trans._n('%1 connection', '%1 connections', connections)}
        {kernel.last_activity
          ? ' · ' +
            trans.__(
              'active %1',
              Private.relativeTime(kernel.last_activity, trans)
            )
          : ''}
      </div>
      <div className="jp-lmk-Remote-actions">
        {props.isLocal && session?.path ? (
          <button
            type="button"
            className="jp-Button jp-mod-minimal jp-mod-small jp-lmk-Remote-button"
            onClick={() => context.openLocal(session.path)}
            aria-label={trans.__('Open %1', label)}
          >
            <Private.ActionIcon icon={launchIcon} label={trans.__('Open')} />
          </button>
        ) : null}
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-mod-small jp-lmk-Remote-button"
          onClick={() =>
            // REST, not a new websocket that would have to be closed again.
            void act(() =>
              KernelAPI.interruptKernel(
                kernel.id,
                managers.kernels.serverSettings
              )
            )
          }
          aria-label={trans.__('Interrupt the kernel of %1', label)}
        >
          <Private.ActionIcon icon={stopIcon} label={trans.__('Interrupt')} />
        </button>
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-mod-small jp-lmk-Remote-button"
          onClick={() =>
            void act(() =>
              KernelAPI.restartKernel(
                kernel.id,
                managers.kernels.serverSettings
              )
            )
          }
          aria-label={trans.__('Restart the kernel of %1', label)}
        >
          <Private.ActionIcon icon={refreshIcon} label={trans.__('Restart')} />
        </button>
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-mod-small jp-lmk-Remote-button"
          onClick={() => void shutDown()}
          aria-label={trans.__('Shut down the kernel of %1', label)}
        >
          <Private.ActionIcon icon={closeIcon} label={trans.__('Shut down')} />
        </button>
        {session ? (
          <button
            type="button"
            className="jp-Button jp-mod-minimal jp-mod-small jp-lmk-Remote-button"
            onClick={props.onRenameStart}
            aria-label={trans.__('Rename the session %1', label)}
          >
            <Private.ActionIcon icon={editIcon} label={trans.__('Rename')} />
          </button>
        ) : null}
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-mod-small jp-lmk-Remote-button"
          onClick={runCode}
          aria-label={trans.__('Run code in the kernel of %1', label)}
        >
          <Private.ActionIcon
            icon={consoleIcon}
            label={trans.__('Run code…')}
          />
        </button>
        {context.canWatch ? (
          <button
            type="button"
            className="jp-Button jp-mod-minimal jp-mod-small jp-lmk-Remote-button"
            onClick={toggleWatch}
            aria-pressed={watched}
            aria-label={
              watched
                ? trans.__('Stop watching the kernel of %1', label)
                : trans.__('Tell me when the kernel of %1 is done', label)
            }
          >
            {watched
              ? trans.__('Stop watching')
              : trans.__('Tell me when it’s done')}
          </button>
        ) : null}
      </div>
    </li>
  );
}

/**
 * The inline rename field: Enter saves, Escape cancels.
 */
function RenameInput(props: {
  initial: string;
  label: string;
  onSave(name: string): void;
  onCancel(): void;
}): JSX.Element {
  const [value, setValue] = React.useState(props.initial);
  return (
    <input
      className="jp-mod-styled jp-lmk-Remote-renameInput"
      aria-label={props.label}
      autoFocus
      value={value}
      onChange={event => setValue(event.target.value)}
      onKeyDown={event => {
        if (event.key === 'Enter') {
          event.preventDefault();
          props.onSave(value);
        } else if (event.key === 'Escape') {
          event.preventDefault();
          props.onCancel();
        }
      }}
      onBlur={props.onCancel}
    />
  );
}

namespace Private {
  /**
   * An action's icon, with its name as the tooltip (the button's
   * accessible name says what it acts on).
   */
  export function ActionIcon(props: {
    icon: LabIcon;
    label: string;
  }): JSX.Element {
    return (
      <span className="jp-lmk-Remote-actionIcon" title={props.label}>
        <props.icon.react tag={null} />
      </span>
    );
  }

  /** A kernel state in words. */
  export function stateLabel(
    state: string | undefined,
    trans: IRemoteContext['trans']
  ): string {
    switch (state) {
      case 'busy':
        return trans.__('busy');
      case 'idle':
        return trans.__('idle');
      case 'starting':
        return trans.__('starting');
      case 'dead':
        return trans.__('dead');
      default:
        return state ?? trans.__('unknown');
    }
  }

  /** "just now", "5 min ago", "3 h ago", "2 d ago". */
  export function relativeTime(
    iso: string,
    trans: IRemoteContext['trans']
  ): string {
    const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (!Number.isFinite(seconds) || seconds < 60) {
      return trans.__('just now');
    }
    if (seconds < 3600) {
      return trans.__('%1 min ago', Math.floor(seconds / 60));
    }
    if (seconds < 86400) {
      return trans.__('%1 h ago', Math.floor(seconds / 3600));
    }
    return trans.__('%1 d ago', Math.floor(seconds / 86400));
  }
}
