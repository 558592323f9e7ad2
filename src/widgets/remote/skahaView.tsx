import { Poll } from '@lumino/polling';
import * as React from 'react';
import type {
  ISkahaSessionForm,
  SkahaFormErrors
} from '../../remote/skaha/createRequest';
import {
  emptySessionForm,
  validateCreate
} from '../../remote/skaha/createRequest';
import { SkahaClient } from '../../remote/skaha/skahaClient';
import type {
  ISkahaLimits,
  ISkahaSession,
  ISkahaStats
} from '../../remote/skaha/skahaSession';
import {
  connectionURL,
  jupyterServerOf,
  SKAHA_KINDS,
  SKAHA_STATUSES
} from '../../remote/skaha/skahaSession';
import type {
  IRemoteContext,
  IRemoteServerConfig
} from '../../remote/remoteServer';
import type { SkahaSessionAction } from './skahaSessionList';
import { SkahaSessionList } from './skahaSessionList';
import { SkahaDeleteByName } from './skahaDeleteByName';
import { SkahaSessionForm } from './skahaSessionForm';
import { showFormDialog } from '../formDialog';

/** Longest logs or events text kept on screen (its end is shown). */
const MAX_DETAIL = 100_000;

/**
 * Props of the Skaha view.
 */
export interface ISkahaViewProps {
  config: IRemoteServerConfig;
  context: IRemoteContext;
  /** Poll interval in ms (default 15 s; backs off on failures). */
  interval?: number;
}

/**
 * The sessions of a CANFAR/Skaha science platform: filters, the
 * (virtualised) list with each session's actions, platform figures, a New
 * session form, and deletion by name prefix or regular expression.
 */
