import type { TranslationBundle } from '@jupyterlab/translation';
import type { IChannelConfig } from '../../tokens';

/**
 * One setting of a channel, as the sidebar's channel form shows it.
 */
export interface IChannelField {
  /** The key in the channel's config. */
  name: string;
  /** Translated label. */
  label: string;
  /** `url` fields are checked as web addresses. */
  kind: 'text' | 'url' | 'number' | 'boolean' | 'select' | 'textarea';
  /**
   * A secret (token, password, webhook address): masked in the UI, never
   * shown back in clear, never written into a message or a log.
   */
  secret?: boolean;
  required?: boolean;
  /** Translated placeholder or example. */
  placeholder?: string;
  /** Translated one-line help. */
  help?: string;
  /** Choices of a `select` field. */
  options?: { value: string; label: string }[];
  /** Value of a new channel. */
  defaultValue?: string | number | boolean;
}

/**
 * What the sidebar needs to know to add, edit and check one type of channel.
 */
export interface IChannelDescription {
  /** The value of `type` in the channel's config. */
  type: string;
  /** Translated name of the type ("ntfy push", "Slack"). */
  label(trans: TranslationBundle): string;
  /** The fields of the add/edit form, in order. */
  fields(trans: TranslationBundle): IChannelField[];
  /**
   * Check a config before it is saved: one translated message per field
   * name that is wrong (`''` for the config as a whole); empty if fine.
   */
  validate(
    config: IChannelConfig,
    trans: TranslationBundle
  ): { [field: string]: string };
  /** Short, non-secret summary shown in the channel list (host, topic, room). */
  summary(config: IChannelConfig): string;
  /**
   * Optionally check over the network that the config can work (server
   * reachable, CORS allowed) before it is saved; resolves to a translated
   * problem, or null if fine. The user may save anyway.
   */
  check?(
    config: IChannelConfig,
    trans: TranslationBundle
  ): Promise<string | null>;
}
