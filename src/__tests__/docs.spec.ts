/**
 * The docs are a contract: every command, setting, channel type and plugin
 * they name exists in the code, and every one the code has is documented
 * (README.md, CONTRIBUTING.md and docs/*.md; CHANGELOG.md may name what
 * no longer exists).
 */
import { existsSync, readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { nullTranslator } from '@jupyterlab/translation';
import {
  loadChannelDescriptions,
  registerChannelTypes
} from '../delivery/channels/channelCatalog';

const ROOT = path.resolve(__dirname, '..', '..');
const trans = nullTranslator.load('jupyterlab_lmk');

function read(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8');
}

/** The documentation files, by path from the repository's root. */
const docs: Record<string, string> = Object.fromEntries(
  [
    'README.md',
    'CONTRIBUTING.md',
    ...readdirSync(path.join(ROOT, 'docs'))
      .filter(name => name.endsWith('.md'))
      .map(name => `docs/${name}`)
  ].map(file => [file, read(file)])
);

/** Every non-test source file under src/, with its text. */
function sources(dir = path.join(ROOT, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === '__tests__' ? [] : sources(full);
    }
    return /\.tsx?$/.test(entry.name) ? [readFileSync(full, 'utf8')] : [];
  });
}

const code = sources();

function matches(text: string, pattern: RegExp): string[] {
  return [...text.matchAll(pattern)].map(match => match[1]);
}

function sorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function without(values: Iterable<string>, known: Set<string>): string[] {
  return sorted([...values].filter(value => !known.has(value)));
}

/**
 * The first column of the markdown table whose header's first cell is
 * `header`, with its backticks taken off.
 */
function tableColumn(markdown: string, header: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex(line =>
    new RegExp(`^\\|\\s*${header}\\s*\\|`).test(line)
  );
  if (start < 0) {
    throw new Error(`no table headed "${header}"`);
  }
  const rows: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) {
      break;
    }
    rows.push(line.split('|')[1].trim().replace(/`/g, ''));
  }
  return rows;
}

/** The row of a markdown table whose first cell is `key`. */
function tableRow(markdown: string, key: string): string {
  const first = new RegExp(`^\\|\\s*${key}\\s*\\|`);
  return markdown.split('\n').find(line => first.test(line)) ?? '';
}

describe('the docs name the commands the code has', () => {
  // A command id is a quoted 'lmk:verb-noun' literal in the source.
  const inCode = new Set(
    code.flatMap(text => matches(text, /'(lmk:[a-z-]+)'/g))
  );
  const commandTable = tableColumn(docs['docs/commands.md'], 'command id');

  it('finds the commands in the code', () => {
    expect(inCode).toContain('lmk:notify');
    expect(inCode.size).toBeGreaterThan(10);
  });

  it('documents every command in docs/commands.md', () => {
    expect(without(inCode, new Set(commandTable))).toEqual([]);
  });

  it('names no command that does not exist', () => {
    const named = Object.entries(docs).flatMap(([file, text]) =>
      matches(text, /(?<![\w-])(lmk:[a-z][a-z-]*[a-z])/g).map(
        id => `${id} (${file})`
      )
    );
    expect(named.filter(entry => !inCode.has(entry.split(' ')[0]))).toEqual([]);
  });
});

describe('the docs name the settings the code has', () => {
  const schema = JSON.parse(read('schema/plugin.json')) as {
    properties: Record<string, { default?: unknown }>;
  };
  const inSchema = new Set(Object.keys(schema.properties));
  const settingsDoc = docs['docs/settings.md'];

  it('lists every setting in the table of docs/settings.md, and no other', () => {
    const table = tableColumn(settingsDoc, 'setting');
    expect(without(inSchema, new Set(table))).toEqual([]);
    expect(without(table, inSchema)).toEqual([]);
  });

  it('shows the defaults of the schema in docs/settings.md', () => {
    const block = /```json\n([\s\S]*?)```/.exec(settingsDoc);
    expect(block).not.toBeNull();
    const shown = JSON.parse(block![1]) as Record<string, unknown>;
    const defaults = Object.fromEntries(
      Object.entries(schema.properties).map(([key, value]) => [
        key,
        value.default
      ])
    );
    expect(shown).toEqual(defaults);
  });

  it('calls nothing a setting that is not one', () => {
    const named = Object.entries(docs).flatMap(([file, text]) =>
      [
        ...matches(text, /`(\w+)`\s+setting\b/g),
        ...matches(text, /\bsetting\s+`(\w+)`/g)
      ].map(key => `${key} (${file})`)
    );
    expect(named.filter(entry => !inSchema.has(entry.split(' ')[0]))).toEqual(
      []
    );
  });
});

describe('the docs name the channel types the code has', () => {
  const channelsDoc = docs['docs/channels.md'];
  let inCode: Set<string>;
  let descriptions: Awaited<ReturnType<typeof loadChannelDescriptions>>;

  beforeAll(async () => {
    descriptions = await loadChannelDescriptions();
    const registered: string[] = [];
    registerChannelTypes(type => registered.push(type.type), {
      trans,
      accounts: () => ({})
    });
    inCode = new Set([
      ...registered,
      ...descriptions.map(description => description.type)
    ]);
  });

  it('lists every channel type in the table of docs/channels.md, and no other', () => {
    const table = tableColumn(channelsDoc, '`type`');
    expect(inCode).toContain('toast');
    expect(without(inCode, new Set(table))).toEqual([]);
    expect(without(table, inCode)).toEqual([]);
  });

  it("names every option of a channel's form in its row", () => {
    const undocumented = descriptions.flatMap(description => {
      const row = tableRow(channelsDoc, `\`${description.type}\``);
      return description
        .fields(trans)
        .map(field => field.name)
        .filter(name => !row.includes(`\`${name}\``))
        .map(name => `${description.type}.${name}`);
    });
    expect(undocumented).toEqual([]);
  });

  it('uses only existing types in the JSON examples', () => {
    const named = Object.entries(docs).flatMap(([file, text]) =>
      matches(text, /```json\n([\s\S]*?)```/g)
        .flatMap(block => matches(block, /"type":\s*"([^"]+)"/g))
        .map(type => `${type} (${file})`)
    );
    expect(named.filter(entry => !inCode.has(entry.split(' ')[0]))).toEqual([]);
  });
});

