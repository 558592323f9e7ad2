import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type {
  ILmkAccounts,
  IMatrixAccount,
  INtfyAccount
} from '../settings/lmkSettings';
import type { SettingsStore } from '../settings/settingsStore';

/**
 * What the login forms need from Matrix (loaded on first use).
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
 * What the login forms need from ntfy (loaded on first use).
 */
export interface INtfyService {
  /** An access token for the user, from ntfy's account API. */
  login(server: string, user: string, password: string): Promise<string>;
  /** Revoke the token. */
  logout(account: INtfyAccount): Promise<void>;
}

/**
 * What the account parts share.
 */
export interface IAccountProps {
  store: SettingsStore;
  trans: TranslationBundle;
  matrix: () => Promise<IMatrixService>;
  ntfy: () => Promise<INtfyService>;
}

/**
 * The logins made so far, each with Log out (which revokes its token on
 * the server); nothing when there is none. Logging in happens where it is
 * needed: when adding a Matrix or ntfy channel.
 */
export function Logins(props: IAccountProps): React.ReactElement | null {
  const { store, trans } = props;
  const { matrix, ntfy } = store.settings.accounts;
  const { busy, error, run } = Private.useAction();
  if (!matrix && !ntfy) {
    return null;
  }
  const logOut = (service: keyof ILmkAccounts) =>
    void run(async () => {
      try {
        if (service === 'matrix' && matrix) {
          await (await props.matrix()).logout(matrix);
        } else if (service === 'ntfy' && ntfy) {
          await (await props.ntfy()).logout(ntfy);
        }
      } finally {
        // Forget the token even if the server could not be told.
        await store.setAccount(service, null);
      }
    });
  return (
    <section
      className="jp-lmk-Logins"
      aria-label={trans.__('Logins')}
      aria-busy={busy}
    >
      <h3 className="jp-lmk-Logins-title">{trans.__('Logins')}</h3>
      <ul className="jp-lmk-Logins-list">
        {matrix && (
          <li className="jp-lmk-Login" data-service="matrix">
            <span className="jp-lmk-Login-who">
              {trans.__('Matrix: %1', matrix.userId)}
            </span>
            <button
              type="button"
              className="jp-Button jp-mod-minimal jp-mod-small"
              disabled={busy}
              aria-label={trans.__('Log out of Matrix (%1)', matrix.userId)}
              onClick={() => logOut('matrix')}
            >
              {trans.__('Log out')}
            </button>
          </li>
        )}
        {ntfy && (
          <li className="jp-lmk-Login" data-service="ntfy">
            <span className="jp-lmk-Login-who">
              {trans.__(
                'ntfy: %1 on %2',
                ntfy.username,
                Private.host(ntfy.server)
              )}
            </span>
            <button
              type="button"
              className="jp-Button jp-mod-minimal jp-mod-small"
              disabled={busy}
              aria-label={trans.__(
                'Log out of ntfy (%1 on %2)',
                ntfy.username,
                Private.host(ntfy.server)
              )}
              onClick={() => logOut('ntfy')}
            >
              {trans.__('Log out')}
            </button>
          </li>
        )}
      </ul>
      {error && (
        <p className="jp-lmk-Field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/**
 * The Matrix login (homeserver, then password or single sign-on) and,
 * once logged in, the rooms the user joined, each offered to `onRoom`.
 */
export function MatrixLogin(
  props: IAccountProps & {
    onRoom: (room: { roomId: string; name: string }) => void;
    /** The room chosen in the form, if any. */
    chosen?: string;
  }
): React.ReactElement {
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
        {rooms === null && (
          <div className="jp-lmk-Account-buttons">
            <button
              type="button"
              className="jp-mod-styled jp-mod-accept"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  setRooms(await (await props.matrix()).rooms(account));
                })
              }
            >
              {trans.__('Choose one of your rooms…')}
            </button>
          </div>
        )}
        {rooms && (
          <ul className="jp-lmk-RoomList" aria-label={trans.__('Your rooms')}>
            {rooms.length === 0 && (
              <li>{trans.__('You have not joined any room yet.')}</li>
            )}
            {rooms.map(room => {
              const added = channels.some(
                c => c.type === 'matrix' && c.roomId === room.roomId
              );
              const chosen = props.chosen === room.roomId;
              return (
                <li key={room.roomId}>
                  <span className="jp-lmk-Room-name">{room.name}</span>
                  <button
                    type="button"
                    className="jp-Button jp-mod-minimal jp-mod-small"
                    disabled={added || chosen}
                    aria-label={trans.__('Send notifications to %1', room.name)}
                    onClick={() => props.onRoom(room)}
                  >
                    {added
                      ? trans.__('Already a channel')
                      : chosen
                        ? trans.__('Chosen')
                        : trans.__('Choose')}
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
      <h3 id={`${id}-title`}>{trans.__('Log in to Matrix')}</h3>
      <p className="jp-lmk-Field-help">
        {trans.__(
          'Notifications are posted to a room by your Matrix account; the password is used once and never stored.'
        )}
      </p>
      <form
        aria-label={trans.__('Matrix login')}
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

/**
 * The ntfy login, for protected topics: a token from ntfy's account API,
 * used by the ntfy channels on that server without a token of their own.
 */
export function NtfyLogin(props: IAccountProps): React.ReactElement {
  const { store, trans } = props;
  const account = store.settings.accounts.ntfy;
  const [open, setOpen] = React.useState(false);
  const [server, setServer] = React.useState('https://ntfy.sh');
  const [user, setUser] = React.useState('');
  const [password, setPassword] = React.useState('');
  const { busy, error, run } = Private.useAction();
  const id = React.useId();

  if (account) {
    return (
      <p className="jp-lmk-Field-help jp-lmk-Account-who">
        {trans.__(
          'Protected topics on %1 use your ntfy login (%2) unless the channel has its own token.',
          Private.host(account.server),
          account.username
        )}
      </p>
    );
  }
  const submit = () =>
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
  return (
    <section className="jp-lmk-AccountCard" aria-labelledby={`${id}-title`}>
      <button
        type="button"
        id={`${id}-title`}
        className="jp-Button jp-mod-minimal jp-mod-small jp-lmk-Account-toggle"
        aria-expanded={open}
        aria-controls={`${id}-body`}
        onClick={() => setOpen(!open)}
      >
        {trans.__('Log in to ntfy (only for protected topics)')}
      </button>
      {open && (
        <form
          id={`${id}-body`}
          aria-label={trans.__('ntfy login')}
          onSubmit={event => {
            event.preventDefault();
            submit();
          }}
        >
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
          {error && (
            <p className="jp-lmk-Field-error" role="alert">
              {error}
            </p>
          )}
        </form>
      )}
    </section>
  );
}

namespace Private {
  /**
   * Run one user action at a time: `busy` while it runs, its failure's
   * message in `error`, nothing typed lost.
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
