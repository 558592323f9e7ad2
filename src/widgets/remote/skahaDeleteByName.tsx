import * as React from 'react';
import type { IRemoteContext } from '../../remote/remoteServer';
import type { DeleteMatchMode } from '../../remote/skaha/deleteSelection';
import { selectSessions } from '../../remote/skaha/deleteSelection';
import type { SkahaClient } from '../../remote/skaha/skahaClient';
import type { ISkahaSession } from '../../remote/skaha/skahaSession';

/** Sessions listed in a delete preview before "and N more". */
const MAX_PREVIEW = 50;

/**
 * Delete the listed sessions whose names start with a prefix or match a
 * regular expression: a preview of what will go, then a confirmation.
 */
export function SkahaDeleteByName(props: {
  sessions: readonly ISkahaSession[];
  client: SkahaClient;
  context: IRemoteContext;
  onDone: (message: string) => void;
}): React.ReactElement {
  const { sessions, client, context } = props;
  const { trans } = context;
  const id = React.useId();
  const [pattern, setPattern] = React.useState('');
  const [mode, setMode] = React.useState<DeleteMatchMode>('prefix');
  const [failure, setFailure] = React.useState<string | null>(null);
  const [deleting, setDeleting] = React.useState(false);
  const { matches, error } = selectSessions(sessions, pattern, mode, trans);
  const remove = async () => {
    const yes = await context.confirm(
      trans.__('Delete sessions'),
      trans._n(
        'Delete %1 session whose name matches "%2"?',
        'Delete %1 sessions whose names match "%2"?',
        matches.length,
        pattern
      ),
      trans.__('Delete')
    );
    if (!yes) {
      return;
    }
    setDeleting(true);
    setFailure(null);
    try {
      const result = await client.removeMany(matches.map(s => s.id));
      if (result.failures.length) {
        setFailure(
          trans.__(
            '%1 deleted, %2 not: %3',
            result.deleted.length,
            result.failures.length,
            result.failures[0].message
          )
        );
      } else {
        props.onDone(
          trans._n(
            '%1 session deleted.',
            '%1 sessions deleted.',
            result.deleted.length
          )
        );
        setPattern('');
      }
    } finally {
      setDeleting(false);
    }
  };
  return (
    <div className="jp-lmk-Skaha-panel jp-lmk-SkahaDelete">
      <div className="jp-lmk-SkahaForm-field">
        <label htmlFor={`${id}-pattern`}>
          {mode === 'prefix'
            ? trans.__('Names starting with')
            : trans.__('Names matching (regular expression)')}
        </label>
        <input
          id={`${id}-pattern`}
          type="text"
          autoComplete="off"
          value={pattern}
          aria-invalid={pattern && error ? true : undefined}
          onChange={event => setPattern(event.target.value)}
        />
      </div>
      <fieldset className="jp-lmk-SkahaDelete-mode">
        <legend>{trans.__('Match')}</legend>
        <label>
          <input
            type="radio"
            name={`${id}-mode`}
            checked={mode === 'prefix'}
            onChange={() => setMode('prefix')}
          />
          {trans.__('Prefix')}
        </label>
        <label>
          <input
            type="radio"
            name={`${id}-mode`}
            checked={mode === 'regex'}
            onChange={() => setMode('regex')}
          />
          {trans.__('Regular expression')}
        </label>
      </fieldset>
      <p className="jp-lmk-SkahaForm-hint">
        {trans.__(
          'Only the sessions listed (with the filters above) are considered.'
        )}
      </p>
      {pattern && error && (
        <p className="jp-lmk-Field-error" role="alert">
          {error}
        </p>
      )}
      {failure && (
        <p className="jp-lmk-Field-error" role="alert">
          {failure}
        </p>
      )}
      {pattern && !error && (
        <div className="jp-lmk-SkahaDelete-preview" aria-live="polite">
          <p>
            {trans._n(
              '%1 session matches.',
              '%1 sessions match.',
              matches.length
            )}
          </p>
          <ul aria-label={trans.__('Sessions to delete')}>
            {matches.slice(0, MAX_PREVIEW).map(session => (
              <li key={session.id}>
                {session.name} <code>{session.id}</code> {session.status}
              </li>
            ))}
          </ul>
          {matches.length > MAX_PREVIEW && (
            <p>{trans.__('and %1 more', matches.length - MAX_PREVIEW)}</p>
          )}
        </div>
      )}
      <button
        className="jp-lmk-SkahaButton jp-lmk-mod-danger"
        disabled={deleting || !!error || matches.length === 0}
        onClick={() => void remove()}
      >
        {deleting
          ? trans.__('Deleting…')
          : trans._n('Delete %1 session', 'Delete %1 sessions', matches.length)}
      </button>
    </div>
  );
}
