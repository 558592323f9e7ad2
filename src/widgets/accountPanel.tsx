import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { IMatrixAccount, INtfyAccount } from '../settings/lmkSettings';
import type { SettingsStore } from '../settings/settingsStore';

/**
 * What the Account section needs from Matrix (loaded on first use).
 */
export interface IMatrixService {
  /** The homeserver's client API base URL, found from what the user typed. */
  discover(input: string): Promise<string>;
  /** How one can log in there. */
  flows(
    baseUrl: string
  ): Promise<{ password: boolean; sso: { id: string; name: string }[] }>;
  login(
    baseUrl: string,
    user: string,
    password: string
  ): Promise<IMatrixAccount>;
  /** Start a single sign-on in a new window; the lab finishes it on return. */
  startSso(baseUrl: string, idpId: string): void;
  rooms(account: IMatrixAccount): Promise<{ roomId: string; name: string }[]>;
  /** Revoke the access token. */
  logout(account: IMatrixAccount): Promise<void>;
}

/**
 * What the Account section needs from ntfy (loaded on first use).
 */
export interface INtfyService {
  /** An access token for the user, from ntfy's account API. */
  login(server: string, user: string, password: string): Promise<string>;
  /** Revoke the token. */
  logout(account: INtfyAccount): Promise<void>;
}

/**
 * The Account section: log in to and out of the services that have
 * accounts (Matrix, ntfy), and turn Matrix rooms into channels.
 */
export class AccountPanel extends ReactWidget {
  constructor(private _options: AccountPanel.IOptions) {
    super();
    this.addClass('jp-lmk-Account');
  }

  protected render(): React.ReactElement {
    return (
      <UseSignal signal={this._options.store.changed}>
        {() => (
          <div className="jp-lmk-AccountView">
            <MatrixAccount {...this._options} />
            <NtfyAccount {...this._options} />
          </div>
        )}
      </UseSignal>
    );
  }
}

/**
 * The namespace for `AccountPanel` statics.
 */
export namespace AccountPanel {
  /**
   * Options of the Account section.
   */
  export interface IOptions {
    store: SettingsStore;
    trans: TranslationBundle;
    matrix: () => Promise<IMatrixService>;
    ntfy: () => Promise<INtfyService>;
  }
}

