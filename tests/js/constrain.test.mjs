// Snapshot-bound arguments and the call grammar (web/src/constrain.js) with the real Gemma 3 tokenizer
// of a built bundle: the hooks narrow element, ref and option to the snapshot's lines and a call to its
// toolset's schemas, and never block a right call; tests/vectors/grammar.json is checked here as in
// tests/test_constrain.py.
//
//     node --test tests/js/constrain.test.mjs            (from the repository root)
//
// The bundle is $FGWEB_BUNDLE_DIR, else export/tiny (built_bundle.mjs); without one, the tests skip
// and say why.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { FUNCTION_TOKENS, MODEL_TURN_START, renderCompletion, renderUserTurn } from '../../web/src/protocol.js';
import { copyHook, copyVocabulary } from '../../web/src/vocab.js';
import { callGrammar, snapshotHook, snapshotTargets } from '../../web/src/constrain.js';
import { SKIP, manifest, records, tok, tools } from './built_bundle.mjs';

const SNAPSHOT = [
  'heading "Sign in" [ref=1]',
  'textbox "Email" [ref=2] value=""',
  'textbox "Email address" [ref=3] value=""',
  'combobox "Country" [ref=4] value="France" options=["France","Germany","Spain"]',
  'checkbox "Remember me" [ref=5] checked=false',
  'button "Sign in" [ref=12]',
  'link "Say \\"hi\\"" [ref=13] href="/hi"',
  'text "Order #1002"',
].join('\n');

const START = FUNCTION_TOKENS['<start_function_call>'];
const ESCAPE = FUNCTION_TOKENS['<escape>'];

/** The ids the hook allows after a partial call (text after <start_function_call>). */
function allowedAfter(/** @type {string} */ partial, /** @type {any} */ base = null, /** @type {string | null} */ command = null) {
  const hook = snapshotHook(tok, snapshotTargets(SNAPSHOT), base, command);
  return hook([START, ...tok.encode(partial)]);
}

/** The texts of allowed ids. */
function texts(/** @type {number[] | null} */ ids) {
  assert.ok(ids, 'the hook left every id allowed');
  return ids.map((id) => (id === ESCAPE ? '<escape>' : tok.decode([id])));
}

describe('snapshot targets', () => {
  test('reads ref, role, name (JSON escapes undone) and options; lines without a ref are left out', () => {
    const targets = snapshotTargets(SNAPSHOT);
    assert.deepEqual(targets.map((t) => t.ref), [1, 2, 3, 4, 5, 12, 13]);
    assert.deepEqual(targets[3], { ref: 4, role: 'combobox', name: 'Country', options: ['France', 'Germany', 'Spain'] });
    assert.equal(targets[6].name, 'Say "hi"');
  });
});

