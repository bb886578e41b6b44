/** The typed bridge from the history webview to the extension (its own message union in protocol/index.ts). */
import type { ExtensionToHistoryWebview, HistoryWebviewToExtension } from '../../protocol/index';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: HistoryWebviewToExtension): void {
  api.postMessage(message);
}

export function onMessage(handler: (m: ExtensionToHistoryWebview) => void): void {
  window.addEventListener('message', (e: MessageEvent) => {
    const m = e.data as ExtensionToHistoryWebview | undefined;
    if (m && (m.type === 'history' || m.type === 'error')) handler(m);
  });
}
