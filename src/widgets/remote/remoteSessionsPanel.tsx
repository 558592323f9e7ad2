import type { Kernel, Session } from '@jupyterlab/services';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import { hostOf } from '../../delivery/http';
import {
  type IRemoteContext,
  type IRemoteServerConfig,
  LOCAL_SERVER_ID,
  type RemoteServerKind
} from '../../remote/remoteServer';
import type { SettingsStore } from '../../settings/settingsStore';
import { showFormDialog } from '../formDialog';
import { JupyterServerView } from './jupyterServerView';
import { remoteKindLabel } from './remoteKinds';
import { RemoteServerForm } from './remoteServerForm';

const HubServerView = React.lazy(() =>
  import('./hubServerView').then(m => ({ default: m.HubServerView }))
);
const SkahaView = React.lazy(() =>
  import('./skahaView').then(m => ({ default: m.SkahaView }))
);

/**
 * The Remote sessions section: this lab's own server first, then each
 * configured Jupyter server, JupyterHub and CANFAR/Skaha platform, each in
 * a block that can be folded (a folded block stops polling), edited and
 * removed; "Add a server…" below. Adding and editing happen in a dialog.
 */
export class RemoteSessionsPanel extends ReactWidget {
  constructor(private _options: RemoteSessionsPanel.IOptions) {
    super();
    this.addClass('jp-lmk-RemoteView');
  }

  protected render(): React.ReactElement {
    return (
      <UseSignal signal={this._options.store.changed}>
        {() => <Private.Servers {...this._options} />}
      </UseSignal>
    );
  }
}

/**
 * The namespace for `RemoteSessionsPanel` statics.
 */
export namespace RemoteSessionsPanel {
  /**
   * Options to create the Remote sessions section.
   */
  export interface IOptions {
    store: SettingsStore;
    context: IRemoteContext;
    /** This lab's own session and kernel managers. */
    local: { sessions: Session.IManager; kernels: Kernel.IManager };
    /** Tidy what the user typed (see `RemoteServerForm.IProps.normalize`). */
    normalize: (config: IRemoteServerConfig) => IRemoteServerConfig;
    /** Check a server before it is saved: null when fine, else the problem. */
    check: (config: IRemoteServerConfig) => Promise<string | null>;
  }
}

namespace Private {
  export function Servers(
    props: RemoteSessionsPanel.IOptions
  ): React.ReactElement {
    const { store, context } = props;
    const { trans } = context;
    const [folded, setFolded] = React.useState<ReadonlySet<string>>(
      () => new Set()
    );
    const [error, setError] = React.useState<string | null>(null);
    const servers = store.settings.remoteServers;
    const local: IRemoteServerConfig = {
      id: LOCAL_SERVER_ID,
      kind: 'jupyter',
      name: trans.__('This server'),
      url: '',
      token: ''
    };

    const toggle = (id: string) => {
      const next = new Set(folded);
      if (next.has(id)) {
        next.delete(id);
      } else {
        next.add(id);
      }
      setFolded(next);
    };
    const remove = async (config: IRemoteServerConfig) => {
      const yes = await context.confirm(
        trans.__('Remove this server?'),
        trans.__(
          '"%1" will no longer be listed. Its address and token are deleted from the settings.',
          config.name
        ),
        trans.__('Remove')
      );
      if (yes) {
        try {
          await store.removeRemoteServer(config.id);
        } catch (reason) {
          setError(reason instanceof Error ? reason.message : String(reason));
        }
      }
    };
    const edit = (existing?: IRemoteServerConfig) =>
      void showFormDialog({
        title: existing
          ? trans.__('Edit %1', existing.name)
          : trans.__('Add a server'),
        className: 'jp-lmk-RemoteServerDialog',
        render: close => (
          <RemoteServerForm
            existing={existing}
            trans={trans}
            newId={(kind: RemoteServerKind) => store.newRemoteServerId(kind)}
            normalize={props.normalize}
            check={props.check}
            onSave={async config => {
              await store.saveRemoteServer(config);
              close();
            }}
            onCancel={close}
          />
        )
      });

    return (
      <>
        {error && (
          <p className="jp-lmk-Field-error" role="alert">
            {error}
          </p>
        )}
        <ul className="jp-lmk-RemoteServers" aria-label={trans.__('Servers')}>
          <Block
            config={local}
            kindLabel={trans.__('Jupyter server of this lab')}
            folded={folded.has(local.id)}
            onToggle={() => toggle(local.id)}
            trans={trans}
          >
            <JupyterServerView
              config={local}
              context={context}
              managers={props.local}
            />
          </Block>
          {servers.map(config => (
            <Block
              key={config.id}
              config={config}
              kindLabel={remoteKindLabel(config.kind, trans)}
              folded={folded.has(config.id)}
              onToggle={() => toggle(config.id)}
              onEdit={() => edit(config)}
              onRemove={() => void remove(config)}
              trans={trans}
            >
              <React.Suspense
                fallback={
                  <p className="jp-lmk-Sidebar-note">{trans.__('Loading…')}</p>
                }
              >
                <ServerView config={config} context={context} />
              </React.Suspense>
            </Block>
          ))}
        </ul>
        <div className="jp-lmk-AddChannel">
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept"
            onClick={() => edit()}
          >
            {trans.__('Add a server…')}
          </button>
        </div>
      </>
    );
  }