describe('snapshot hook', { skip: SKIP }, () => {
  test('element: only names of lines the tool acts on, <escape> once a name is whole', () => {
    const first = texts(allowedAfter('call:select_option{element:<escape>'));
    assert.ok(first.every((t) => 'Country'.startsWith(t)), `select_option may start ${JSON.stringify(first)}`);
    const clicks = texts(allowedAfter('call:click{element:<escape>'));
    assert.ok(clicks.some((t) => 'Sign in'.startsWith(t)), 'click may name the button');
    assert.ok(!clicks.some((t) => t.length > 0 && 'Order #1002'.startsWith(t) && !'Sign in'.startsWith(t)), 'not plain text');
    const typed = texts(allowedAfter('call:type_text{element:<escape>Email'));
    assert.ok(typed.includes('<escape>'), 'Email is a whole name');
    assert.ok(typed.some((t) => t.startsWith(' ')), 'and a prefix of Email address');
  });

  test('ref: only the refs of lines with the name written; free once whole', () => {
    assert.deepEqual(texts(allowedAfter('call:click{element:<escape>Sign in<escape>,ref:')), ['1']);
    assert.deepEqual(texts(allowedAfter('call:click{element:<escape>Sign in<escape>,ref:1')), ['2']);
    assert.equal(allowedAfter('call:click{element:<escape>Sign in<escape>,ref:12'), null);
  });

  test('after a closed string only , or } may follow (an empty name cannot run on in free text)', () => {
    for (const partial of ['call:click{element:<escape>Sign in<escape>', 'call:type_text{element:<escape><escape>']) {
      const after = texts(allowedAfter(partial));
      assert.ok(after.length > 0 && after.every((t) => t.startsWith(',') || t.startsWith('}')), JSON.stringify(after));
      assert.ok(after.includes(','), 'the next argument may follow');
    }
  });

  test('option: only the options of the named select', () => {
    const opts = texts(allowedAfter('call:select_option{element:<escape>Country<escape>,option:<escape>'));
    assert.ok(opts.length > 0 && opts.every((t) => ['France', 'Germany', 'Spain'].some((o) => o.startsWith(t))), JSON.stringify(opts));
  });

  test('type_text text: only stretches of the command, as typed', () => {
    const command = 'Type Ann Lee, then press Sign in';
    const start = 'call:type_text{element:<escape>Email<escape>,ref:2,text:<escape>';
    const first = texts(allowedAfter(start, null, command));
    assert.ok(first.every((t) => t === '<escape>' || command.includes(t)), JSON.stringify(first));
    assert.ok(first.includes('Ann') && !first.includes('ann') && first.includes('<escape>'));
    const after = texts(allowedAfter(`${start}Ann`, null, command));
    assert.ok(after.includes(' Lee') && !after.includes(' lee') && after.includes('<escape>'));
    const whole = texts(allowedAfter(`${start}Ann Lee`, null, command));
    assert.ok(whole.includes(',') && whole.includes('<escape>'));
    assert.ok(whole.every((t) => t === '<escape>' || command.includes(`Ann Lee${t}`)));
    assert.equal(allowedAfter(`${start}Ann Lee<escape>}`, null, command), null);
    assert.equal(allowedAfter(start), null, 'without a command the text is free');
  });

  test('type_text text narrows the copy vocabulary too', () => {
    const command = 'type Ann Lee in the email box';
    const promptIds = [...manifest.prompt.developer_turn_ids, ...tok.encode(renderUserTurn(SNAPSHOT, command) + MODEL_TURN_START)];
    const ids = copyVocabulary(tok, { promptIds, snapshot: SNAPSHOT, command, tools, stopIds: manifest.stop_ids });
    const allowed = texts(allowedAfter('call:type_text{element:<escape>Email<escape>,ref:2,text:<escape>', copyHook(ids), command));
    assert.ok(allowed.includes('Ann') && !allowed.includes('ann'), JSON.stringify(allowed));
    assert.ok(allowed.every((t) => t === '<escape>' || command.includes(t)));
  });

  test('leaves words answers, finished calls, navigate and text values alone', () => {
    const hook = snapshotHook(tok, snapshotTargets(SNAPSHOT), null);
    assert.equal(hook(tok.encode('There is no such field')), null);
    assert.equal(allowedAfter('call:navigate{url:<escape>'), null);
    assert.equal(allowedAfter('call:type_text{element:<escape>Email<escape>,ref:2,text:<escape>'), null);
    assert.equal(allowedAfter('call:click{element:<escape>Sign in<escape>,ref:12}<end_function_call>'), null);
  });

  test('narrows the copy vocabulary it is given, and never allows an id outside it', () => {
    const promptIds = [...manifest.prompt.developer_turn_ids, ...tok.encode(renderUserTurn(SNAPSHOT, 'click sign in') + MODEL_TURN_START)];
    const ids = copyVocabulary(tok, { promptIds, snapshot: SNAPSHOT, command: 'click sign in', tools, stopIds: manifest.stop_ids });
    const set = new Set(ids);
    const allowed = allowedAfter('call:click{element:<escape>', copyHook(ids));
    assert.ok(allowed && allowed.length > 0 && allowed.length < ids.length);
    assert.ok(allowed.every((id) => set.has(id)));
  });

  test('allows every token of every eval completion that calls tools, its command given (teacher forcing)', () => {
    const withCalls = records.filter((r) => r.calls && r.calls.length > 0);
    assert.ok(withCalls.length > 0, 'the eval split has no records with calls');
    for (const r of withCalls) {
      // The rare generated example that types text not in its command (a typo'd capital) is left out.
      if (r.calls.some((/** @type {any} */ c) => c.name === 'type_text' && !r.command.includes(c.arguments.text))) continue;
      const hook = snapshotHook(tok, snapshotTargets(r.snapshot), null, r.command);
      const completion = tok.encode(renderCompletion(r.calls, null));
      for (let i = 0; i < completion.length; i++) {
        const allowed = hook(completion.slice(0, i));
        assert.ok(allowed === null || allowed.includes(completion[i]),
          `${r.id}: ${JSON.stringify(tok.decode(completion.slice(0, i + 1)))} is blocked`);
      }
    }
  });
});

