/**
 * What the Skaha session API (CANFAR Science Platform) answers, read
 * defensively: the service's JSON is loosely typed (numbers as strings,
 * `<none>` for missing values) and has changed names over the years.
 *
 * Sources followed:
 * - Session fields: `Session.java` of opencadc/science-platform (skaha
 *   service) and `FetchResponse` in opencadc/canfar `canfar/models/session.py`
 *   (the Python client): id, userid, image, type, status, name, startTime,
 *   expiryTime, connectURL, requestedRAM, requestedCPUCores,
 *   requestedGPUCores, ramInUse, cpuCoresInUse, gpuRAMInUse,
 *   gpuUtilization, isFixedResources.
 * - Kinds and statuses: `canfar/models/types.py` (`Kind`, `Status`) and the
 *   service's `openapi.yaml` (`GET /v1/session` `type` and `status`).
 * - Platform statistics (`GET /v1/session?view=stats`): `ResourceStats.java`
 *   (`cores.requestedCPUCores`, `cores.cpuCoresAvailable`,
 *   `cores.maxCPUCores`, `ram.requestedRAM`, `ram.ramAvailable`,
 *   `ram.maxRAM`), and the older names in the Python client's docstring
 *   (`coresAvailable`, `maxCores.cores`).
 * - Resource limits (`GET /v1/context`): `context-schema.json` of the
 *   service (`cores`, `memoryGB`: default + options; `gpus.options`;
 *   `maxInteractiveSessions`).
 * - Connect URL of a notebook: `SessionURLBuilder.java`
 *   (`https://host/session/notebook/<id>/lab/tree/<home>/<user>?token=<id>`).
 */

/**
 * Session kinds a user can launch (`type` in the API). `desktop-app` is
 * also listed by the service but is attached to a desktop, not launched.
 */
export const SKAHA_KINDS = [
  'notebook',
  'desktop',
  'carta',
  'contributed',
  'headless',
  'firefly'
] as const;

/** A session kind as the API names it. */
export type SkahaKind = (typeof SKAHA_KINDS)[number];

/** Session statuses the service and the Python client document. */
export const SKAHA_STATUSES = [
  'Pending',
  'Running',
  'Terminating',
  'Succeeded',
  'Completed',
  'Failed',
  'Error'
] as const;

/**
 * Cores, RAM and GPUs as the service reports them ("2", "16G", "101Mi",
 * "0m"); empty when it reports none.
 */
export interface ISkahaResources {
  cores: string;
  ram: string;
  gpus: string;
}

/**
 * One session of the platform.
 */
export interface ISkahaSession {
  id: string;
  name: string;
  /** `type` in the API; empty if the service sent none. */
  kind: string;
  image: string;
  /** As sent (`Pending`, `Running`, ...); `Unknown` if missing. */
  status: string;
  /** ISO date-times, or null when missing or unreadable. */
  startTime: string | null;
  expiryTime: string | null;
  requested: ISkahaResources;
  used: ISkahaResources;
  /** Where to open the session; null when none was sent. */
  connectURL: string | null;
  /** False when the session runs with flexible resources. */
  fixedResources: boolean;
}

/**
 * Platform-wide figures from `view=stats`.
 */
export interface ISkahaStats {
  requestedCores: number | null;
  availableCores: number | null;
  requestedRAM: string;
  availableRAM: string;
  /** The largest cores request that fits now, and the RAM that comes with it. */
  maxCores: { cores: number | null; withRAM: string };
  /** The largest RAM request that fits now, and the cores that come with it. */
  maxRAM: { ram: string; withCores: number | null };
}

/**
 * What a user may ask for (`/context`).
 */
export interface ISkahaLimits {
  cores: { default: number | null; options: number[] };
  /** In GB. */
  ram: { default: number | null; options: number[] };
  gpus: { options: number[] };
  maxInteractiveSessions: number | null;
}

/**
 * Read one session from the API; null if it has no id.
 */
export function parseSession(raw: unknown): ISkahaSession | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return null;
  }
  const item = raw as { [key: string]: unknown };
  const id = Private.text(item.id);
  if (!id) {
    return null;
  }
  return {
    id,
    name: Private.text(item.name) || id,
    kind: Private.text(item.type),
    image: Private.text(item.image),
    status: Private.text(item.status) || 'Unknown',
    startTime: Private.date(item.startTime),
    expiryTime: Private.date(item.expiryTime),
    requested: {
      cores: Private.text(item.requestedCPUCores),
      ram: Private.text(item.requestedRAM),
      gpus: Private.text(item.requestedGPUCores)
    },
    used: {
      cores: Private.text(item.cpuCoresInUse ?? item.coresInUse),
      ram: Private.text(item.ramInUse),
      gpus: Private.text(item.gpuUtilization)
    },
    connectURL: Private.text(item.connectURL) || null,
    fixedResources: item.isFixedResources !== false
  };
}

