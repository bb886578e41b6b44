/**
 * One validator for the messages of every webview panel. A webview's content is untrusted
 * (it renders data from the workspace, and a bug or an injected script there must not
 * steer the extension), so each panel accepts only the message types it handles, each
 * checked field by field by the protocol's parsers (`parseWebviewMessage`,
 * `parseStudyWebviewMessage`, `parseCompareWebviewMessage`, `parseHistoryWebviewMessage`);
 * everything else is dropped. What comes out is a fresh object with only the protocol's fields.
 */
import {
  parseCompareWebviewMessage,
  parseHistoryWebviewMessage,
  parseStudyWebviewMessage,
  parseWebviewMessage,
  type CompareWebviewToExtension,
  type HistoryWebviewToExtension,
  type StudyWebviewToExtension,
  type WebviewToExtension,
} from './index';

/** Every message any webview may send (each panel takes only its own types of it). */
export type AnyWebviewMessage = WebviewToExtension | StudyWebviewToExtension | CompareWebviewToExtension | HistoryWebviewToExtension;

/** The message types each panel acts on. */
export const PANEL_MESSAGES = {
  overview: ['ready', 'refresh', 'reveal'],
  dashboard: ['ready', 'refresh', 'setRange'],
  capacity: ['ready', 'refresh', 'planCapacity'],
  impact: ['ready'],
  flamegraph: ['ready', 'refresh', 'reveal'],
  study: ['ready', 'refresh', 'studyCommand'],
  compare: ['ready', 'cancel', 'rerun'],
  history: ['ready', 'refresh', 'revert', 'openFile'],
} as const satisfies Record<string, readonly AnyWebviewMessage['type'][]>;

export type PanelKind = keyof typeof PANEL_MESSAGES;

/** The messages a panel of kind K accepts. */
export type PanelMessage<K extends PanelKind> = Extract<AnyWebviewMessage, { type: (typeof PANEL_MESSAGES)[K][number] }>;

/** Which protocol parser checks the fields of a panel's messages (the panel's webview speaks that protocol). */
const PARSERS: Record<PanelKind, (raw: unknown) => AnyWebviewMessage | undefined> = {
  overview: parseWebviewMessage,
  dashboard: parseWebviewMessage,
  capacity: parseWebviewMessage,
  impact: parseWebviewMessage,
  flamegraph: parseWebviewMessage,
  study: parseStudyWebviewMessage,
  compare: parseCompareWebviewMessage,
  history: parseHistoryWebviewMessage,
};

/** The message if the panel `kind` handles it and it matches the protocol exactly; otherwise undefined. */
export function parsePanelMessage<K extends PanelKind>(kind: K, raw: unknown): PanelMessage<K> | undefined {
  const accepted: readonly string[] = PANEL_MESSAGES[kind];
  const m = PARSERS[kind](raw);
  return m && accepted.includes(m.type) ? (m as PanelMessage<K>) : undefined;
}
