import { Poll } from '@lumino/polling';
import * as React from 'react';
import { DeliveryError } from '../../delivery/deliveryError';
import {
  checkServerName,
  HubClient,
  type HubServerState,
  type IHubServer
} from '../../remote/hub/hubClient';
import type {
  IRemoteContext,
  IRemoteServerConfig
} from '../../remote/remoteServer';
import { JupyterServerView } from './jupyterServerView';

/**
 * How often the list is refreshed while it can be seen.
 */
const POLL_INTERVAL_MS = 15_000;

/**
 * A JupyterHub in the Remote sessions section: the user's servers (default
 * and named) with their state, and buttons to start one (with the spawn's
 * progress), stop it, delete a named one, create a new one, and browse the
 * sessions of a running one as a Jupyter server.
 */
export function HubServerView(props: HubServerView.IProps): React.ReactElement {
  const { config, context } = props;
  const { trans } = context;
  const client = React.useMemo(
    () => new HubClient({ url: config.url, token: config.token, trans }),
    [config.url, config.token, trans]
  );
  const [servers, setServers] = React.useState<IHubServer[] | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [actions, setActions] = React.useState<{
    [name: string]: Private.IAction;
  }>({});
  const [browsing, setBrowsing] = React.useState<string | null>(null);
  const [newName, setNewName] = React.useState('');
  const [nameError, setNameError] = React.useState<string | null>(null);
  const [poll, setPoll] = React.useState<Poll | null>(null);
  // Aborts the progress streams when the view goes away.
  const aborter = React.useRef(new AbortController());

  const refresh = React.useCallback(async () => {
    try {
      setServers(await client.listServers());
      setError(null);
    } catch (reason) {
      setError(Private.message(reason, trans));
      // So the poll backs off.
      throw reason;
    }
  }, [client, trans]);

  React.useEffect(() => {
    const controller = new AbortController();
    aborter.current = controller;
    const created = new Poll({
      factory: refresh,
      frequency: { interval: POLL_INTERVAL_MS, backoff: true, max: 300_000 },
      standby: () => !context.isVisible() || 'when-hidden',
      name: `lmk:hub:${config.id}`
    });
    const onShown = () => void created.refresh();
    context.shown.connect(onShown);
    setPoll(created);
    return () => {
      context.shown.disconnect(onShown);
      created.dispose();
      controller.abort();
    };
  }, [refresh, context, config.id]);

  const setAction = (name: string, action: Private.IAction | null) =>
    setActions(current => {
      const next = { ...current };
      if (action) {
        next[name] = action;
      } else {
        delete next[name];
      }
      return next;
    });

  const start = async (name: string) => {
    const label = Private.label(name, trans);
    setError(null);
    setAction(name, { kind: 'starting', progress: 0, message: '' });
    try {
      if ((await client.startServer(name)) === 'starting') {
        for await (const event of client.progress(name, {
          signal: aborter.current.signal
        })) {
          if (event.failed) {
            setError(trans.__('%1 did not start: %2', label, event.message));
            break;
          }
          setAction(name, {
            kind: 'starting',
            progress: event.progress,
            message: event.message
          });
        }
      }
    } catch (reason) {
      setError(Private.message(reason, trans));
    } finally {
      setAction(name, null);
      void poll?.refresh();
    }
  };

  const stop = async (server: IHubServer, remove: boolean) => {
    const label = Private.label(server.name, trans);
    const confirmed = remove
      ? await context.confirm(
          trans.__('Delete %1?', label),
          trans.__(
            'The hub forgets the server %1 (its files in your home stay).',
            label
          ),
          trans.__('Delete')
        )
      : await context.confirm(
          trans.__('Stop %1?', label),
          trans.__(
            'Its kernels and terminals are shut down; unsaved work in them is lost.'
          ),
          trans.__('Stop')
        );
    if (!confirmed) {
      return;
    }
    setError(null);
    setAction(server.name, { kind: remove ? 'deleting' : 'stopping' });
    if (browsing === server.name) {
      setBrowsing(null);
    }
    try {
      const done = remove
        ? await client.deleteServer(server.name)
        : await client.stopServer(server.name);
      if (!done) {
        setError(
          trans.__(
            '%1 is still stopping after a minute; the list shows when it is done.',
            label
          )
        );
      }
    } catch (reason) {
      setError(Private.message(reason, trans));
    } finally {
      setAction(server.name, null);
      void poll?.refresh();
    }
  };

  const create = (event: React.FormEvent) => {
    event.preventDefault();
    const name = newName.trim();
    const problem = checkServerName(
      name,
      trans,
      (servers ?? []).map(server => server.name)
    );
    setNameError(problem);
    if (!problem) {
      setNewName('');
      void start(name);
    }
  };

  const nameInputId = `jp-lmk-HubNewName-${config.id}`;
  return (
    <div className="jp-lmk-HubView">
      <div className="jp-lmk-HubView-toolbar">
        <button
          type="button"
          className="jp-mod-styled"
          onClick={() => void poll?.refresh()}
        >
          {trans.__('Refresh')}
        </button>
      </div>
      {error && (
        <p className="jp-lmk-Field-error" role="alert">
          {error}
        </p>
      )}
      {servers === null && !error && (
        <p className="jp-lmk-HubView-empty">{trans.__('Loading…')}</p>
      )}
      {servers && (
        <ul
          className="jp-lmk-HubServers"
          aria-label={trans.__('Servers on %1', config.name)}
        >
          {servers.map(server => (
            <HubServerItem
              key={server.name}
              server={server}
              action={actions[server.name] ?? null}
              browsing={browsing === server.name}
              trans={trans}
              onStart={() => void start(server.name)}
              onStop={() => void stop(server, false)}
              onDelete={() => void stop(server, true)}
              onBrowse={() =>
                setBrowsing(browsing === server.name ? null : server.name)
              }
            >
              {browsing === server.name && (
                <JupyterServerView
                  config={{
                    id: `${config.id}/${server.name}`,
                    kind: 'jupyter',
                    name: `${config.name}: ${Private.label(server.name, trans)}`,
                    ...client.connection(server)
                  }}
                  context={context}
                />
              )}
            </HubServerItem>
          ))}
          {Object.entries(actions)
            .filter(([name]) => !servers.some(server => server.name === name))
            .map(([name, action]) => (
              // A new server the list does not show yet.
              <HubServerItem
                key={name}
                server={Private.placeholder(name)}
                action={action}
                browsing={false}
                trans={trans}
              />
            ))}
        </ul>
      )}
      <form className="jp-lmk-HubNew" onSubmit={create} noValidate>
        <label htmlFor={nameInputId}>{trans.__('New server')}</label>
        <input
          id={nameInputId}
          className="jp-mod-styled"
          value={newName}
          placeholder={trans.__('name, e.g. analysis-2')}
          maxLength={30}
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? `${nameInputId}-error` : undefined}
          onChange={event => {
            setNewName(event.target.value);
            setNameError(null);
          }}
        />
        <button type="submit" className="jp-mod-styled jp-mod-accept">
          {trans.__('Start')}
        </button>
        {nameError && (
          <p
            id={`${nameInputId}-error`}
            className="jp-lmk-Field-error"
            role="alert"
          >
            {nameError}
          </p>
        )}
      </form>
    </div>
  );
}