const VECTORS = JSON.parse(readFileSync(new URL('../vectors/grammar.json', import.meta.url), 'utf8'));

describe('call grammar', { skip: SKIP }, () => {
  /** The hook a vector case names: the grammar of its tools, narrowed by its snapshot if it has one. */
  function hookFor(/** @type {any} */ c) {
    const list = c.toolset
      ? JSON.parse(readFileSync(new URL(`../../${c.toolset}`, import.meta.url), 'utf8')).tools
      : c.tools.map((/** @type {string} */ name) => VECTORS.tools[name]);
    const hook = callGrammar(tok, list).hook(null);
    return c.snapshot ? snapshotHook(tok, snapshotTargets(VECTORS.snapshots[c.snapshot]), hook, c.command ?? null) : hook;
  }

  test('tests/vectors/grammar.json: the ids allowed after each completion, and the stretch then forced', () => {
    for (const c of VECTORS.cases) {
      const hook = hookFor(c);
      const ids = tok.encode(c.completion);
      const allowed = hook(ids);
      assert.deepEqual(allowed && allowed.map((id) => tok.decode([id])).sort(), c.allowed, c.about);
      /** @type {number[]} */
      const appended = [];
      for (let next = hook(ids); next && next.length === 1 && appended.length < 100; next = hook([...ids, ...appended])) {
        appended.push(next[0]);
      }
      assert.equal(tok.decode(appended), c.forced, c.about);
    }
  });

  test('tests/vectors/grammar.json: right completions are allowed throughout, forced where expected', () => {
    for (const w of VECTORS.walks) {
      const hook = hookFor(w);
      const ids = tok.encode(w.completion);
      let forced = 0;
      for (let i = 0; i < ids.length; i++) {
        const allowed = hook(ids.slice(0, i));
        assert.ok(allowed === null || allowed.includes(ids[i]), `${w.about}: ${JSON.stringify(tok.decode(ids.slice(0, i + 1)))}`);
        if (allowed && allowed.length === 1) forced += 1;
      }
      assert.deepEqual([ids.length, forced], [w.tokens, w.forced_tokens], w.about);
    }
  });

  test('allows every token of every eval completion through grammar, snapshot and copy vocabulary', () => {
    const grammar = callGrammar(tok, tools);
    let total = 0;
    let forced = 0;
    for (const r of records.filter((x) => x.calls && x.calls.length > 0)) {
      if (r.calls.some((/** @type {any} */ c) => c.name === 'type_text' && !r.command.includes(c.arguments.text))) continue;
      const promptIds = [...manifest.prompt.developer_turn_ids, ...tok.encode(renderUserTurn(r.snapshot, r.command) + MODEL_TURN_START)];
      const ids = copyVocabulary(tok, { promptIds, snapshot: r.snapshot, command: r.command, tools, stopIds: manifest.stop_ids });
      const hook = snapshotHook(tok, snapshotTargets(r.snapshot), grammar.hook(copyHook(ids)), r.command);
      const completion = tok.encode(renderCompletion(r.calls, null));
      for (let i = 0; i < completion.length; i++) {
        const allowed = hook(completion.slice(0, i));
        assert.ok(allowed === null || allowed.includes(completion[i]),
          `${r.id}: ${JSON.stringify(tok.decode(completion.slice(0, i + 1)))} is blocked`);
        if (allowed && allowed.length === 1) forced += 1;
      }
      total += completion.length;
    }
    assert.ok(forced > total / 2, `${forced} of ${total} tokens forced`);
  });

  test('narrows what base allows, and leaves base alone where none of its ids fits', () => {
    const grammar = callGrammar(tok, tools);
    const call = tok.encode('call');
    assert.deepEqual(grammar.hook(() => [1, 2, ...call])([START]), call);
    assert.deepEqual(grammar.hook(() => [1, 2, 3])([START]), [1, 2, 3]);
    assert.deepEqual(grammar.hook(() => [1, 2, 3])([]), [1, 2, 3], 'before a call, base decides');
    assert.equal(grammar.hook(null)(tok.encode('There is no such field')), null);
  });
});
