/**
 * Typed access, for the node:test e2e files, to the plain-JS harness in
 * scripts/lib/code-server.mjs and test/e2e/host/build.mjs (loaded with a dynamic import so
 * TypeScript does not need declaration files for them), plus small helpers shared by the
 * e2e suites.
 */
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';

export const ROOT = join(__dirname, '..', '..', '..');
export const RESULTS_DIR = join(ROOT, 'test-results');
export const FIXTURE_WORKSPACE = join(ROOT, 'test/fixtures/e2e-workspace');

export interface CodeServer {
  url: string;
  port: number;
  host: string;
  runDir: string;
  entry: string;
  pid: number;
  output(): string;
  folderUrl(dir?: string): string;
  remoteUri(absPath: string): string;
  installVsix(vsix: string): Promise<void>;
  stop(): Promise<unknown>;
}

export interface StartOptions {
  folder: string;
  settings?: Record<string, unknown>;
  trust?: boolean;
  port?: number;
  host?: string;
  runDir?: string;
  vsix?: string;
  log?: (line: string) => void;
}

interface CodeServerLib {
  ensureCodeServer(): Promise<string>;
  startCodeServer(o: StartOptions): Promise<CodeServer>;
  launchBrowser(): Promise<Browser>;
  waitFor<T>(fn: () => T | Promise<T>, o?: { timeout?: number; interval?: number; what?: string }): Promise<T>;
}

interface HostBuildLib {
  buildHostTests(): Promise<string>;
  HOST_TESTS_ENTRY: string;
}

const load = <T>(rel: string): Promise<T> => import(pathToFileURL(join(ROOT, rel)).href) as Promise<T>;
export const codeServerLib = (): Promise<CodeServerLib> => load<CodeServerLib>('scripts/lib/code-server.mjs');
export const hostBuildLib = (): Promise<HostBuildLib> => load<HostBuildLib>('test/e2e/host/build.mjs');

/** A fresh copy of the fixture workspace in a temp folder. */
export function copyFixtureWorkspace(prefix = 'alluse-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(FIXTURE_WORKSPACE, dir, { recursive: true });
  return dir;
}

export function resultsDir(sub: string): string {
  const dir = join(RESULTS_DIR, sub);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Runs a command from the command palette by its title, as a person would (F1, type, Enter).
 * Done when the palette has closed, or when the command's own quick pick (a component to pick,
 * say) has taken its place: that one can open in the same frame as the palette closes, so a wait
 * for the input to be hidden could miss the moment and time out (it did under load).
 */
export async function runCommand(page: Page, title: string, timeout = 20_000): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout });
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    (value) => {
      const el = document.querySelector<HTMLInputElement>('.quick-input-widget input.input');
      return !el || !el.checkVisibility() || el.value !== value;
    },
    `>${title}`,
    { timeout, polling: 50 },
  );
}

/**
 * Waits for a notification whose text contains `text`: as a toast, or else in the notification
 * center, where every notification stays until dismissed. A toast alone is not reliable: VS Code
 * shows none for a notification that comes 4th within 800 ms (its toasts' spam protection), shows
 * only the 3 newest toasts, and purges a toast after some seconds; the extension's other
 * notifications (limit forecasts, anomalies) come at moments of their own. `seen` runs while it
 * is on screen (a screenshot); the center is closed again. `toastMs`: how long to look for a toast.
 */
export async function waitForNotification(
  page: Page,
  text: string,
  o: { timeout?: number; toastMs?: number; seen?: () => Promise<unknown> } = {},
): Promise<'toast' | 'center'> {
  const timeout = o.timeout ?? 20_000;
  const toast = page.locator('.notification-toast', { hasText: text }).first();
  const asToast = await toast.waitFor({ timeout: o.toastMs ?? Math.min(timeout, 10_000) }).then(
    () => true,
    () => false, // not (or no longer) a toast: the center
  );
  if (asToast) {
    await o.seen?.();
    return 'toast';
  }
  await runCommand(page, 'Notifications: Show Notifications', timeout);
  await page.locator('.notifications-center .notification-list-item', { hasText: text }).first().waitFor({ timeout });
  await o.seen?.();
  await runCommand(page, 'Notifications: Hide Notifications', timeout);
  return 'center';
}
