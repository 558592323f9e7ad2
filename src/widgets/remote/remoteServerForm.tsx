import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { CheckedFormFooter } from '../checkedFormFooter';
import { checkHttpUrl, hostOf } from '../../delivery/http';
import type {
  IRemoteServerConfig,
  RemoteServerKind
} from '../../remote/remoteServer';
import { remoteKindLabel } from './remoteKinds';

/**
 * Add or edit one remote server: kind, name, URL and token. The server is
 * checked over the network before it is saved (a problem offers "Save
 * anyway"); nothing typed is lost on an error. When editing, a blank token
 * keeps the saved one, which is never shown back.
 */
export function RemoteServerForm(
  props: RemoteServerForm.IProps
): React.ReactElement {
  const { trans, existing } = props;
  const [kind, setKind] = React.useState<RemoteServerKind>(
    existing?.kind ?? 'jupyter'
  );
  const [name, setName] = React.useState(existing?.name ?? '');
  const [url, setUrl] = React.useState(existing?.url ?? '');
  const [token, setToken] = React.useState('');
  const [urlError, setUrlError] = React.useState<string | null>(null);
  const [checkProblem, setCheckProblem] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const id = React.useId();

  const save = async (anyway: boolean) => {
    const problem = checkHttpUrl(url.trim(), trans);
    setUrlError(problem);
    if (problem) {
      return;
    }
    const config = props.normalize({
      id: existing?.id ?? props.newId(kind),
      kind,
      name: name.trim() || hostOf(url.trim()) || url.trim(),
      url: url.trim(),
      token: token.trim() || (existing?.kind === kind ? existing.token : '')
    });
    setBusy(true);
    try {
      if (!anyway) {
        const failure = await props.check(config);
        if (failure) {
          setCheckProblem(failure);
          return;
        }
      }
      await props.onSave(config);
    } catch (reason) {
      setCheckProblem(
        reason instanceof Error ? reason.message : String(reason)
      );
    } finally {
      setBusy(false);
    }
  };

  const changed = () => setCheckProblem(null);
  return (
    <form
      className="jp-lmk-RemoteForm"
      aria-label={
        existing
          ? trans.__('Edit server %1', existing.name)
          : trans.__('Add a server')
      }
      onSubmit={event => {
        event.preventDefault();
        void save(false);
      }}
      onKeyDown={event => {
        if (event.key === 'Escape') {
          event.preventDefault();
          props.onCancel();
        }
      }}
    >
      <div className="jp-lmk-Field">
        <label htmlFor={`${id}-kind`} className="jp-lmk-Field-label">
          {trans.__('Kind')}
        </label>
        <select
          id={`${id}-kind`}
          className="jp-mod-styled"
          value={kind}
          onChange={event => {
            setKind(event.target.value as RemoteServerKind);
            changed();
          }}
        >
          {(['jupyter', 'hub', 'skaha'] as const).map(value => (
            <option key={value} value={value}>
              {remoteKindLabel(value, trans)}
            </option>
          ))}
        </select>
      </div>
      <div className="jp-lmk-Field">
        <label htmlFor={`${id}-name`} className="jp-lmk-Field-label">
          {trans.__('Name')}
        </label>
        <input
          id={`${id}-name`}
          className="jp-mod-styled"
          type="text"
          value={name}
          placeholder={trans.__('(the host name)')}
          onChange={event => setName(event.target.value)}
        />
      </div>
      <div className="jp-lmk-Field">
        <label htmlFor={`${id}-url`} className="jp-lmk-Field-label">
          {trans.__('URL')} *
        </label>
        <input
          id={`${id}-url`}
          className="jp-mod-styled"
          type="url"
          spellCheck={false}
          aria-required
          aria-invalid={urlError ? true : undefined}
          aria-describedby={`${id}-url-help${urlError ? ` ${id}-url-error` : ''}`}
          value={url}
          placeholder={Private.urlPlaceholder(kind)}
          onChange={event => {
            setUrl(event.target.value);
            setUrlError(null);
            changed();
          }}
        />
        <span id={`${id}-url-help`} className="jp-lmk-Field-help">
          {Private.urlHelp(kind, trans)}
        </span>
        {urlError && (
          <span id={`${id}-url-error`} className="jp-lmk-Field-error">
            {urlError}
          </span>
        )}
      </div>
      <div className="jp-lmk-Field">
        <label htmlFor={`${id}-token`} className="jp-lmk-Field-label">
          {Private.tokenLabel(kind, trans)}
        </label>
        <input
          id={`${id}-token`}
          className="jp-mod-styled"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          placeholder={
            existing?.token && existing.kind === kind
              ? trans.__('•••••• saved (type to replace)')
              : ''
          }
          onChange={event => {
            setToken(event.target.value);
            changed();
          }}
        />
      </div>
      <CheckedFormFooter
        problem={checkProblem}
        busy={busy}
        trans={trans}
        onSaveAnyway={() => void save(true)}
        onCancel={props.onCancel}
      />
    </form>
  );
}

/**
 * The namespace for `RemoteServerForm` statics.
 */
export namespace RemoteServerForm {
  /**
   * Properties of the remote server form.
   */
  export interface IProps {
    /** The server being edited; undefined for a new one. */
    existing?: IRemoteServerConfig;
    /** The id a new server of a kind gets. */
    newId: (kind: RemoteServerKind) => string;
    /** Tidy what was typed (e.g. a token pasted in a Jupyter URL). */
    normalize: (config: IRemoteServerConfig) => IRemoteServerConfig;
    /** Check a server over the network: null when fine, else what is wrong. */
    check: (config: IRemoteServerConfig) => Promise<string | null>;
    trans: TranslationBundle;
    onSave: (config: IRemoteServerConfig) => Promise<void>;
    onCancel: () => void;
  }
}

namespace Private {
  export function urlPlaceholder(kind: RemoteServerKind): string {
    switch (kind) {
      case 'hub':
        return 'https://hub.example.org';
      case 'skaha':
        return 'https://ws-uv.canfar.net/skaha/v1';
      default:
        return 'http://127.0.0.1:8890/';
    }
  }

  export function urlHelp(
    kind: RemoteServerKind,
    trans: TranslationBundle
  ): string {
    switch (kind) {
      case 'hub':
        return trans.__('The address of the hub, without /hub/.');
      case 'skaha':
        return trans.__("The base address of the platform's session API.");
      default:
        return trans.__(
          'The address the server prints at start; a ?token=… in it is taken as the token.'
        );
    }
  }

  export function tokenLabel(
    kind: RemoteServerKind,
    trans: TranslationBundle
  ): string {
    switch (kind) {
      case 'hub':
        return trans.__('API token');
      case 'skaha':
        return trans.__('Bearer token');
      default:
        return trans.__('Token');
    }
  }
}