describe('the docs name the plugins the code has', () => {
  const inCode = new Set(
    code.flatMap(text => matches(text, /id: 'jupyterlab-lmk:([a-z-]+)'/g))
  );

  it('lists every plugin id in docs/contracts.md, and no other', () => {
    const row = tableRow(docs['docs/contracts.md'], 'plugin ids');
    const listed = new Set(matches(row.split('|')[2] ?? '', /`([a-z-]+)`/g));
    expect(inCode).toContain('plugin');
    expect(without(inCode, listed)).toEqual([]);
    expect(without(listed, inCode)).toEqual([]);
  });
});

describe('the links between the docs lead somewhere', () => {
  /** GitHub's anchor for a heading. */
  function anchor(heading: string): string {
    return heading
      .trim()
      .toLowerCase()
      .replace(/[^\w\- ]/g, '')
      .replace(/ /g, '-');
  }

  function anchors(file: string): Set<string> {
    return new Set(
      matches(read(file).replace(/```[\s\S]*?```/g, ''), /^#+ (.*)$/gm).map(
        anchor
      )
    );
  }

  it('points every relative link at a file and heading that exist', () => {
    const files = [...Object.keys(docs), 'CHANGELOG.md', 'bench/README.md'];
    const broken = files.flatMap(file =>
      matches(read(file), /\]\(([^)\s]+)\)/g)
        .filter(target => !/^[a-z]+:/.test(target))
        .filter(target => {
          const [page, hash] = target.split('#');
          const linked = page
            ? path.normalize(path.join(path.dirname(file), page))
            : file;
          if (!existsSync(path.join(ROOT, linked))) {
            return true;
          }
          return !!hash && !anchors(linked).has(hash);
        })
        .map(target => `${target} (${file})`)
    );
    expect(broken).toEqual([]);
  });
});