/**
 * The namespace for `HubServerView` statics.
 */
export namespace HubServerView {
  /**
   * Props of the view of one hub.
   */
  export interface IProps {
    config: IRemoteServerConfig;
    context: IRemoteContext;
  }
}

/**
 * One server of the hub, with its state and actions.
 */
function HubServerItem(props: {
  server: IHubServer;
  action: Private.IAction | null;
  browsing: boolean;
  trans: IRemoteContext['trans'];
  onStart?: () => void;
  onStop?: () => void;
  onDelete?: () => void;
  onBrowse?: () => void;
  children?: React.ReactNode;
}): React.ReactElement {
  const { server, action, trans } = props;
  const label = Private.label(server.name, trans);
  const state: HubServerState | 'deleting' = action
    ? action.kind
    : server.state;
  return (
    <li className={`jp-lmk-HubServer jp-lmk-mod-${state}`}>
      <div className="jp-lmk-HubServer-head">
        <span className="jp-lmk-HubServer-name">{label}</span>
        <span className={`jp-lmk-HubServer-state jp-lmk-mod-${state}`}>
          {Private.stateLabel(state, trans)}
        </span>
      </div>
      {action?.kind === 'starting' && (
        <div className="jp-lmk-HubServer-progress">
          <div
            className="jp-lmk-HubServer-bar"
            role="progressbar"
            aria-label={trans.__('Starting %1', label)}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={action.progress}
          >
            <div style={{ width: `${action.progress}%` }} />
          </div>
          {action.message && (
            <span className="jp-lmk-HubServer-message" aria-live="polite">
              {action.message}
            </span>
          )}
        </div>
      )}
      {!action && (
        <div className="jp-lmk-HubServer-actions">
          {server.state === 'stopped' && props.onStart && (
            <button
              type="button"
              className="jp-mod-styled jp-mod-accept"
              aria-label={trans.__('Start %1', label)}
              onClick={props.onStart}
            >
              {trans.__('Start')}
            </button>
          )}
          {server.state === 'running' && props.onBrowse && (
            <button
              type="button"
              className="jp-mod-styled"
              aria-expanded={props.browsing}
              aria-label={trans.__('Browse sessions of %1', label)}
              onClick={props.onBrowse}
            >
              {props.browsing
                ? trans.__('Hide sessions')
                : trans.__('Browse sessions')}
            </button>
          )}
          {server.state !== 'stopped' && props.onStop && (
            <button
              type="button"
              className="jp-mod-styled jp-mod-reject"
              aria-label={trans.__('Stop %1', label)}
              onClick={props.onStop}
            >
              {trans.__('Stop')}
            </button>
          )}
          {server.state === 'stopped' && server.name && props.onDelete && (
            <button
              type="button"
              className="jp-mod-styled jp-mod-reject"
              aria-label={trans.__('Delete %1', label)}
              onClick={props.onDelete}
            >
              {trans.__('Delete')}
            </button>
          )}
        </div>
      )}
      {props.children && (
        <div className="jp-lmk-HubServer-sessions">{props.children}</div>
      )}
    </li>
  );
}

