// The copy vocabulary (web/src/vocab.js) with the real Gemma 3 tokenizer of a built bundle: every
// completion of the bundle's eval split that calls tools is spelled with ids of its prompt's set.
//
//     node --test tests/js/vocab.test.mjs            (from the repository root)
//
// The bundle is $FGWEB_BUNDLE_DIR, else export/tiny (built_bundle.mjs); without one, the tests skip
// and say why.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { FUNCTION_TOKENS, MODEL_TURN_START, renderCompletion, renderUserTurn } from '../../web/src/protocol.js';
import { copyHook, copyVocabulary } from '../../web/src/vocab.js';
import { SKIP, manifest, records, tok, tools } from './built_bundle.mjs';

/** The set for a snapshot and command, the way worker.js computes it. */
function vocabFor(/** @type {string} */ snapshot, /** @type {string} */ command) {
  const promptIds = [...manifest.prompt.developer_turn_ids, ...tok.encode(renderUserTurn(snapshot, command) + MODEL_TURN_START)];
  return copyVocabulary(tok, { promptIds, snapshot, command, tools, stopIds: manifest.stop_ids });
}

const SNAPSHOT = [
  'textbox "Email" [ref=1] value=""',
  'combobox "Country" [ref=2] value="France" options=["France","Germany","Spain"]',
  'checkbox "Remember me" [ref=3] checked=false',
  'button "Sign in" [ref=4]',
  'link "Forgot password?" [ref=5] href="/reset"',
].join('\n');
const COMMAND = 'sign in as ann@example.com, from "germany" please';

describe('copy vocabulary', { skip: SKIP }, () => {
  test('spells every eval completion that calls tools', () => {
    const withCalls = records.filter((r) => r.calls && r.calls.length > 0);
    assert.ok(withCalls.length > 0, 'the eval split has no records with calls');
    for (const r of withCalls) {
      const ids = new Set(vocabFor(r.snapshot, r.command));
      const completion = tok.encode(renderCompletion(r.calls, null));
      const outside = completion.filter((id) => !ids.has(id)).map((id) => tok.decode([id]));
      assert.deepEqual(outside, [], `${r.id}: ${JSON.stringify(r.command)} needs ids outside the set`);
    }
  });

  test('is a few hundred ids, sorted, without duplicates', () => {
    const ids = vocabFor(SNAPSHOT, COMMAND);
    assert.ok(ids.length > 50 && ids.length < 2000, `${ids.length} ids`);
    assert.deepEqual(ids, [...new Set(ids)].sort((a, b) => a - b));
  });

  test('holds the call format, function tokens, stop ids, digits and literals', () => {
    const ids = new Set(vocabFor(SNAPSHOT, COMMAND));
    const needed = [
      ...Object.values(FUNCTION_TOKENS), ...manifest.stop_ids,
      ...tok.encode('call:set_checked{checked:false,element:'), ...tok.encode(',ref:9087}'), ...tok.encode('null'),
    ];
    assert.deepEqual(needed.filter((id) => !ids.has(id)), []);
  });

  test('holds page strings and command words alone and after a space', () => {
    const ids = new Set(vocabFor(SNAPSHOT, COMMAND));
    for (const text of ['Forgot password?', 'Germany', '/reset', 'ann@example.com', 'germany', 'Germany', 'please', 'Sign']) {
      for (const form of [text, ` ${text}`]) {
        const outside = tok.encode(form).filter((id) => !ids.has(id));
        assert.deepEqual(outside, [], `${JSON.stringify(form)} is not spelled by the set`);
      }
    }
  });

  test('leaves out words that are neither in the prompt nor in a call', () => {
    const ids = new Set(vocabFor(SNAPSHOT, COMMAND));
    for (const word of [' zebra', 'Zebra', ' Paris']) {
      assert.ok(tok.encode(word).some((id) => !ids.has(id)), `${JSON.stringify(word)} is in the set`);
    }
  });

  test('works without tools or snapshot', () => {
    const ids = copyVocabulary(tok, { promptIds: [2, 105], command: 'hello' });
    assert.ok(ids.includes(FUNCTION_TOKENS['<escape>']) && tok.encode('hello').every((id) => ids.includes(id)));
  });
});

describe('copy hook', () => {
  const ids = [1, 48, 50, 100];
  const hook = copyHook(ids);
  test('scores every id for the first token', () => assert.equal(hook([]), null));
  test('scores the set after <start_function_call>', () => assert.equal(hook([48, 100, 7]), ids));
  test('scores every id in a words answer', () => assert.equal(hook([3810, 563]), null));
});
