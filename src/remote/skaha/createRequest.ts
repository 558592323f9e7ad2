/**
 * The "New session" request: what the user typed, checked before anything
 * is sent, and turned into the form bodies of `POST /v1/session`.
 *
 * Sources followed:
 * - Fields and their meaning: the skaha service's `openapi.yaml`
 *   (`POST /v1/session`: name, image, cores, ram, type, cmd, args, env —
 *   env repeated, one `key=value` each; cmd/args/env only for headless).
 * - Name rule `[A-Za-z0-9-]+`: `PostAction.validateName` of the service.
 * - Bounds (cores 1–256, RAM 1–512 GB, GPUs 1–28, replicas 1–512), no
 *   replicas for desktop/firefly, image `[registry/]project/image[:tag]`
 *   with `images.canfar.net` and `:latest` as defaults: `CreateRequest` in
 *   opencadc/canfar `canfar/models/session.py` (the Python client).
 * - Cores and RAM must be among the `/context` options when the service
 *   lists them (openapi.yaml: "This value must match a value returned from
 *   the /context endpoint"); empty means flexible (the Python client omits
 *   them: "Defaults to None, i.e. flexible mode").
 * - Replicas: `create_parameters` in `canfar/utils/build.py` — N requests,
 *   names `name-1..N` (the plain name when N is 1), each with the user's
 *   env plus `REPLICA_ID` and `REPLICA_COUNT`.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { ISkahaLimits } from './skahaSession';
import { SKAHA_KINDS } from './skahaSession';

/** Bounds of the Python client's `CreateRequest`. */
export const CREATE_BOUNDS = {
  cores: { min: 1, max: 256 },
  ram: { min: 1, max: 512 },
  gpus: { min: 1, max: 28 },
  replicas: { min: 1, max: 512 }
} as const;

/** The registry the Python client assumes for `project/image`. */
export const DEFAULT_REGISTRY = 'images.canfar.net';

/**
 * The New session form as typed (every field a string, so that nothing
 * typed is lost when it does not validate).
 */
export interface ISkahaSessionForm {
  name: string;
  image: string;
  kind: string;
  /** Empty: flexible. */
  cores: string;
  /** GB; empty: flexible. */
  ram: string;
  /** Empty or 0: none. */
  gpus: string;
  cmd: string;
  args: string;
  /** `KEY=VALUE` lines. */
  env: string;
  replicas: string;
}

/** An empty form: one notebook session with flexible resources. */
export function emptySessionForm(): ISkahaSessionForm {
  return {
    name: '',
    image: '',
    kind: 'notebook',
    cores: '',
    ram: '',
    gpus: '',
    cmd: '',
    args: '',
    env: '',
    replicas: '1'
  };
}

/** One message per field that does not validate. */
export type SkahaFormErrors = Partial<Record<keyof ISkahaSessionForm, string>>;

/**
 * A checked request, ready to send.
 */
export interface ISkahaCreateSpec {
  name: string;
  /** Normalised (registry and tag added when missing). */
  image: string;
  kind: string;
  /** Undefined: flexible (not sent). */
  cores?: number;
  ram?: number;
  gpus?: number;
  cmd?: string;
  args?: string;
  env: [string, string][];
  replicas: number;
}

/**
 * Check the form; returns the request, or a message per wrong field.
 * `limits` (from `/context`) narrows cores/RAM/GPUs to what the platform
 * offers; without it the Python client's bounds apply.
 */
export function validateCreate(
  form: ISkahaSessionForm,
  limits: ISkahaLimits | null,
  trans: TranslationBundle
): { spec: ISkahaCreateSpec | null; errors: SkahaFormErrors } {
  const errors: SkahaFormErrors = {};
  const name = form.name.trim();
  if (!name) {
    errors.name = trans.__('Give the session a name.');
  } else if (!/^[A-Za-z0-9-]+$/.test(name)) {
    errors.name = trans.__(
      'The name may only hold letters, digits and "-" (no spaces).'
    );
  }

  const image = Private.normaliseImage(form.image.trim());
  if (!form.image.trim()) {
    errors.image = trans.__('Choose the container image to run.');
  } else if (image === null) {
    errors.image = trans.__(
      'The image must look like registry/project/image:tag (for example images.canfar.net/skaha/astroml:latest).'
    );
  }

  const kind = form.kind.trim();
  if (!(SKAHA_KINDS as readonly string[]).includes(kind)) {
    errors.kind = trans.__('Choose the kind of session.');
  }

  const cores = Private.resource(
    form.cores,
    CREATE_BOUNDS.cores,
    limits?.cores.options ?? [],
    trans,
    trans.__('cores')
  );
  if (typeof cores === 'string') {
    errors.cores = cores;
  }
  const ram = Private.resource(
    form.ram,
    CREATE_BOUNDS.ram,
    limits?.ram.options ?? [],
    trans,
    trans.__('GB of RAM')
  );
  if (typeof ram === 'string') {
    errors.ram = ram;
  }
  const gpus =
    form.gpus.trim() === '0'
      ? undefined
      : Private.resource(
          form.gpus,
          CREATE_BOUNDS.gpus,
          limits?.gpus.options ?? [],
          trans,
          trans.__('GPUs')
        );
  if (typeof gpus === 'string') {
    errors.gpus = gpus;
  }

  const replicasText = form.replicas.trim() || '1';
  const replicas = Number(replicasText);
  if (
    !/^\d+$/.test(replicasText) ||
    replicas < CREATE_BOUNDS.replicas.min ||
    replicas > CREATE_BOUNDS.replicas.max
  ) {
    errors.replicas = trans.__(
      'Replicas must be a whole number from %1 to %2.',
      CREATE_BOUNDS.replicas.min,
      CREATE_BOUNDS.replicas.max
    );
  } else if (replicas > 1 && (kind === 'desktop' || kind === 'firefly')) {
    errors.replicas = trans.__(
      'A %1 session cannot have replicas: launch one.',
      kind
    );
  }

  const cmd = form.cmd.trim();
  const args = form.args.trim();
  const headlessOnly = kind !== 'headless';
  if (cmd && headlessOnly) {
    errors.cmd = trans.__('A command can only be given to headless sessions.');
  }
  if (args && headlessOnly) {
    errors.args = trans.__('Arguments can only be given to headless sessions.');
  }
  const env = Private.parseEnv(form.env, trans);
  if (typeof env === 'string') {
    errors.env = env;
  } else if (env.length > 0 && headlessOnly) {
    errors.env = trans.__(
      'Environment variables can only be given to headless sessions.'
    );
  }

  if (Object.keys(errors).length > 0) {
    return { spec: null, errors };
  }
  return {
    spec: {
      name,
      image: image as string,
      kind,
      cores: cores as number | undefined,
      ram: ram as number | undefined,
      gpus: gpus as number | undefined,
      cmd: cmd || undefined,
      args: args || undefined,
      env: env as [string, string][],
      replicas
    },
    errors
  };
}

