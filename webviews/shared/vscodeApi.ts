/** The typed bridge from a webview to the extension (the one protocol in protocol/index.ts). */
import type { ExtensionToWebview, WebviewToExtension } from '../../protocol/index';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: WebviewToExtension): void {
  api.postMessage(message);
}

export function onMessage(handler: (m: ExtensionToWebview) => void): void {
  window.addEventListener('message', (e: MessageEvent) => {
    const m = e.data as ExtensionToWebview | undefined;
    if (m && (m.type === 'summary' || m.type === 'dashboard' || m.type === 'flame' || m.type === 'capacity' || m.type === 'impact' || m.type === 'error')) handler(m);
  });
}
