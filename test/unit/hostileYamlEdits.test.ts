/**
 * Property tests (fast-check, seeded) of the YAML edits the extension makes to a user's
 * configuration file: the trial copies (`editYamlText`) and the recommendation quick fixes
 * (`recommendationFor` + `applyEdits`). For generated files (nested maps, comments on every
 * line, plain, quoted and flow values) and generated values (any string, including YAML and
 * shell syntax, numbers, booleans):
 * - the edited keys read back as exactly the new values; every other key is unchanged;
 * - every comment is still there, and the result parses without errors;
 * - editing again with the same values changes nothing (idempotent), and writing the old
 *   values back restores the original text byte for byte (round trip).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { applyEdits, recommendationFor, roundForFile } from '../../engine/tune/recommendation';
import { editJsonText, editYamlText, yamlScalarText } from '../../engine/tune/trialConfigFile';
import type { ParamValue, Params } from '../../engine/tune/types';

const KEY = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);
/** Values a parameter can take: any text (hostile or not), integers, floats, booleans. */
const VALUE: fc.Arbitrary<ParamValue> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.constantFrom('; rm -rf ~', '$(touch X)', '`touch X`', 'a\nb: 1', '# c', '*x', '&a b', '!!str x', '- 1', '{a: 1}', "'", '"', 'null', 'true', '0x10', '1e3', '.inf', '~', ''),
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }),
  fc.boolean(),
);

interface Model {
  text: string;
  /** dotted key -> value, for every scalar in the file */
  values: Map<string, ParamValue>;
  comments: string[];
}

/** A generated configuration file: top-level and one nested map, a comment after every value, flow or block. */
const MODEL: fc.Arbitrary<Model> = fc
  .record({
    top: fc.uniqueArray(fc.tuple(KEY, VALUE), { minLength: 1, maxLength: 6, selector: (t) => t[0] }),
    nestedName: KEY.map((k) => `n_${k}`),
    nested: fc.uniqueArray(fc.tuple(KEY, VALUE), { maxLength: 4, selector: (t) => t[0] }),
    flow: fc.boolean(),
    header: fc.boolean(),
  })
  .map(({ top, nestedName, nested, flow, header }) => {
    const values = new Map<string, ParamValue>();
    const comments: string[] = [];
    const lines: string[] = [];
    if (header) {
      lines.push('# a configuration file');
      comments.push('# a configuration file');
    }
    top.forEach(([k, v], i) => {
      const c = `# top ${i}`;
      lines.push(`${k}: ${yamlScalarText(v)} ${c}`);
      comments.push(c);
      values.set(k, v);
    });
    if (nested.length) {
      if (flow) {
        lines.push(`${nestedName}: { ${nested.map(([k, v]) => `${k}: ${yamlScalarText(v)}`).join(', ')} } # flow`);
        comments.push('# flow');
      } else {
        lines.push(`${nestedName}: # nested`);
        comments.push('# nested');
        nested.forEach(([k, v], i) => {
          const c = `# inner ${i}`;
          lines.push(`  ${k}: ${yamlScalarText(v)} ${c}`);
          comments.push(c);
        });
      }
      for (const [k, v] of nested) values.set(`${nestedName}.${k}`, v);
    }
    return { text: lines.join('\n') + '\n', values, comments };
  });

/** Some of the model's keys with new values (and maybe one new key). */
const edit = (m: Model) =>
  fc.record({
    picks: fc.subarray([...m.values.keys()], { minLength: 1 }),
    newValues: fc.array(VALUE, { minLength: m.values.size, maxLength: m.values.size }),
    added: fc.option(fc.tuple(KEY.map((k) => `zz_${k}`), VALUE), { nil: undefined }),
  });

const readBack = (text: string, dotted: string) => parseDocument(text).getIn(dotted.split('.'));
const sameValue = (a: unknown, b: ParamValue) => (typeof b === 'number' ? typeof a === 'number' && (a === b || Math.abs(a - b) <= 1e-12 * Math.abs(b)) : a === b);

