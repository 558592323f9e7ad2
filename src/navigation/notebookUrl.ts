import { PageConfig, URLExt } from '@jupyterlab/coreutils';

/**
 * The absolute address of a notebook in this lab (correct under a hub's
 * base URL).
 */
export function notebookUrl(path: string): string {
  return URLExt.join(PageConfig.getTreeUrl(), URLExt.encodeParts(path));
}