namespace Private {
  /** What the view is doing to one server. */
  export type IAction =
    | { kind: 'starting'; progress: number; message: string }
    | { kind: 'stopping' }
    | { kind: 'deleting' };

  /** A server's name for the user ('' is the default server). */
  export function label(name: string, trans: IRemoteContext['trans']): string {
    return name ? name : trans.__('Default server');
  }

  export function stateLabel(
    state: HubServerState | 'deleting',
    trans: IRemoteContext['trans']
  ): string {
    switch (state) {
      case 'running':
        return trans.__('running');
      case 'starting':
        return trans.__('starting…');
      case 'stopping':
        return trans.__('stopping…');
      case 'deleting':
        return trans.__('deleting…');
      default:
        return trans.__('stopped');
    }
  }

  /** A server being created, before the hub lists it. */
  export function placeholder(name: string): IHubServer {
    return {
      name,
      displayName: name,
      state: 'starting',
      pending: 'spawn',
      url: '',
      started: null,
      lastActivity: null
    };
  }

  /** One sentence for the user from any failure. */
  export function message(
    reason: unknown,
    trans: IRemoteContext['trans']
  ): string {
    if (reason instanceof DeliveryError) {
      return reason.message;
    }
    return trans.__('Something went wrong talking to the hub; try Refresh.');
  }
}