function MatrixAccount(props: AccountPanel.IOptions): React.ReactElement {
  const { store, trans } = props;
  const account = store.settings.accounts.matrix;
  const [input, setInput] = React.useState('');
  const [baseUrl, setBaseUrl] = React.useState<string | null>(null);
  const [flows, setFlows] = React.useState<{
    password: boolean;
    sso: { id: string; name: string }[];
  } | null>(null);
  const [user, setUser] = React.useState('');
  const [password, setPassword] = React.useState('');
  const [rooms, setRooms] = React.useState<
    { roomId: string; name: string }[] | null
  >(null);
  const { busy, error, run } = Private.useAction();
  const id = React.useId();

  if (account) {
    const channels = store.settings.channels;
    return (
      <section className="jp-lmk-AccountCard" aria-labelledby={`${id}-title`}>
        <h3 id={`${id}-title`}>{trans.__('Matrix')}</h3>
        <p className="jp-lmk-Account-who">
          {trans.__('Logged in as %1', account.userId)}
        </p>
        <div className="jp-lmk-Account-buttons">
          <button
            type="button"
            className="jp-mod-styled jp-mod-reject"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                setRooms(await (await props.matrix()).rooms(account));
              })
            }
          >
            {trans.__('Choose rooms…')}
          </button>
          <button
            type="button"
            className="jp-mod-styled jp-mod-warn"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                const service = await props.matrix();
                try {
                  await service.logout(account);
                } finally {
                  // Forget the token even if the server could not be told.
                  await store.setAccount('matrix', null);
                  setRooms(null);
                }
              })
            }
          >
            {trans.__('Log out')}
          </button>
        </div>
        {rooms && (
          <ul className="jp-lmk-RoomList" aria-label={trans.__('Your rooms')}>
            {rooms.length === 0 && (
              <li>{trans.__('You have not joined any room yet.')}</li>
            )}
            {rooms.map(room => {
              const added = channels.some(
                c => c.type === 'matrix' && c.roomId === room.roomId
              );
              return (
                <li key={room.roomId}>
                  <span className="jp-lmk-Room-name">{room.name}</span>
                  <button
                    type="button"
                    className="jp-mod-styled jp-mod-accept"
                    disabled={added || busy}
                    aria-label={trans.__('Send notifications to %1', room.name)}
                    onClick={() =>
                      void run(async () => {
                        await store.saveChannel({
                          id: store.newChannelId('matrix'),
                          type: 'matrix',
                          enabled: true,
                          name: room.name,
                          roomId: room.roomId
                        });
                      })
                    }
                  >
                    {added ? trans.__('Added') : trans.__('Add as channel')}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        {error && (
          <p className="jp-lmk-Field-error" role="alert">
            {error}
          </p>
        )}
      </section>
    );
  }

  return (
    <section className="jp-lmk-AccountCard" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{trans.__('Matrix')}</h3>
      <form
        onSubmit={event => {
          event.preventDefault();
          void run(async () => {
            const service = await props.matrix();
            if (!baseUrl || !flows) {
              const found = await service.discover(input);
              setBaseUrl(found);
              setFlows(await service.flows(found));
              return;
            }
            const session = await service.login(baseUrl, user, password);
            setPassword('');
            await store.setAccount('matrix', session);
          });
        }}
      >
        <Private.Input
          id={`${id}-server`}
          label={trans.__('Homeserver')}
          type="text"
          spellCheck={false}
          placeholder={trans.__('matrix.org')}
          value={input}
          onChange={event => {
            setInput(event.target.value);
            setBaseUrl(null);
            setFlows(null);
          }}
        />
        {flows?.password && (
          <>
            <Private.Input
              id={`${id}-user`}
              label={trans.__('Username')}
              type="text"
              autoComplete="username"
              spellCheck={false}
              value={user}
              onChange={event => setUser(event.target.value)}
            />
            <Private.Input
              id={`${id}-password`}
              label={trans.__('Password')}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={event => setPassword(event.target.value)}
            />
          </>
        )}
        {flows && !flows.password && flows.sso.length === 0 && (
          <p className="jp-lmk-Field-error" role="alert">
            {trans.__(
              'This homeserver offers no way to log in that the lab supports (password or single sign-on).'
            )}
          </p>
        )}
        <div className="jp-lmk-Account-buttons">
          {(!flows || flows.password) && (
            <button
              type="submit"
              className="jp-mod-styled jp-mod-accept"
              disabled={busy || !input.trim()}
            >
              {flows ? trans.__('Log in') : trans.__('Continue')}
            </button>
          )}
          {flows &&
            baseUrl &&
            flows.sso.map(provider => (
              <button
                key={provider.id}
                type="button"
                className="jp-mod-styled jp-mod-reject"
                onClick={() =>
                  void run(async () =>
                    (await props.matrix()).startSso(baseUrl, provider.id)
                  )
                }
              >
                {trans.__('Log in with %1', provider.name)}
              </button>
            ))}
        </div>
        {baseUrl && (
          <p className="jp-lmk-Field-help">
            {trans.__('Homeserver found: %1', baseUrl)}
          </p>
        )}
        {error && (
          <p className="jp-lmk-Field-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}

function NtfyAccount(props: AccountPanel.IOptions): React.ReactElement {
  const { store, trans } = props;
  const account = store.settings.accounts.ntfy;
  const [server, setServer] = React.useState('https://ntfy.sh');
  const [user, setUser] = React.useState('');
  const [password, setPassword] = React.useState('');
  const { busy, error, run } = Private.useAction();
  const id = React.useId();

  return (
    <section className="jp-lmk-AccountCard" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{trans.__('ntfy')}</h3>
      {account ? (
        <>
          <p className="jp-lmk-Account-who">
            {trans.__(
              'Logged in to %1 as %2',
              Private.host(account.server),
              account.username
            )}
          </p>
          <p className="jp-lmk-Field-help">
            {trans.__(
              'ntfy channels on this server without their own token use this login.'
            )}
          </p>
          <button
            type="button"
            className="jp-mod-styled jp-mod-warn"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                try {
                  await (await props.ntfy()).logout(account);
                } finally {
                  await store.setAccount('ntfy', null);
                }
              })
            }
          >
            {trans.__('Log out')}
          </button>
        </>
      ) : (
        <form
          onSubmit={event => {
            event.preventDefault();
            void run(async () => {
              const token = await (
                await props.ntfy()
              ).login(server.trim(), user.trim(), password);
              setPassword('');
              await store.setAccount('ntfy', {
                server: server.trim(),
                username: user.trim(),
                token
              });
            });
          }}
        >
          <p className="jp-lmk-Field-help">
            {trans.__(
              'Only needed for protected topics; public topics need no login.'
            )}
          </p>
          <Private.Input
            id={`${id}-server`}
            label={trans.__('Server')}
            type="url"
            spellCheck={false}
            value={server}
            onChange={event => setServer(event.target.value)}
          />
          <Private.Input
            id={`${id}-user`}
            label={trans.__('Username')}
            type="text"
            autoComplete="username"
            value={user}
            onChange={event => setUser(event.target.value)}
          />
          <Private.Input
            id={`${id}-password`}
            label={trans.__('Password')}
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={event => setPassword(event.target.value)}
          />
          <button
            type="submit"
            className="jp-mod-styled jp-mod-accept"
            disabled={busy || !user.trim() || !password}
          >
            {trans.__('Log in')}
          </button>
        </form>
      )}
      {error && (
        <p className="jp-lmk-Field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

namespace Private {
  /**
   * Run one user action at a time: `busy` while it runs, its failure's
   * message in `error` (shown in the card), nothing typed lost.
   */
  export function useAction(): {
    busy: boolean;
    error: string | null;
    run: (action: () => Promise<void>) => Promise<void>;
  } {
    const [error, setError] = React.useState<string | null>(null);
    const [busy, setBusy] = React.useState(false);
    const run = async (action: () => Promise<void>) => {
      setBusy(true);
      setError(null);
      try {
        await action();
      } catch (reason) {
        setError(reason instanceof Error ? reason.message : String(reason));
      } finally {
        setBusy(false);
      }
    };
    return { busy, error, run };
  }

  /**
   * A labelled, themed text input.
   */
  export function Input(
    props: {
      id: string;
      label: string;
    } & React.InputHTMLAttributes<HTMLInputElement>
  ): React.ReactElement {
    const { label, ...input } = props;
    return (
      <div className="jp-lmk-Field">
        <label htmlFor={props.id} className="jp-lmk-Field-label">
          {label}
        </label>
        <input className="jp-mod-styled" {...input} />
      </div>
    );
  }

  export function host(url: string): string {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  }
}
