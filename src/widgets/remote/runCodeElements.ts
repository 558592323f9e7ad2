import type { TranslationBundle } from '@jupyterlab/translation';

/** Timeout offered by default, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 60;

/**
 * The Run code panel's controls: the code editor and its hint, Run,
 * Interrupt, "Answer input prompts", the timeout, the status line and the
 * (hidden) input prompt. Elements the panel uses carry `data-lmk` names;
 * labels refer to ids made from the panel's `id`.
 */
export function controlsNode(
  id: string,
  trans: TranslationBundle
): HTMLElement {
  const node = document.createElement('div');
  const codeId = `${id}-code`;
  const hintId = `${id}-hint`;
  const timeoutId = `${id}-timeout`;
  const promptId = `${id}-prompt`;
  node.append(
    element('label', { for: codeId }, [trans.__('Code')]),
    element('textarea', {
      id: codeId,
      'data-lmk': 'code',
      class: 'jp-lmk-RunCode-code',
      rows: '6',
      spellcheck: 'false',
      'aria-describedby': hintId
    }),
    element('div', { id: hintId, class: 'jp-lmk-RunCode-hint' }, [
      trans.__('Shift+Enter or Ctrl+Enter runs the code.')
    ]),
    element('div', { class: 'jp-lmk-RunCode-toolbar' }, [
      element(
        'button',
        {
          type: 'button',
          'data-lmk': 'run',
          class: 'jp-mod-styled jp-mod-accept'
        },
        [trans.__('Run')]
      ),
      element(
        'button',
        {
          type: 'button',
          'data-lmk': 'interrupt',
          class: 'jp-mod-styled jp-mod-warn'
        },
        [trans.__('Interrupt')]
      ),
      element('label', { class: 'jp-lmk-RunCode-option' }, [
        element('input', { type: 'checkbox', 'data-lmk': 'stdin' }),
        trans.__('Answer input prompts')
      ]),
      element('label', { for: timeoutId, class: 'jp-lmk-RunCode-option' }, [
        trans.__('Timeout (s)')
      ]),
      element('input', {
        id: timeoutId,
        type: 'number',
        min: '0',
        step: '1',
        value: String(DEFAULT_TIMEOUT_SECONDS),
        'data-lmk': 'timeout',
        class: 'jp-mod-styled jp-lmk-RunCode-timeout',
        title: trans.__(
          'After this many seconds you are offered to interrupt; 0 means never.'
        )
      })
    ]),
    element('div', {
      'data-lmk': 'status',
      class: 'jp-lmk-RunCode-status',
      role: 'status',
      'aria-live': 'polite'
    }),
    element(
      'div',
      { 'data-lmk': 'prompt', class: 'jp-lmk-RunCode-prompt', hidden: '' },
      [
        element('label', { for: promptId, 'data-lmk': 'prompt-label' }),
        element('input', {
          id: promptId,
          type: 'text',
          'data-lmk': 'prompt-input',
          class: 'jp-mod-styled',
          autocomplete: 'off'
        }),
        element(
          'button',
          {
            type: 'button',
            'data-lmk': 'prompt-send',
            class: 'jp-mod-styled jp-mod-accept'
          },
          [trans.__('Send')]
        )
      ]
    )
  );
  return node;
}

/**
 * The two stream sections (stdout, stderr), hidden until they have text:
 * a heading, the "earlier output not shown" line with **Save full output**,
 * and the text.
 */
export function streamsNode(id: string, trans: TranslationBundle): HTMLElement {
  const node = document.createElement('div');
  node.className = 'jp-lmk-RunCode-streams';
  const section = (name: string, heading: string) => {
    const headingId = `${id}-${name}-heading`;
    return element(
      'section',
      {
        'data-lmk': `${name}`,
        class: `jp-lmk-RunCode-stream jp-lmk-RunCode-${name}`,
        'aria-labelledby': headingId,
        hidden: ''
      },
      [
        element('h3', { id: headingId, class: 'jp-lmk-RunCode-heading' }, [
          heading
        ]),
        element(
          'div',
          {
            'data-lmk': `${name}-omitted`,
            class: 'jp-lmk-RunCode-omitted',
            hidden: ''
          },
          [
            element('span', { 'data-lmk': `${name}-omitted-text` }),
            element(
              'button',
              {
                type: 'button',
                'data-lmk': `${name}-save`,
                class: 'jp-mod-styled'
              },
              [trans.__('Save full output')]
            )
          ]
        ),
        element('pre', {
          'data-lmk': `${name}-text`,
          class: 'jp-lmk-RunCode-text',
          tabindex: '0',
          'aria-labelledby': headingId
        })
      ]
    );
  };
  node.append(
    section('stdout', trans.__('Output (stdout)')),
    section('stderr', trans.__('Errors and warnings (stderr)'))
  );
  return node;
}

/** The element named `name` (its `data-lmk`) under `root`. */
export function named<T extends HTMLElement>(
  root: HTMLElement,
  name: string
): T {
  return root.querySelector(`[data-lmk="${name}"]`) as T;
}

function element(
  tag: string,
  attributes: { [name: string]: string },
  children: (Node | string)[] = []
): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}
