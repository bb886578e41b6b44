/** The typed bridge from the study webview to the extension (its own message union in protocol/index.ts). */
import type { ExtensionToStudyWebview, StudyWebviewToExtension } from '../../protocol/index';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: StudyWebviewToExtension): void {
  api.postMessage(message);
}

export function onMessage(handler: (m: ExtensionToStudyWebview) => void): void {
  window.addEventListener('message', (e: MessageEvent) => {
    const m = e.data as ExtensionToStudyWebview | undefined;
    if (m && (m.type === 'study' || m.type === 'error')) handler(m);
  });
}