export function SkahaView(props: ISkahaViewProps): React.ReactElement {
  const { config, context } = props;
  const { trans } = context;
  const client = React.useMemo(
    () => new SkahaClient({ url: config.url, token: config.token, trans }),
    [config.url, config.token, trans]
  );
  const [kind, setKind] = React.useState('');
  const [status, setStatus] = React.useState('');
  const [sessions, setSessions] = React.useState<ISkahaSession[] | null>(null);
  const [stats, setStats] = React.useState<ISkahaStats | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [notice, setNotice] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState<string | null>(null);
  const [detail, setDetail] = React.useState<Private.IDetail | null>(null);
  const [panel, setPanel] = React.useState<'none' | 'delete'>('none');

  // The poll reads the filters through a ref: it is made once per client.
  const filters = React.useRef({ kind, status });
  filters.current = { kind, status };
  const load = React.useCallback(async () => {
    try {
      const [list, figures] = await Promise.all([
        client.list(filters.current),
        client.stats().catch(() => null)
      ]);
      setSessions(list);
      setStats(figures);
      setError(null);
    } catch (reason) {
      setError(Private.message(reason));
      throw reason;
    }
  }, [client]);

  const poll = React.useRef<Poll | null>(null);
  React.useEffect(() => {
    const interval = props.interval ?? 15_000;
    const created = new Poll({
      factory: load,
      frequency: { interval, backoff: true, max: 20 * interval },
      standby: () => !context.isVisible() || 'when-hidden',
      name: `lmk:skaha:${config.id}`
    });
    poll.current = created;
    const onShown = () => void created.refresh();
    context.shown.connect(onShown);
    return () => {
      context.shown.disconnect(onShown);
      created.dispose();
      poll.current = null;
    };
  }, [load, context, config.id, props.interval]);

  const refresh = () => void poll.current?.refresh();
  // A filter change lists again at once (the poll's own start lists first).
  const filtered = React.useRef(false);
  React.useEffect(() => {
    if (filtered.current) {
      refresh();
    }
    filtered.current = true;
  }, [kind, status]);

  const act = async (session: ISkahaSession, action: SkahaSessionAction) => {
    setNotice(null);
    switch (action) {
      case 'info':
      case 'logs':
      case 'events':
        await showDetail(session, action);
        return;
      case 'open': {
        const url = connectionURL(session);
        if (url) {
          window.open(url, '_blank', 'noopener');
        }
        return;
      }
      case 'add-server': {
        const server = jupyterServerOf(session);
        if (!server) {
          return;
        }
        await run(session.id, async () => {
          await context.addJupyterServer({ name: session.name, ...server });
          setNotice(
            trans.__('%1 was added as a Jupyter server.', session.name)
          );
        });
        return;
      }
      case 'renew':
        await run(session.id, async () => {
          await client.renew(session.id);
          setNotice(trans.__('%1 was renewed.', session.name));
          refresh();
        });
        return;
      case 'delete': {
        const yes = await context.confirm(
          trans.__('Delete session'),
          trans.__(
            'Delete the session "%1" (%2)? What it has not saved is lost.',
            session.name,
            session.id
          ),
          trans.__('Delete')
        );
        if (yes) {
          await run(session.id, async () => {
            await client.remove(session.id);
            setNotice(trans.__('%1 was deleted.', session.name));
            setSessions(
              current => current?.filter(s => s.id !== session.id) ?? null
            );
            refresh();
          });
        }
        return;
      }
    }
  };

  const run = async (id: string, job: () => Promise<void>) => {
    setBusy(id);
    try {
      await job();
      setError(null);
    } catch (reason) {
      setError(Private.message(reason));
    } finally {
      setBusy(null);
    }
  };

  const showDetail = async (
    session: ISkahaSession,
    view: 'info' | 'logs' | 'events'
  ) => {
    setDetail({ session, view, text: null, error: null });
    try {
      const text =
        view === 'logs'
          ? await client.logs(session.id)
          : view === 'events'
            ? await client.events(session.id)
            : JSON.stringify(await client.info(session.id), null, 2);
      setDetail({ session, view, text, error: null });
    } catch (reason) {
      setDetail({ session, view, text: null, error: Private.message(reason) });
    }
  };

  return (
    <div className="jp-lmk-Skaha" data-server-id={config.id}>
      <div className="jp-lmk-Skaha-toolbar">
        <label>
          {trans.__('Kind')}
          <select value={kind} onChange={event => setKind(event.target.value)}>
            <option value="">{trans.__('All')}</option>
            {SKAHA_KINDS.map(value => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        <label>
          {trans.__('Status')}
          <select
            value={status}
            onChange={event => setStatus(event.target.value)}
          >
            <option value="">{trans.__('All')}</option>
            {SKAHA_STATUSES.map(value => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        <button className="jp-lmk-SkahaButton" onClick={refresh}>
          {trans.__('Refresh')}
        </button>
        <button
          className="jp-lmk-SkahaButton"
          aria-haspopup="dialog"
          onClick={() =>
            void showFormDialog({
              title: trans.__('New session on %1', config.name),
              className: 'jp-lmk-SkahaSessionDialog',
              render: close => (
                <Private.Create
                  client={client}
                  trans={trans}
                  onDone={message => {
                    close();
                    setNotice(message);
                    refresh();
                  }}
                  onCancel={close}
                />
              )
            })
          }
        >
          {trans.__('New session…')}
        </button>
        <button
          className="jp-lmk-SkahaButton"
          aria-expanded={panel === 'delete'}
          onClick={() => setPanel(panel === 'delete' ? 'none' : 'delete')}
        >
          {trans.__('Delete by name…')}
        </button>
      </div>
      {error && (
        <p className="jp-lmk-Field-error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="jp-lmk-Skaha-notice" aria-live="polite">
          {notice}
        </p>
      )}
      {stats && <Private.Stats stats={stats} trans={trans} />}
      {panel === 'delete' && (
        <SkahaDeleteByName
          sessions={sessions ?? []}
          client={client}
          context={context}
          onDone={message => {
            setNotice(message);
            refresh();
          }}
        />
      )}
      {sessions === null ? (
        !error && <p className="jp-lmk-Skaha-empty">{trans.__('Loading…')}</p>
      ) : sessions.length === 0 ? (
        <p className="jp-lmk-Skaha-empty">{trans.__('No sessions.')}</p>
      ) : (
        <>
          <p className="jp-lmk-Skaha-count">
            {trans._n('%1 session', '%1 sessions', sessions.length)}
          </p>
          <SkahaSessionList
            sessions={sessions}
            trans={trans}
            busy={busy}
            onAction={(session, action) => void act(session, action)}
          />
        </>
      )}
      {detail && (
        <Private.Detail
          detail={detail}
          trans={trans}
          onClose={() => setDetail(null)}
        />
      )}
    </div>
  );
}

namespace Private {
  /** What the detail pane shows. */
  export interface IDetail {
    session: ISkahaSession;
    view: 'info' | 'logs' | 'events';
    text: string | null;
    error: string | null;
  }

  export function message(reason: unknown): string {
    return reason instanceof Error ? reason.message : String(reason);
  }

  /** Platform-wide figures, one line. */
  export function Stats(props: {
    stats: ISkahaStats;
    trans: IRemoteContext['trans'];
  }): React.ReactElement {
    const { stats, trans } = props;
    const dash = (value: number | string | null) =>
      value === null || value === '' ? '–' : String(value);
    return (
      <p className="jp-lmk-Skaha-stats" aria-label={trans.__('Platform')}>
        {trans.__(
          'Platform: %1 of %2 cores requested; RAM %3 of %4; largest request now: %5 cores (with %6) or %7 RAM (with %8 cores).',
          dash(stats.requestedCores),
          dash(stats.availableCores),
          dash(stats.requestedRAM),
          dash(stats.availableRAM),
          dash(stats.maxCores.cores),
          dash(stats.maxCores.withRAM),
          dash(stats.maxRAM.ram),
          dash(stats.maxRAM.withCores)
        )}
      </p>
    );
  }

  /** Info, logs or events of one session; long text keeps its end. */
  export function Detail(props: {
    detail: IDetail;
    trans: IRemoteContext['trans'];
    onClose: () => void;
  }): React.ReactElement {
    const { detail, trans } = props;
    const titles = {
      info: trans.__('Info of %1', detail.session.name),
      logs: trans.__('Logs of %1', detail.session.name),
      events: trans.__('Events of %1', detail.session.name)
    };
    const text = detail.text ?? '';
    const cut = text.length > MAX_DETAIL;
    return (
      <section className="jp-lmk-Skaha-detail" aria-label={titles[detail.view]}>
        <div className="jp-lmk-Skaha-detailHead">
          <h4>{titles[detail.view]}</h4>
          <button className="jp-lmk-SkahaButton" onClick={props.onClose}>
            {trans.__('Close')}
          </button>
        </div>
        {detail.error && (
          <p className="jp-lmk-Field-error" role="alert">
            {detail.error}
          </p>
        )}
        {detail.text === null && !detail.error && <p>{trans.__('Loading…')}</p>}
        {cut && (
          <p className="jp-lmk-SkahaForm-hint">
            {trans.__('Showing the last %1 characters.', MAX_DETAIL)}
          </p>
        )}
        {detail.text !== null && (
          <pre className="jp-lmk-Skaha-text" tabIndex={0}>
            {cut ? text.slice(-MAX_DETAIL) : text || trans.__('(empty)')}
          </pre>
        )}
      </section>
    );
  }

  /** The New session form with its validation and launch. */
  export function Create(props: {
    client: SkahaClient;
    trans: IRemoteContext['trans'];
    onDone: (message: string) => void;
    onCancel: () => void;
  }): React.ReactElement {
    const { client, trans } = props;
    const [form, setForm] = React.useState<ISkahaSessionForm>(emptySessionForm);
    const [errors, setErrors] = React.useState<SkahaFormErrors>({});
    const [limits, setLimits] = React.useState<ISkahaLimits | null>(null);
    const [failure, setFailure] = React.useState<string | null>(null);
    const [submitting, setSubmitting] = React.useState(false);
    React.useEffect(() => {
      let live = true;
      client
        .limits()
        .then(value => live && setLimits(value))
        .catch(() => undefined);
      return () => {
        live = false;
      };
    }, [client]);
    const submit = async () => {
      const { spec, errors: found } = validateCreate(form, limits, trans);
      setErrors(found);
      setFailure(null);
      if (!spec) {
        return;
      }
      setSubmitting(true);
      try {
        const result = await client.create(spec);
        if (result.failures.length) {
          setFailure(
            trans.__(
              '%1 of %2 sessions were launched; %3 failed: %4',
              result.ids.length,
              spec.replicas,
              result.failures.length,
              result.failures[0].message
            )
          );
          return;
        }
        props.onDone(
          trans._n(
            'Launched %2 (%1 session).',
            'Launched %2 (%1 sessions).',
            result.ids.length,
            spec.name
          )
        );
      } catch (reason) {
        setFailure(message(reason));
      } finally {
        setSubmitting(false);
      }
    };
    return (
      <div className="jp-lmk-Skaha-panel">
        {failure && (
          <p className="jp-lmk-Field-error" role="alert">
            {failure}
          </p>
        )}
        <SkahaSessionForm
          form={form}
          onChange={setForm}
          errors={errors}
          limits={limits}
          trans={trans}
          submitting={submitting}
          onSubmit={() => void submit()}
          onCancel={props.onCancel}
        />
      </div>
    );
  }

  /** Delete the listed sessions whose names match, after a preview. */
}
