import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { CheckedFormFooter } from './checkedFormFooter';
import { closedBrowserField } from '../relay/relayChannels';
import type {
  IChannelDescription,
  IChannelField
} from '../delivery/channels/channelDescription';
import type { IChannelConfig } from '../tokens';

/**
 * What the form edits: a channel's config, with secrets left blank when
 * editing (blank keeps the saved secret).
 */
interface IFormValues {
  [name: string]: string | boolean;
}

/**
 * Add or edit one channel. Fields come from the channel type's
 * description; the config is checked (and optionally checked over the
 * network) before it is saved. Nothing typed is lost on an error.
 */
export function ChannelForm(props: ChannelForm.IProps): React.ReactElement {
  const { description, trans, existing } = props;
  const fields = React.useMemo(() => {
    const closed = closedBrowserField(description.type, trans);
    return [...description.fields(trans), ...(closed ? [closed] : [])];
  }, [description, trans]);
  const [name, setName] = React.useState<string>(
    props.initial?.name ??
      (typeof existing?.name === 'string' ? existing.name : '')
  );
  const [values, setValues] = React.useState<IFormValues>(() => ({
    ...Private.initialValues(fields, existing),
    ...props.initial?.values
  }));
  const [errors, setErrors] = React.useState<{ [field: string]: string }>({});
  const [checkProblem, setCheckProblem] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const formId = React.useId();

  const build = (): IChannelConfig => {
    const config: IChannelConfig = {
      ...(existing ?? {}),
      id: existing?.id ?? props.newId,
      type: description.type,
      enabled: existing?.enabled ?? true
    };
    if (name.trim()) {
      config.name = name.trim();
    } else {
      delete config.name;
    }
    for (const field of fields) {
      const value = values[field.name];
      if (field.kind === 'boolean') {
        config[field.name] = !!value;
        continue;
      }
      const text = typeof value === 'string' ? value.trim() : '';
      if (field.secret && existing && !text) {
        continue; // Blank keeps the saved secret.
      }
      if (!text) {
        delete config[field.name];
      } else if (field.kind === 'number') {
        config[field.name] = Number(text);
      } else {
        config[field.name] = text;
      }
    }
    return config;
  };

  const save = async (anyway: boolean) => {
    const config = build();
    // The type's own checks, then the generic ones (which win: a missing
    // value is the first thing to fix).
    const problems = { ...description.validate(config, trans) };
    for (const field of fields) {
      const value = config[field.name];
      if (field.required && (value === undefined || value === '')) {
        problems[field.name] = trans.__('%1 is needed.', field.label);
      } else if (
        field.kind === 'number' &&
        value !== undefined &&
        !(typeof value === 'number' && Number.isFinite(value))
      ) {
        problems[field.name] = trans.__('%1 must be a number.', field.label);
      }
    }
    setErrors(problems);
    if (Object.keys(problems).length) {
      return;
    }
    setBusy(true);
    try {
      if (!anyway && description.check) {
        const problem = await description.check(config, trans);
        if (problem) {
          setCheckProblem(problem);
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

  const general = errors[''];
  return (
    <form
      className="jp-lmk-ChannelForm"
      aria-label={
        existing
          ? trans.__('Edit channel %1', existing.id)
          : trans.__('New %1 channel', description.label(trans))
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
      <label className="jp-lmk-Field">
        <span className="jp-lmk-Field-label">{trans.__('Name')}</span>
        <input
          className="jp-mod-styled"
          type="text"
          value={name}
          placeholder={description.label(trans)}
          onChange={event => setName(event.target.value)}
        />
      </label>
      {fields.map(field => (
        <Private.Field
          key={field.name}
          field={field}
          formId={formId}
          value={values[field.name]}
          error={errors[field.name]}
          hasSaved={!!existing && existing[field.name] !== undefined}
          trans={trans}
          onChange={value => {
            setValues({ ...values, [field.name]: value });
            setCheckProblem(null);
          }}
        />
      ))}
      {general && (
        <p className="jp-lmk-Field-error" role="alert">
          {general}
        </p>
      )}
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
 * The namespace for `ChannelForm` statics.
 */
export namespace ChannelForm {
  /**
   * Properties of the channel form.
   */
  export interface IProps {
    description: IChannelDescription;
    /** The channel being edited; undefined for a new one. */
    existing?: IChannelConfig;
    /** The id a new channel gets. */
    newId: string;
    /** Values to start from (a room chosen from the Matrix login, say). */
    initial?: { name?: string; values?: { [field: string]: string } };
    trans: TranslationBundle;
    onSave: (config: IChannelConfig) => Promise<void>;
    onCancel: () => void;
  }
}

namespace Private {
  export function initialValues(
    fields: IChannelField[],
    existing: IChannelConfig | undefined
  ): IFormValues {
    const values: IFormValues = {};
    for (const field of fields) {
      const saved = existing?.[field.name];
      if (field.kind === 'boolean') {
        values[field.name] =
          typeof saved === 'boolean' ? saved : field.defaultValue === true;
      } else if (field.secret && existing) {
        values[field.name] = ''; // Never shown back.
      } else if (saved !== undefined && saved !== null) {
        values[field.name] = String(saved);
      } else if (field.defaultValue !== undefined && !existing) {
        values[field.name] = String(field.defaultValue);
      } else {
        values[field.name] = '';
      }
    }
    return values;
  }

  export function Field(props: {
    field: IChannelField;
    formId: string;
    value: string | boolean | undefined;
    error: string | undefined;
    hasSaved: boolean;
    trans: TranslationBundle;
    onChange: (value: string | boolean) => void;
  }): React.ReactElement {
    const { field, error, trans } = props;
    const id = `${props.formId}-${field.name}`;
    const describedBy = [
      field.help ? `${id}-help` : '',
      error ? `${id}-error` : ''
    ]
      .filter(Boolean)
      .join(' ');
    const common = {
      id,
      'aria-invalid': error ? true : undefined,
      'aria-describedby': describedBy || undefined,
      'aria-required': field.required || undefined
    };
    let input: React.ReactElement;
    if (field.kind === 'boolean') {
      input = (
        <input
          {...common}
          type="checkbox"
          checked={!!props.value}
          onChange={event => props.onChange(event.target.checked)}
        />
      );
    } else if (field.kind === 'select') {
      input = (
        <select
          {...common}
          className="jp-mod-styled"
          value={String(props.value ?? '')}
          onChange={event => props.onChange(event.target.value)}
        >
          {(field.options ?? []).map(option => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      );
    } else if (field.kind === 'textarea') {
      input = (
        <textarea
          {...common}
          className="jp-mod-styled"
          value={String(props.value ?? '')}
          placeholder={field.placeholder}
          onChange={event => props.onChange(event.target.value)}
        />
      );
    } else {
      input = (
        <input
          {...common}
          className="jp-mod-styled"
          type={
            field.secret ? 'password' : field.kind === 'url' ? 'url' : 'text'
          }
          inputMode={field.kind === 'number' ? 'decimal' : undefined}
          autoComplete={field.secret ? 'off' : undefined}
          spellCheck={false}
          value={String(props.value ?? '')}
          placeholder={
            field.secret && props.hasSaved
              ? trans.__('•••••• saved (type to replace)')
              : field.placeholder
          }
          onChange={event => props.onChange(event.target.value)}
        />
      );
    }
    return (
      <div
        className={`jp-lmk-Field${field.kind === 'boolean' ? ' jp-lmk-mod-check' : ''}`}
      >
        <label htmlFor={id} className="jp-lmk-Field-label">
          {field.label}
          {field.required ? ' *' : ''}
        </label>
        {input}
        {field.help && (
          <span id={`${id}-help`} className="jp-lmk-Field-help">
            {field.help}
          </span>
        )}
        {error && (
          <span id={`${id}-error`} className="jp-lmk-Field-error">
            {error}
          </span>
        )}
      </div>
    );
  }
}
