// The built bundle the tokenizer-backed JS tests read: $FGWEB_BUNDLE_DIR, else export/tiny (its
// tokenizer/, toolset.json and eval/eval.jsonl). Without one, SKIP says why and the rest stay empty.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Tokenizer } from '../../web/src/tokenizer.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUNDLE = process.env.FGWEB_BUNDLE_DIR || join(ROOT, 'export', 'tiny');
const NEEDED = ['tokenizer/tokenizer.json', 'tokenizer/tokenizer_manifest.json', 'toolset.json', 'eval/eval.jsonl'];
const missing = NEEDED.find((f) => !existsSync(join(BUNDLE, f)));
/** @type {string | false} */
export const SKIP = missing ? `no built bundle: ${join(BUNDLE, missing)} is missing (run \`fgweb build --preset tiny --out export/tiny\` or set FGWEB_BUNDLE_DIR)` : false;

/** @type {Tokenizer} */
export let tok;
/** @type {any} */
export let manifest;
/** @type {any[]} */
export let tools = [];
/** @type {any[]} */
export let records = [];
if (!SKIP) {
  const read = (/** @type {string} */ f) => readFileSync(join(BUNDLE, f), 'utf8');
  manifest = JSON.parse(read('tokenizer/tokenizer_manifest.json'));
  tok = Tokenizer.fromJSON(read('tokenizer/tokenizer.json'), manifest);
  const toolset = JSON.parse(read('toolset.json'));
  tools = Array.isArray(toolset) ? toolset : toolset.tools;
  records = read('eval/eval.jsonl').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}
