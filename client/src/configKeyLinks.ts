/**
 * Tuning parameters linked to code: in a component's config file (one listed under
 * `configFiles` in alluse-perf.yaml), "Go to Definition" on a key reaches the code that
 * reads it, and a lens on the key says where it is read. The server finds the reads with
 * ts-morph in the component's sources; this only asks and shows.
 */
import * as vscode from 'vscode';
import type { ConfigKeyUsage } from '../../protocol/index';

export class ConfigKeyLinks implements vscode.DefinitionProvider, vscode.CodeLensProvider {
  private readonly cache = new Map<string, { version: number; usages: Promise<ConfigKeyUsage[]> }>();

  constructor(private readonly fetch: (doc: vscode.TextDocument) => Promise<ConfigKeyUsage[]>) {}

  private usages(doc: vscode.TextDocument): Promise<ConfigKeyUsage[]> {
    if (/(^|\/)alluse-perf\.ya?ml$/.test(doc.uri.path)) return Promise.resolve([]);
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version) return hit.usages;
    const usages = this.fetch(doc).catch(() => []);
    this.cache.set(key, { version: doc.version, usages });
    return usages;
  }

  async provideDefinition(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Location[]> {
    const u = (await this.usages(doc)).find((k) => k.line === pos.line && pos.character >= k.column && pos.character <= k.endColumn);
    if (!u) return [];
    const reads = u.usages.filter((x) => x.kind === 'read');
    return (reads.length ? reads : u.usages).map((x) => new vscode.Location(vscode.Uri.file(x.file), new vscode.Range(x.line - 1, x.column - 1, x.line - 1, x.endColumn - 1)));
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const list = await this.usages(doc);
    return list.filter((k) => k.usages.length).map((k) => {
      const reads = k.usages.filter((x) => x.kind === 'read');
      const where = (reads.length ? reads : k.usages).slice(0, 3).map((x) => `${x.file.split('/').pop()}:${x.line}`).join(', ');
      const title = reads.length ? `read in ${where}${reads.length > 3 ? ` and ${reads.length - 3} more` : ''}` : `declared in ${where}, never read`;
      const locations = (reads.length ? reads : k.usages).map((x) => new vscode.Location(vscode.Uri.file(x.file), new vscode.Position(x.line - 1, x.column - 1)));
      const at = new vscode.Position(k.line, k.column);
      return new vscode.CodeLens(new vscode.Range(at, at), { title, command: 'editor.action.showReferences', arguments: [doc.uri, at, locations] });
    });
  }
}
