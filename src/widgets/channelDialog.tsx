import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { IChannelDescription } from '../delivery/channels/channelDescription';
import type { IChannelConfig } from '../tokens';
import { type IAccountProps, MatrixLogin, NtfyLogin } from './accountPanel';
import { ChannelForm } from './channelForm';
import { showFormDialog } from './formDialog';

/**
 * Add a channel (its type first) or edit one, in a dialog: the form gets
 * the room it needs, and the logins it needs (Matrix, ntfy for protected
 * topics) are made right there.
 */
export function openChannelDialog(
  options: IAccountProps & {
    descriptions: readonly IChannelDescription[];
    /** The channel to edit; a new one when absent. */
    existing?: IChannelConfig;
  }
): Promise<void> {
  const { trans, existing, descriptions } = options;
  const description = existing
    ? descriptions.find(d => d.type === existing.type)
    : undefined;
  return showFormDialog({
    title: existing
      ? trans.__(
          'Edit %1',
          typeof existing.name === 'string' && existing.name
            ? existing.name
            : existing.id
        )
      : trans.__('Add a channel'),
    className: 'jp-lmk-ChannelDialog',
    render: close => (
      <UseSignal signal={options.store.changed}>
        {() => (
          <ChannelDialog
            {...options}
            description={description}
            onDone={close}
          />
        )}
      </UseSignal>
    )
  });
}

function ChannelDialog(
  props: IAccountProps & {
    descriptions: readonly IChannelDescription[];
    existing?: IChannelConfig;
    description?: IChannelDescription;
    onDone: () => void;
  }
): React.ReactElement {
  const { store, trans, descriptions, existing } = props;
  const [type, setType] = React.useState(
    existing?.type ?? descriptions[0]?.type ?? ''
  );
  const [room, setRoom] = React.useState<{
    roomId: string;
    name: string;
  } | null>(null);
  const description =
    props.description ?? descriptions.find(d => d.type === type);
  const typeId = React.useId();

  return (
    <div className="jp-lmk-ChannelDialog-content">
      {!existing && (
        <div className="jp-lmk-Field">
          <label htmlFor={typeId} className="jp-lmk-Field-label">
            {trans.__('Send notifications to')}
          </label>
          <select
            id={typeId}
            className="jp-mod-styled"
            value={type}
            onChange={event => {
              setType(event.target.value);
              setRoom(null);
            }}
          >
            {descriptions.map(d => (
              <option key={d.type} value={d.type}>
                {d.label(trans)}
              </option>
            ))}
          </select>
        </div>
      )}
      {type === 'matrix' && (
        <MatrixLogin
          {...props}
          chosen={room?.roomId}
          onRoom={picked => setRoom(picked)}
        />
      )}
      {type === 'ntfy' && <NtfyLogin {...props} />}
      {description ? (
        <ChannelForm
          // A room picked above starts the form again with it.
          key={`${type}:${room?.roomId ?? ''}`}
          description={description}
          existing={existing}
          newId={store.newChannelId(type)}
          initial={
            room
              ? { name: room.name, values: { roomId: room.roomId } }
              : undefined
          }
          trans={trans}
          onCancel={props.onDone}
          onSave={async config => {
            await store.saveChannel(
              room && config.roomId === room.roomId
                ? { ...config, roomName: room.name }
                : config
            );
            props.onDone();
          }}
        />
      ) : (
        <p className="jp-lmk-Field-error" role="alert">
          {trans.__('Unknown channel type "%1".', type)}
        </p>
      )}
    </div>
  );
}
