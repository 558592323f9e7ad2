import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { type ILmkSettings, readSettings } from '../settings/lmkSettings';
import '../../style/settings.css';

/**
 * The list settings as the Settings Editor's form shows them: what they
 * hold, without secrets, what of it is ignored and why, and a button to the
 * Notifications panel, where they are edited (and checked before they are
 * saved). These fields never change the form's data, so the form cannot
 * write an entry the extension would refuse.
 */
export type ListSetting = 'channels' | 'accounts' | 'remoteServers';

/**
 * Props the form gives a field (the part of rjsf's `FieldProps` used here).
 */
export interface ISettingsFieldProps {
  /** The setting's value as the form holds it (the file's, or unset). */
  formData?: unknown;
  /** The setting's schema (its title is shown; the form shows the rest). */
  schema?: { title?: string };
}

/**
 * What a field needs from the lab.
 */
export interface ISettingsFieldOptions {
  trans: TranslationBundle;
  /** Open the Notifications panel (at the part that edits `setting`). */
  open: (setting: ListSetting) => void;
}

/**
 * The form field of one list setting.
 */
export function settingsField(
  setting: ListSetting,
  options: ISettingsFieldOptions
): (props: ISettingsFieldProps) => React.ReactElement {
  return function LmkSettingsField(props: ISettingsFieldProps) {
    const { trans } = options;
    const { settings, problems } = readSettings(
      props.formData === undefined ? {} : { [setting]: props.formData },
      trans
    );
    const items = Private.summaries(setting, settings, trans);
    return (
      <div className="jp-lmk-SettingsField">
        {props.schema?.title && (
          <h3 className="jp-FormGroup-fieldLabel">{props.schema.title}</h3>
        )}
        {items.length ? (
          <ul className="jp-lmk-SettingsField-list">
            {items.map((item, index) => (
              <li key={index}>{item}</li>
            ))}
          </ul>
        ) : (
          <p className="jp-lmk-SettingsField-empty">
            {setting === 'accounts' ? trans.__('No login.') : trans.__('None.')}
          </p>
        )}
        {problems.length > 0 && (
          <ul
            className="jp-lmk-SettingsField-problems"
            aria-label={trans.__('Ignored')}
          >
            {problems.map((problem, index) => (
              <li key={index}>{problem}</li>
            ))}
          </ul>
        )}
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept"
          onClick={() => options.open(setting)}
        >
          {setting === 'remoteServers'
            ? trans.__('Open Remote Sessions')
            : trans.__('Open the Notifications Panel')}
        </button>
      </div>
    );
  };
}

namespace Private {
  /**
   * One line per entry, never a secret: names, types, hosts.
   */
  export function summaries(
    setting: ListSetting,
    settings: ILmkSettings,
    trans: TranslationBundle
  ): string[] {
    switch (setting) {
      case 'channels':
        return settings.channels.map(channel => {
          const name =
            typeof channel.name === 'string' && channel.name
              ? `${channel.name} (${channel.id})`
              : channel.id;
          const state = channel.enabled ? trans.__('on') : trans.__('off');
          return trans.__('%1 — %2, %3', name, channel.type, state);
        });
      case 'accounts': {
        const lines: string[] = [];
        const { matrix, ntfy } = settings.accounts;
        if (matrix) {
          lines.push(trans.__('Matrix: logged in as %1', matrix.userId));
        }
        if (ntfy) {
          lines.push(
            trans.__('ntfy: %1 on %2', ntfy.username, host(ntfy.server))
          );
        }
        return lines;
      }
      case 'remoteServers':
        return settings.remoteServers.map(server =>
          trans.__('%1 — %2 at %3', server.name, server.kind, host(server.url))
        );
    }
  }

  function host(url: string): string {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  }
}
