/**
 * The real Synapse homeserver of the UI tests, started by playwright.config.js
 * (testing/synapse/run_synapse.py on 127.0.0.1:8008, or LMK_SYNAPSE_PORT),
 * and helpers that act on it through its own APIs: register users with the
 * shared secret, create and join rooms, read a room's messages back.
 *
 * Synapse lives for the whole run, so every test registers its own users
 * (`uniqueName`) and rooms.
 */
import { createHmac } from 'crypto';

/** Port of the test homeserver. */
export const SYNAPSE_PORT = Number(process.env.LMK_SYNAPSE_PORT || 8008);

/** Base URL of its client-server API (what a user types as homeserver). */
export const SYNAPSE_URL = `http://127.0.0.1:${SYNAPSE_PORT}`;

/** The shared secret for registrations (run_synapse.py's default). */
export const SYNAPSE_SHARED_SECRET =
  process.env.LMK_SYNAPSE_SHARED_SECRET || 'lmk-test-registration-secret';

/** User ids on the test homeserver end with `:localhost`. */
export const SYNAPSE_SERVER_NAME = 'localhost';

/**
 * A registered user and an access token of theirs (not the lab's).
 */
export interface ISynapseUser {
  name: string;
  password: string;
  userId: string;
  accessToken: string;
}

/**
 * A message read back from a room.
 */
export interface IRoomMessage {
  eventId: string;
  sender: string;
  content: { [key: string]: any };
}

/**
 * A user or room name no other test (or earlier run) has used.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random()
    .toString(36)
    .slice(2, 6)}`;
}

/**
 * Call the client-server API; throws with the answer if it is not 2xx.
 */
export async function synapseCall(
  token: string | null,
  method: string,
  path: string,
  body?: unknown
): Promise<any> {
  const { status, json } = await rawCall(token, method, path, body);
  if (status < 200 || status >= 300) {
    throw new Error(
      `Synapse ${method} ${path.split('?')[0]}: ${status} ${JSON.stringify(json)}`
    );
  }
  return json;
}

/**
 * Register a user through the shared-secret admin API
 * (`/_synapse/admin/v1/register`: nonce, then HMAC-SHA1 of
 * nonce\0name\0password\0admin|notadmin keyed with the shared secret).
 */
export async function registerUser(
  name: string,
  password: string,
  admin = false
): Promise<ISynapseUser> {
  const endpoint = '/_synapse/admin/v1/register';
  const { nonce } = await synapseCall(null, 'GET', endpoint);
  const mac = createHmac('sha1', SYNAPSE_SHARED_SECRET)
    .update([nonce, name, password, admin ? 'admin' : 'notadmin'].join('\x00'))
    .digest('hex');
  const answer = await synapseCall(null, 'POST', endpoint, {
    nonce,
    username: name,
    password,
    admin,
    mac
  });
  return {
    name,
    password,
    userId: answer.user_id,
    accessToken: answer.access_token
  };
}

/**
 * Create a room as `user`; returns its id.
 */
export async function createRoom(
  user: ISynapseUser,
  options: { name?: string; alias?: string; invite?: string[] } = {}
): Promise<string> {
  const answer = await synapseCall(
    user.accessToken,
    'POST',
    '/_matrix/client/v3/createRoom',
    {
      preset: 'private_chat',
      ...(options.name ? { name: options.name } : {}),
      ...(options.alias ? { room_alias_name: options.alias } : {}),
      ...(options.invite ? { invite: options.invite } : {})
    }
  );
  return answer.room_id;
}

/**
 * Invite a user to a room.
 */
export async function invite(
  user: ISynapseUser,
  roomId: string,
  userId: string
): Promise<void> {
  await synapseCall(
    user.accessToken,
    'POST',
    `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/invite`,
    { user_id: userId }
  );
}

/**
 * Join a room (after an invite); returns the room id.
 */
export async function join(
  user: ISynapseUser,
  roomIdOrAlias: string
): Promise<string> {
  const answer = await synapseCall(
    user.accessToken,
    'POST',
    `/_matrix/client/v3/join/${encodeURIComponent(roomIdOrAlias)}`,
    {}
  );
  return answer.room_id;
}

/**
 * The room's `m.room.message` events, oldest first, as `user` reads them.
 */
export async function roomMessages(
  user: ISynapseUser,
  roomId: string
): Promise<IRoomMessage[]> {
  const answer = await synapseCall(
    user.accessToken,
    'GET',
    `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=100`
  );
  return (answer.chunk as any[])
    .filter(event => event.type === 'm.room.message')
    .reverse()
    .map(event => ({
      eventId: event.event_id,
      sender: event.sender,
      content: event.content
    }));
}

/**
 * Poll a room until `count` messages are in it (or the time is up), then
 * return them all, so a test can also check that no more came.
 */
export async function waitForMessages(
  user: ISynapseUser,
  roomId: string,
  count = 1,
  timeoutMs = 30_000
): Promise<IRoomMessage[]> {
  const deadline = Date.now() + timeoutMs;
  let messages = await roomMessages(user, roomId);
  while (messages.length < count && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 250));
    messages = await roomMessages(user, roomId);
  }
  return messages;
}

/**
 * The HTTP status Synapse gives an access token now (200 while it is
 * valid, 401 once it is revoked by a logout).
 */
export async function tokenStatus(accessToken: string): Promise<number> {
  const { status } = await rawCall(
    accessToken,
    'GET',
    '/_matrix/client/v3/account/whoami'
  );
  return status;
}

/**
 * The devices of a user (the lab's login shows up as one).
 */
export async function devices(
  user: ISynapseUser
): Promise<{ device_id: string; display_name?: string }[]> {
  const answer = await synapseCall(
    user.accessToken,
    'GET',
    '/_matrix/client/v3/devices'
  );
  return answer.devices;
}

async function rawCall(
  token: string | null,
  method: string,
  path: string,
  body?: unknown
): Promise<{ status: number; json: any }> {
  const headers: { [name: string]: string } = {};
  if (token) {
    headers['Authorization'] = `Bearer ${token}`;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(SYNAPSE_URL + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}