  function ServerView(props: {
    config: IRemoteServerConfig;
    context: IRemoteContext;
  }): React.ReactElement {
    switch (props.config.kind) {
      case 'hub':
        return <HubServerView {...props} />;
      case 'skaha':
        return <SkahaView {...props} />;
      default:
        return <JupyterServerView {...props} />;
    }
  }

  /**
   * One server: a header that folds it (and stops its polling), its kind
   * and host, Edit and Remove; the server's view below.
   */
  function Block(props: {
    config: IRemoteServerConfig;
    kindLabel: string;
    folded: boolean;
    onToggle: () => void;
    onEdit?: () => void;
    onRemove?: () => void;
    trans: TranslationBundleLike;
    children: React.ReactNode;
  }): React.ReactElement {
    const { config, trans } = props;
    const bodyId = React.useId();
    return (
      <li
        className="jp-lmk-RemoteServer"
        data-server-id={config.id}
        aria-label={config.name}
      >
        <div className="jp-lmk-RemoteServer-head">
          <button
            type="button"
            className="jp-lmk-RemoteServer-toggle"
            aria-expanded={!props.folded}
            aria-controls={bodyId}
            onClick={props.onToggle}
          >
            <span className="jp-lmk-RemoteServer-caret" aria-hidden="true">
              {props.folded ? '▸' : '▾'}
            </span>
            <span className="jp-lmk-RemoteServer-name">{config.name}</span>
          </button>
          <span className="jp-lmk-RemoteServer-kind">
            {props.kindLabel}
            {config.url ? ` · ${hostOf(config.url)}` : ''}
          </span>
          {props.onEdit && (
            <button
              type="button"
              className="jp-Button jp-mod-minimal jp-mod-small jp-lmk-RemoteServer-action"
              aria-label={trans.__('Edit %1', config.name)}
              onClick={props.onEdit}
            >
              {trans.__('Edit')}
            </button>
          )}
          {props.onRemove && (
            <button
              type="button"
              className="jp-Button jp-mod-minimal jp-mod-small jp-lmk-RemoteServer-action"
              aria-label={trans.__('Remove %1', config.name)}
              onClick={props.onRemove}
            >
              {trans.__('Remove')}
            </button>
          )}
        </div>
        {!props.folded && (
          <div id={bodyId} className="jp-lmk-RemoteServer-body">
            {props.children}
          </div>
        )}
      </li>
    );
  }

  type TranslationBundleLike = IRemoteContext['trans'];
}
