/** The typed bridge from the comparison webview to the extension (its own message union in protocol/index.ts). */
import type { CompareWebviewToExtension, ExtensionToCompareWebview } from '../../protocol/index';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: CompareWebviewToExtension): void {
  api.postMessage(message);
}

export function onMessage(handler: (m: ExtensionToCompareWebview) => void): void {
  window.addEventListener('message', (e: MessageEvent) => {
    const m = e.data as ExtensionToCompareWebview | undefined;
    if (m && (m.type === 'progress' || m.type === 'compare' || m.type === 'error')) handler(m);
  });
}