describe('YAML edits of configuration files (properties)', () => {
  it('generated files read back as the model (the generator is right)', () => {
    fc.assert(
      fc.property(MODEL, (m) => {
        const doc = parseDocument(m.text);
        assert.deepEqual(doc.errors, []);
        for (const [k, v] of m.values) assert.ok(sameValue(doc.getIn(k.split('.')), v), `${k}: ${JSON.stringify(v)} in\n${m.text}`);
      }),
      { seed: 101, numRuns: 300 },
    );
  });

  it('editYamlText: edited keys hold the new values, others and every comment stay, idempotent, and reversible', () => {
    fc.assert(
      fc.property(MODEL.chain((m) => fc.tuple(fc.constant(m), edit(m))), ([m, e]) => {
        const params: Params = {};
        e.picks.forEach((k, i) => (params[k] = e.newValues[i]));
        if (e.added) params[e.added[0]] = e.added[1];
        const out = editYamlText(m.text, params, {});
        const doc = parseDocument(out);
        assert.deepEqual(doc.errors, [], out);
        for (const [k, v] of Object.entries(params)) assert.ok(sameValue(readBack(out, k), v), `${k} should be ${JSON.stringify(v)}:\n${out}`);
        for (const [k, v] of m.values) if (!(k in params)) assert.ok(sameValue(readBack(out, k), v), `${k} changed:\n${out}`);
        for (const c of m.comments) assert.ok(out.includes(c), `comment "${c}" lost:\n${out}`);
        // Idempotent: the same values again change nothing.
        assert.equal(editYamlText(out, params, {}), out);
        // Round trip: the old values of the existing keys give back the original text (when no key was added).
        if (!e.added) {
          const old: Params = {};
          for (const k of e.picks) old[k] = m.values.get(k)!;
          assert.equal(editYamlText(out, old, {}), m.text);
        }
      }),
      { seed: 202, numRuns: 400 },
    );
  });

  it('recommendation quick fixes: applying the edits sets exactly the recommended keys and keeps the rest of the text', () => {
    fc.assert(
      fc.property(MODEL.chain((m) => fc.tuple(fc.constant(m), edit(m))), ([m, e]) => {
        const params: Params = {};
        e.picks.forEach((k, i) => (params[k] = e.newValues[i]));
        const rec = recommendationFor(m.text, params);
        const out = applyEdits(m.text, rec.changes.flatMap((c) => (c.edit ? [c.edit] : [])));
        assert.deepEqual(parseDocument(out).errors, [], out);
        // A number within 1e-9 of the file's (relative, absolute below 1) counts as unchanged and is left as it is.
        const close = (a: unknown, b: ParamValue) => sameValue(a, b) || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a)));
        for (const [k, v] of Object.entries(params)) assert.ok(close(readBack(out, k), roundForFile(v)), `${k} should be ${JSON.stringify(roundForFile(v))}:\n${out}`);
        for (const [k, v] of m.values) if (!(k in params)) assert.ok(sameValue(readBack(out, k), v), `${k} changed`);
        for (const c of m.comments) assert.ok(out.includes(c), `comment "${c}" lost`);
        // Only the values' characters changed: every line keeps its key and comment.
        assert.equal(out.split('\n').length, m.text.split('\n').length);
        // Nothing left to recommend afterwards.
        assert.deepEqual(recommendationFor(out, params).changes, []);
      }),
      { seed: 303, numRuns: 300 },
    );
  });

  it('editJsonText: a JSON round trip with any values', () => {
    fc.assert(
      fc.property(fc.dictionary(KEY, VALUE, { maxKeys: 6 }), fc.dictionary(KEY, VALUE, { minKeys: 1, maxKeys: 4 }), (orig, params) => {
        const out = editJsonText(JSON.stringify(orig), params, {});
        assert.deepEqual(JSON.parse(out), JSON.parse(JSON.stringify({ ...orig, ...params }))); // JSON has no -0
      }),
      { seed: 404, numRuns: 300 },
    );
  });
});
