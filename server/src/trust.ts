/**
 * The server's own trust gate. The workspace file can start processes (tuning trial
 * commands) and attach to them (profiling evaluates code in the target through its
 * inspector): that is code execution, so every request that does it must carry
 * `trusted: true`, and anything else (false, missing, "true", 1) is refused here, whatever
 * the client checked before sending it. The client is the only one that knows VS Code's
 * trust state; the server's job is to refuse by default.
 */
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** The title of VS Code's command `workbench.trust.manage`, named in every refusal so the user knows what to do. */
export const MANAGE_TRUST = 'Manage Workspace Trust';

/** True only for the literal `true`: a request without the flag is treated as untrusted. */
export function isTrusted(params: unknown): boolean {
  return !!params && typeof params === 'object' && (params as { trusted?: unknown }).trusted === true;
}

/** The refusal: what needs trust, why, and how to give it. */
export function untrustedMessage(what: string, why: string): string {
  return `This workspace is not trusted: ${what} ${why}, so it needs a trusted workspace. Trust the folder (${MANAGE_TRUST}) and try again.`;
}

/**
 * Whether `path` stays inside `folder` once symbolic links are followed (for the part of the
 * path that exists): an untrusted workspace may write its monitor's store only inside its
 * own folder, not through `../` or an absolute path or a link out of it.
 */
export function staysInside(folder: string, path: string): boolean {
  const real = (p: string): string => {
    // The longest existing ancestor, resolved; the rest (to be created) appended as written.
    let head = resolve(p);
    const rest: string[] = [];
    while (!existsSync(head)) {
      const up = dirname(head);
      if (up === head) break;
      rest.unshift(basename(head));
      head = up;
    }
    try {
      head = realpathSync(head);
    } catch {
      /* unreadable: compare as written */
    }
    return join(head, ...rest);
  };
  const root = real(folder);
  const target = real(path);
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
