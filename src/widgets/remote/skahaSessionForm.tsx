import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type {
  ISkahaSessionForm,
  SkahaFormErrors
} from '../../remote/skaha/createRequest';
import type { ISkahaLimits } from '../../remote/skaha/skahaSession';
import { SKAHA_KINDS } from '../../remote/skaha/skahaSession';

/**
 * Props of the New session form. The form's values live with the caller,
 * so nothing typed is lost when the service refuses it.
 */
export interface ISkahaSessionFormProps {
  form: ISkahaSessionForm;
  onChange: (form: ISkahaSessionForm) => void;
  errors: SkahaFormErrors;
  /** From `/context`, when it could be read. */
  limits: ISkahaLimits | null;
  trans: TranslationBundle;
  submitting: boolean;
  onSubmit: () => void;
  onCancel: () => void;
}

/**
 * The New session form: every launch parameter of the API, each with its
 * label and its own error line.
 */
export function SkahaSessionForm(
  props: ISkahaSessionFormProps
): React.ReactElement {
  const { form, errors, trans, limits } = props;
  const id = React.useId();
  const headless = form.kind === 'headless';
  const field = (
    key: keyof ISkahaSessionForm,
    label: string,
    input: React.ReactElement,
    hint?: string
  ) => (
    <div className="jp-lmk-SkahaForm-field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      {input}
      {hint && !errors[key] && (
        <div className="jp-lmk-SkahaForm-hint" id={`${id}-${key}-hint`}>
          {hint}
        </div>
      )}
      {errors[key] && (
        <div
          className="jp-lmk-Field-error"
          id={`${id}-${key}-error`}
          role="alert"
        >
          {errors[key]}
        </div>
      )}
    </div>
  );
  const inputProps = (key: keyof ISkahaSessionForm) => ({
    id: `${id}-${key}`,
    name: key,
    value: form[key],
    'aria-invalid': errors[key] ? true : undefined,
    'aria-describedby': errors[key] ? `${id}-${key}-error` : undefined,
    onChange: (
      event: React.ChangeEvent<
        HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement
      >
    ) => props.onChange({ ...form, [key]: event.target.value })
  });
  const options = (values: number[] | undefined) =>
    values && values.length ? values.join(', ') : '';
  return (
    <form
      className="jp-lmk-SkahaForm"
      aria-label={trans.__('New session')}
      noValidate
      onSubmit={event => {
        event.preventDefault();
        props.onSubmit();
      }}
    >
      {field(
        'name',
        trans.__('Name'),
        <input type="text" autoComplete="off" {...inputProps('name')} />,
        trans.__('Letters, digits and "-".')
      )}
      {field(
        'image',
        trans.__('Image'),
        <input
          type="text"
          autoComplete="off"
          placeholder={trans.__('images.canfar.net/skaha/astroml:latest')}
          {...inputProps('image')}
        />
      )}
      {field(
        'kind',
        trans.__('Kind'),
        <select {...inputProps('kind')}>
          {SKAHA_KINDS.map(kind => (
            <option key={kind} value={kind}>
              {kind}
            </option>
          ))}
        </select>
      )}
      <div className="jp-lmk-SkahaForm-row">
        {field(
          'cores',
          trans.__('Cores'),
          <input type="text" inputMode="numeric" {...inputProps('cores')} />,
          limits?.cores.options.length
            ? trans.__(
                'Empty: flexible. Offered: %1',
                options(limits.cores.options)
              )
            : trans.__('Empty: flexible.')
        )}
        {field(
          'ram',
          trans.__('RAM (GB)'),
          <input type="text" inputMode="numeric" {...inputProps('ram')} />,
          limits?.ram.options.length
            ? trans.__(
                'Empty: flexible. Offered: %1',
                options(limits.ram.options)
              )
            : trans.__('Empty: flexible.')
        )}
        {field(
          'gpus',
          trans.__('GPUs'),
          <input type="text" inputMode="numeric" {...inputProps('gpus')} />,
          limits?.gpus.options.length
            ? trans.__('Offered: %1', options(limits.gpus.options))
            : undefined
        )}
        {field(
          'replicas',
          trans.__('Replicas'),
          <input type="text" inputMode="numeric" {...inputProps('replicas')} />
        )}
      </div>
      {field(
        'cmd',
        trans.__('Command (headless)'),
        <input
          type="text"
          autoComplete="off"
          disabled={!headless && !form.cmd}
          {...inputProps('cmd')}
        />
      )}
      {field(
        'args',
        trans.__('Arguments (headless)'),
        <input
          type="text"
          autoComplete="off"
          disabled={!headless && !form.args}
          {...inputProps('args')}
        />
      )}
      {field(
        'env',
        trans.__('Environment (headless, one KEY=VALUE a line)'),
        <textarea
          rows={3}
          disabled={!headless && !form.env}
          {...inputProps('env')}
        />,
        trans.__('Each replica also gets REPLICA_ID and REPLICA_COUNT.')
      )}
      <div className="jp-lmk-SkahaForm-buttons">
        <button
          type="submit"
          className="jp-lmk-SkahaButton jp-mod-accept"
          disabled={props.submitting}
        >
          {props.submitting ? trans.__('Launching…') : trans.__('Launch')}
        </button>
        <button
          type="button"
          className="jp-lmk-SkahaButton"
          onClick={props.onCancel}
        >
          {trans.__('Cancel')}
        </button>
      </div>
    </form>
  );
}