/**
 * The form bodies of the `POST /v1/session` requests, one per replica,
 * built as the Python client's `create_parameters` builds them.
 */
export function replicaBodies(spec: ISkahaCreateSpec): URLSearchParams[] {
  const bodies: URLSearchParams[] = [];
  for (let replica = 1; replica <= spec.replicas; replica++) {
    const body = new URLSearchParams();
    body.set(
      'name',
      spec.replicas === 1 ? spec.name : `${spec.name}-${replica}`
    );
    body.set('image', spec.image);
    if (spec.cores !== undefined) {
      body.set('cores', String(spec.cores));
    }
    if (spec.ram !== undefined) {
      body.set('ram', String(spec.ram));
    }
    body.set('type', spec.kind);
    if (spec.gpus !== undefined) {
      body.set('gpus', String(spec.gpus));
    }
    if (spec.cmd) {
      body.set('cmd', spec.cmd);
    }
    if (spec.args) {
      body.set('args', spec.args);
    }
    const env = new Map(spec.env);
    env.set('REPLICA_ID', String(replica));
    env.set('REPLICA_COUNT', String(spec.replicas));
    for (const [key, value] of env) {
      body.append('env', `${key}=${value}`);
    }
    bodies.push(body);
  }
  return bodies;
}

namespace Private {
  /**
   * `[registry/]project/image[:tag]`, with the Python client's defaults;
   * null when it has another shape.
   */
  export function normaliseImage(value: string): string | null {
    if (!value || /\s/.test(value)) {
      return null;
    }
    const parts = value.split('/');
    if (parts.length < 2 || parts.length > 3 || parts.some(part => !part)) {
      return null;
    }
    let image = parts.length === 2 ? `${DEFAULT_REGISTRY}/${value}` : value;
    if (!image.split('/').pop()!.includes(':')) {
      image += ':latest';
    }
    return image;
  }

  /**
   * A whole number within bounds and among the options (when there are
   * any); undefined when empty; a message when wrong.
   */
  export function resource(
    value: string,
    bounds: { min: number; max: number },
    options: number[],
    trans: TranslationBundle,
    unit: string
  ): number | undefined | string {
    const text = value.trim();
    if (!text) {
      return undefined;
    }
    const parsed = Number(text);
    if (!/^\d+$/.test(text) || parsed < bounds.min || parsed > bounds.max) {
      return trans.__(
        'Enter a whole number of %1 from %2 to %3, or leave it empty.',
        unit,
        options.length ? Math.min(...options) : bounds.min,
        options.length ? Math.max(...options) : bounds.max
      );
    }
    if (options.length && !options.includes(parsed)) {
      return trans.__(
        'This platform offers %1 %2 (or leave it empty).',
        summarise(options),
        unit
      );
    }
    return parsed;
  }

  /** `1–16` for a run of whole numbers, `1, 2, 4, 8` otherwise. */
  function summarise(options: number[]): string {
    const sorted = [...options].sort((a, b) => a - b);
    const first = sorted[0];
    const last = sorted[sorted.length - 1];
    if (sorted.length === last - first + 1 && sorted.length > 2) {
      return `${first}–${last}`;
    }
    return sorted.length > 12
      ? `${sorted.slice(0, 12).join(', ')}, …`
      : sorted.join(', ');
  }

  /** `KEY=VALUE` lines (blank lines skipped), or a message. */
  export function parseEnv(
    text: string,
    trans: TranslationBundle
  ): [string, string][] | string {
    const pairs: [string, string][] = [];
    const lines = text.split(/\r?\n/);
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index].trim();
      if (!line) {
        continue;
      }
      const equals = line.indexOf('=');
      const key = equals > 0 ? line.slice(0, equals).trim() : '';
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        return trans.__(
          'Line %1 is not KEY=VALUE (the key: letters, digits and _, not starting with a digit).',
          index + 1
        );
      }
      if (key === 'REPLICA_ID' || key === 'REPLICA_COUNT') {
        return trans.__(
          'Line %1: %2 is set for each replica; leave it out.',
          index + 1,
          key
        );
      }
      pairs.push([key, line.slice(equals + 1)]);
    }
    return pairs;
  }
}
