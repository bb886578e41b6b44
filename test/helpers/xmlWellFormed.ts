/**
 * A small XML 1.0 well-formedness check for the reports we write (no DTDs, no CDATA, no
 * comments needed): one root element, properly nested tags, quoted and unique attributes,
 * only the five predefined or numeric entities, no raw `<` or `&` in text or attributes, no
 * characters XML forbids. Returns the problems found (empty when well-formed). No XML parser
 * is a dependency of the project, and this is all the JUnit writer's tests need.
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const bad = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.exec(xml);
  if (bad) problems.push(`forbidden character U+${bad[0].codePointAt(0)!.toString(16)} at ${bad.index}`);
  const checkText = (t: string, where: string) => {
    if (t.includes('<')) problems.push(`raw < in ${where}`);
    for (const m of t.matchAll(/&([^;]*);?/g)) if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(m[0])) problems.push(`bad entity ${m[0]} in ${where}`);
  };
  let s = xml;
  const decl = /^<\?xml[^?]*\?>\s*/.exec(s);
  if (decl) s = s.slice(decl[0].length);
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const text = lt < 0 ? s.slice(i) : s.slice(i, lt);
    if (text.trim()) {
      if (!stack.length) problems.push(`text outside the root: ${text.trim().slice(0, 40)}`);
      checkText(text, 'text');
    }
    if (lt < 0) break;
    const gt = s.indexOf('>', lt);
    if (gt < 0) {
      problems.push('unclosed tag at the end');
      break;
    }
    const tag = s.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
      continue;
    }
    const self = tag.endsWith('/');
    const m = /^([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*"[^"]*")*)\s*\/?$/.exec(tag);
    if (!m) {
      problems.push(`malformed tag <${tag.slice(0, 60)}>`);
      continue;
    }
    const names = new Set<string>();
    for (const a of m[2].matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*"([^"]*)"/g)) {
      if (names.has(a[1])) problems.push(`attribute ${a[1]} repeated in <${m[1]}>`);
      names.add(a[1]);
      checkText(a[2], `attribute ${a[1]} of <${m[1]}>`);
    }
    if (!stack.length) roots++;
    if (!self) stack.push(m[1]);
  }
  if (stack.length) problems.push(`unclosed elements: ${stack.join(' > ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
