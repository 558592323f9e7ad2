import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { RowComponentProps } from 'react-window';
import { List } from 'react-window';
import type { ISkahaSession } from '../../remote/skaha/skahaSession';
import {
  connectionURL,
  jupyterServerOf
} from '../../remote/skaha/skahaSession';

/** Height of one session row, in pixels (three lines). */
export const SKAHA_ROW_HEIGHT = 78;

/** Rows shown before the list scrolls. */
const VISIBLE_ROWS = 6;

/** What a row's buttons can ask for. */
export type SkahaSessionAction =
  'info' | 'logs' | 'events' | 'renew' | 'delete' | 'open' | 'add-server';

/**
 * Props of the session list.
 */
export interface ISkahaSessionListProps {
  sessions: readonly ISkahaSession[];
  trans: TranslationBundle;
  /** Id of the session an action is running on (its buttons are disabled). */
  busy: string | null;
  onAction: (session: ISkahaSession, action: SkahaSessionAction) => void;
}

/**
 * The sessions, virtualised: only the rows in view (and a few more) are
 * in the DOM, so a thousand sessions render as fast as ten.
 */
export function SkahaSessionList(
  props: ISkahaSessionListProps
): React.ReactElement {
  const { sessions, trans } = props;
  const height = Math.min(sessions.length, VISIBLE_ROWS) * SKAHA_ROW_HEIGHT;
  return (
    <div className="jp-lmk-SkahaList">
      <div className="jp-lmk-SkahaList-header" aria-hidden="true">
        <span>{trans.__('Name · id · kind · status')}</span>
        <span>{trans.__('Image · start → expiry')}</span>
        <span>{trans.__('Cores · RAM · GPU (requested / used)')}</span>
      </div>
      <List
        className="jp-lmk-SkahaList-rows"
        aria-label={trans.__('Platform sessions')}
        rowComponent={SessionRow}
        rowCount={sessions.length}
        rowHeight={SKAHA_ROW_HEIGHT}
        rowProps={{
          sessions,
          trans,
          busy: props.busy,
          onAction: props.onAction
        }}
        defaultHeight={height}
        overscanCount={4}
        style={{ height }}
      />
    </div>
  );
}

/**
 * One session: what it is, what it uses, and its actions.
 */
function SessionRow(
  props: RowComponentProps<{
    sessions: readonly ISkahaSession[];
    trans: TranslationBundle;
    busy: string | null;
    onAction: (session: ISkahaSession, action: SkahaSessionAction) => void;
  }>
): React.ReactElement {
  const { index, style, sessions, trans, busy, onAction, ariaAttributes } =
    props;
  const session = sessions[index];
  const disabled = busy === session.id;
  const act = (action: SkahaSessionAction) => () => onAction(session, action);
  const canOpen = connectionURL(session) !== null;
  const jupyter = jupyterServerOf(session) !== null;
  const label = (what: string) => `${what} ${session.name}`;
  return (
    <div
      {...ariaAttributes}
      style={style}
      className="jp-lmk-SkahaRow"
      data-session-id={session.id}
    >
      <div className="jp-lmk-SkahaRow-line">
        <span className="jp-lmk-SkahaRow-name" title={session.name}>
          {session.name}
        </span>
        <code className="jp-lmk-SkahaRow-id">{session.id}</code>
        <span className="jp-lmk-SkahaRow-kind">{session.kind}</span>
        <span
          className={`jp-lmk-SkahaStatus jp-lmk-mod-${session.status.toLowerCase()}`}
        >
          {session.status}
        </span>
      </div>
      <div className="jp-lmk-SkahaRow-line jp-lmk-SkahaRow-details">
        <span className="jp-lmk-SkahaRow-image" title={session.image}>
          {session.image}
        </span>
        <span>
          {Private.date(session.startTime)} → {Private.date(session.expiryTime)}
        </span>
        <span
          title={
            session.fixedResources
              ? trans.__('Fixed resources')
              : trans.__('Flexible resources')
          }
        >
          {trans.__(
            '%1 / %2 cores · %3 / %4 · %5 / %6 GPU',
            Private.value(session.requested.cores),
            Private.value(session.used.cores),
            Private.value(session.requested.ram),
            Private.value(session.used.ram),
            Private.value(session.requested.gpus),
            Private.value(session.used.gpus)
          )}
        </span>
      </div>
      <div className="jp-lmk-SkahaRow-actions">
        <button
          className="jp-lmk-SkahaButton"
          onClick={act('info')}
          aria-label={label(trans.__('Info'))}
        >
          {trans.__('Info')}
        </button>
        <button
          className="jp-lmk-SkahaButton"
          onClick={act('logs')}
          aria-label={label(trans.__('Logs'))}
        >
          {trans.__('Logs')}
        </button>
        <button
          className="jp-lmk-SkahaButton"
          onClick={act('events')}
          aria-label={label(trans.__('Events'))}
        >
          {trans.__('Events')}
        </button>
        <button
          className="jp-lmk-SkahaButton"
          onClick={act('renew')}
          disabled={disabled}
          aria-label={label(trans.__('Renew'))}
        >
          {trans.__('Renew')}
        </button>
        <button
          className="jp-lmk-SkahaButton jp-lmk-mod-danger"
          onClick={act('delete')}
          disabled={disabled}
          aria-label={label(trans.__('Delete'))}
        >
          {trans.__('Delete')}
        </button>
        {canOpen && (
          <button
            className="jp-lmk-SkahaButton"
            onClick={act('open')}
            aria-label={label(trans.__('Open'))}
          >
            {trans.__('Open')}
          </button>
        )}
        {jupyter && (
          <button
            className="jp-lmk-SkahaButton"
            onClick={act('add-server')}
            disabled={disabled}
            aria-label={label(trans.__('Add as Jupyter server'))}
          >
            {trans.__('Add as Jupyter server')}
          </button>
        )}
      </div>
    </div>
  );
}

namespace Private {
  /** A short local date-time, or a dash. */
  export function date(value: string | null): string {
    if (!value) {
      return '–';
    }
    return new Date(value).toLocaleString(undefined, {
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit'
    });
  }

  export function value(text: string): string {
    return text || '–';
  }
}
