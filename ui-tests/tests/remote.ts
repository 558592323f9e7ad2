/**
 * The remote servers the Playwright config starts for the suite (a second
 * Jupyter server with and without CORS for the lab, and a JupyterHub), and
 * helpers to use them from a test.
 */
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { execute } from './fixtures';

/** A real Jupyter server on another origin that allows the lab's. */
export const REMOTE_URL = 'http://127.0.0.1:8890/';
/** The same kind of server, without `allow_origin`. */
export const NO_CORS_URL = 'http://127.0.0.1:8891/';
/** The token of both. */
export const REMOTE_TOKEN = 'lmk-remote-token';
/** A real JupyterHub (configurable-http-proxy in front). */
export const HUB_URL = 'http://127.0.0.1:8000/';
/** Alice's API token on that hub. */
export const HUB_TOKEN = 'lmk-test-hub-token';

/**
 * Start a session (and its kernel) on the remote server, as another client
 * of that server would; returns the session's path and kernel id.
 */
export async function startRemoteSession(
  path: string
): Promise<{ path: string; kernelId: string }> {
  const response = await fetch(`${REMOTE_URL}api/sessions`, {
    method: 'POST',
    headers: {
      Authorization: `token ${REMOTE_TOKEN}`,
      'Content-Type': 'application/json'
    },
    body: JSON.stringify({
      path,
      name: path,
      type: 'notebook',
      kernel: { name: 'python3' }
    })
  });
  if (!response.ok) {
    throw new Error(`could not start a remote session: ${response.status}`);
  }
  const session = await response.json();
  return { path, kernelId: session.kernel.id };
}

/**
 * Shut down every session of the remote server (each test starts clean).
 */
export async function shutdownRemoteSessions(): Promise<void> {
  const headers = { Authorization: `token ${REMOTE_TOKEN}` };
  const sessions = await (
    await fetch(`${REMOTE_URL}api/sessions`, { headers })
  ).json();
  for (const session of sessions) {
    await fetch(`${REMOTE_URL}api/sessions/${session.id}`, {
      method: 'DELETE',
      headers
    });
  }
}

/** The Remote sessions section of the Notifications panel. */
export function remoteSection(page: IJupyterLabPageFixture) {
  return page.locator('#jp-lmk-sidebar .jp-lmk-RemoteView');
}

/** One server's block in the section, by its name. */
export function serverBlock(page: IJupyterLabPageFixture, name: string) {
  return remoteSection(page).locator(
    `li.jp-lmk-RemoteServer[aria-label="${name}"]`
  );
}

/**
 * Fill in and submit the "Add a server" form; returns the form.
 */
export async function addServer(
  page: IJupyterLabPageFixture,
  options: { kind?: string; name: string; url: string; token: string }
) {
  await execute(page, 'lmk:open-remote-sessions');
  const section = remoteSection(page);
  await section.getByRole('button', { name: 'Add a server…' }).click();
  // The form opens in a dialog, where it has room.
  const form = page.locator(
    '.jp-lmk-RemoteServerDialog form.jp-lmk-RemoteForm'
  );
  if (options.kind) {
    await form.getByLabel('Kind').selectOption({ label: options.kind });
  }
  await form.getByLabel('Name').fill(options.name);
  await form.getByLabel('URL').fill(options.url);
  await form.locator('input[type=password]').fill(options.token);
  await form.getByRole('button', { name: 'Save' }).click();
  return form;
}
