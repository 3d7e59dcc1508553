// Test harness of e2e/test_actions.py: loads web/src/actions.js and snapshot.js, records the events
// that reach the page, and exposes `window.harness`:
//
//   harness.ref(name)       the ref of the first snapshot line with that name
//   harness.check(call)     checkCall against a fresh snapshot (issues as {code, argument, message})
//   harness.run(call, opts) check, then execute when the check passes (as the agent does), with the
//                           check's snapshot line; opts: {allowOrigins, confirm: true | false (the
//                           answer; every request is kept in harness.confirms) | absent: no callback}
//   harness.snap()          takeSnapshot(document.body, {maxLines: 500}), kept as harness.snapshot
//   harness.checkOn(call)   checkCall against harness.snapshot (for pages changed after the snapshot)
//   harness.state()         everything a call could change: DOM, values, focus, scroll, URL, events
//   harness.events          'type:id' of every recorded event, in order
import * as actions from '../../../web/src/actions.js';
import { takeSnapshot } from '../../../web/src/snapshot.js';

const EVENT_TYPES = ['pointerdown', 'mousedown', 'focusin', 'pointerup', 'mouseup', 'click', 'beforeinput',
  'input', 'change', 'submit'];

// Every load starts at the top: no scroll position carried over from the page's previous load.
history.scrollRestoration = 'manual';

const toolset = await (await fetch('/fgweb/toolsets/dom.json')).json();
const tools = Object.fromEntries(toolset.tools.map((t) => [t.function.name, t]));

const events = [];
for (const type of EVENT_TYPES) {
  document.addEventListener(type, (e) => {
    const target = e.target instanceof Element ? (e.target.id || e.target.localName) : 'document';
    events.push(e instanceof InputEvent && type === 'input' ? `${type}:${target}:${e.inputType}` : `${type}:${target}`);
  }, true);
}

const plain = (result) => ({
  ok: result.ok,
  issues: result.issues,
  codes: result.issues.map((i) => i.code),
  element: result.element ? (result.element.id || result.element.localName) : null,
  ref: result.entry ? result.entry.ref : null,
});

/** A confirm callback that answers `answer` and keeps each request (its element as its id). */
const confirmer = (answer) => (answer === undefined || answer === null ? null : async (request) => {
  harness.confirms.push({ ...request, element: request.element ? (request.element.id || request.element.localName) : null });
  return answer;
});

const harness = {
  actions,
  tools,
  events,
  confirms: [],
  snapshot: null,
  snap() {
    harness.snapshot = takeSnapshot(document.body, { maxLines: 500 });
    return harness.snapshot;
  },
  ref(name) {
    const entry = harness.snap().entries.find((e) => e.name === name);
    if (!entry) throw new Error(`no snapshot line named ${JSON.stringify(name)}:\n${harness.snapshot.text}`);
    return entry.ref;
  },
  check(call) {
    return plain(actions.checkCall(call, harness.snap(), tools[call.name] ?? null));
  },
  checkOn(call) {
    return plain(actions.checkCall(call, harness.snapshot, tools[call.name] ?? null));
  },
  async run(call, { allowOrigins = [], confirm } = {}) {
    const check = actions.checkCall(call, harness.snapshot ?? harness.snap(), tools[call.name] ?? null, { allowOrigins });
    harness.snapshot = null;
    const executed = check.ok
      ? await actions.executeCall(call, check.element, { entry: check.entry, allowOrigins, confirm: confirmer(confirm) })
      : null;
    return { check: plain(check), executed };
  },
  state() {
    const controls = Array.from(document.querySelectorAll('input, textarea, select'), (el) => ({
      id: el.id, value: el.value, checked: el.checked ?? null, selectedIndex: el.selectedIndex ?? null,
    }));
    const scrolls = Array.from(document.querySelectorAll('*'), (el) => el.scrollTop);
    return {
      html: document.body.innerHTML, controls, scrolls, url: location.href, scrollY: window.scrollY,
      focus: document.activeElement ? (document.activeElement.id || document.activeElement.localName) : null,
      events: events.length,
    };
  },
};
window.harness = harness;
