import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

/**
 * The end of a form whose values are checked over the network before they
 * are saved: the check's problem with "Save anyway", then Cancel and Save
 * ("Checking…" while busy).
 */
export function CheckedFormFooter(props: {
  /** What the network check found; null when nothing (yet). */
  problem: string | null;
  busy: boolean;
  trans: TranslationBundle;
  onSaveAnyway: () => void;
  onCancel: () => void;
}): React.ReactElement {
  const { trans } = props;
  return (
    <>
      {props.problem && (
        <div className="jp-lmk-ChannelForm-check" role="alert">
          <p>{props.problem}</p>
          <button
            type="button"
            className="jp-mod-styled jp-mod-warn"
            onClick={props.onSaveAnyway}
          >
            {trans.__('Save anyway')}
          </button>
        </div>
      )}
      <div className="jp-lmk-ChannelForm-buttons">
        <button
          type="button"
          className="jp-mod-styled jp-mod-reject"
          onClick={props.onCancel}
        >
          {trans.__('Cancel')}
        </button>
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          disabled={props.busy}
        >
          {props.busy ? trans.__('Checking…') : trans.__('Save')}
        </button>
      </div>
    </>
  );
}