/**
 * Read the session list; items without an id are left out.
 */
export function parseSessions(raw: unknown): ISkahaSession[] {
  if (!Array.isArray(raw)) {
    return [];
  }
  return raw
    .map(parseSession)
    .filter((session): session is ISkahaSession => session !== null);
}

/**
 * Read the platform statistics, under their current or older names.
 */
export function parseStats(raw: unknown): ISkahaStats {
  const root = Private.object(raw);
  const cores = Private.object(root.cores);
  const ram = Private.object(root.ram);
  const maxCores = Private.object(cores.maxCPUCores ?? cores.maxCores);
  const maxRAM = Private.object(ram.maxRAM);
  return {
    requestedCores: Private.number(cores.requestedCPUCores),
    availableCores: Private.number(
      cores.cpuCoresAvailable ?? cores.coresAvailable
    ),
    requestedRAM: Private.text(ram.requestedRAM),
    availableRAM: Private.text(ram.ramAvailable),
    maxCores: {
      cores: Private.number(maxCores.cpuCores ?? maxCores.cores),
      withRAM: Private.text(maxCores.withRam)
    },
    maxRAM: {
      ram: Private.text(maxRAM.ram),
      withCores: Private.number(maxRAM.withCPUCores ?? maxRAM.withCores)
    }
  };
}

/**
 * Read the resource limits of `/context`.
 */
export function parseLimits(raw: unknown): ISkahaLimits {
  const root = Private.object(raw);
  const cores = Private.object(root.cores);
  const ram = Private.object(root.memoryGB);
  const gpus = Private.object(root.gpus);
  return {
    cores: {
      default: Private.number(cores.default),
      options: Private.numbers(cores.options)
    },
    ram: {
      default: Private.number(ram.default),
      options: Private.numbers(ram.options)
    },
    gpus: { options: Private.numbers(gpus.options) },
    maxInteractiveSessions: Private.number(root.maxInteractiveSessions)
  };
}

/**
 * The address to open a session at: only once it is Running (as the
 * Python client's `connection_url` does), and only an http(s) address.
 */
export function connectionURL(session: ISkahaSession): string | null {
  if (session.status !== 'Running' || !session.connectURL) {
    return null;
  }
  try {
    const url = new URL(session.connectURL);
    return url.protocol === 'https:' || url.protocol === 'http:'
      ? url.href
      : null;
  } catch {
    return null;
  }
}

/**
 * What a Jupyter client needs to reach a Running notebook session: the
 * server's base URL (the connect URL up to `/lab`) and its token (the
 * `token` query parameter the service puts in the connect URL). Null for
 * other kinds, sessions not running, or a connect URL of another shape.
 */
export function jupyterServerOf(
  session: ISkahaSession
): { url: string; token: string } | null {
  const href = session.kind === 'notebook' ? connectionURL(session) : null;
  if (!href) {
    return null;
  }
  const url = new URL(href);
  const token = url.searchParams.get('token') ?? '';
  const at = url.pathname.search(/\/(lab|tree|notebooks)(\/|$)/);
  const path = at >= 0 ? url.pathname.slice(0, at) : url.pathname;
  return { url: `${url.origin}${path.replace(/\/*$/, '/')}`, token };
}

namespace Private {
  /** A value as text; the service's `<none>` and null read as empty. */
  export function text(value: unknown): string {
    if (typeof value === 'number' && Number.isFinite(value)) {
      return String(value);
    }
    if (typeof value !== 'string') {
      return '';
    }
    const trimmed = value.trim();
    return trimmed === '<none>' ? '' : trimmed;
  }

  export function number(value: unknown): number | null {
    const parsed =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim()
          ? Number(value)
          : NaN;
    return Number.isFinite(parsed) ? parsed : null;
  }

  export function numbers(value: unknown): number[] {
    return Array.isArray(value)
      ? value.map(number).filter((item): item is number => item !== null)
      : [];
  }

  export function object(value: unknown): { [key: string]: unknown } {
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as { [key: string]: unknown })
      : {};
  }

  /** An ISO date-time, or null when it cannot be read. */
  export function date(value: unknown): string | null {
    const raw = text(value);
    return raw && !Number.isNaN(Date.parse(raw)) ? raw : null;
  }
}
