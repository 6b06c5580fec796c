// V8 sizes its young generation (the "new space" where objects are born) by
// what survives: each time more bytes survive its collections than it holds,
// it doubles, up to 2 × 16 MiB on 64-bit Node. It shrinks again only at a
// collection that sees a low allocation rate, and an idle server runs none.
// Start-up is one burst of objects that live for ever (about a thousand
// modules, every route's schemas compiled), so it grows the young generation
// to its maximum, and an idle server then holds about 25 MB of it, empty
// (docs/performance.md, "What each change bought").
//
// So start-up runs with V8's growth factor at 1: the young generation keeps
// its initial size while the server loads, and what start-up keeps is
// promoted to the old generation as it would be anyway. Once the server
// listens, V8's own factor is back and the young generation grows under load
// as it always did. `--semi-space-growth-factor` is read by V8 each time it
// grows the young generation, so setting it after start takes effect; an
// operator who sizes the young generation on the command line (or in
// NODE_OPTIONS) keeps exactly what they chose.

import v8 from 'node:v8';

/** V8's default (`node --v8-options`); the factor the young generation grows by once the server is up. */
const V8_DEFAULT_GROWTH_FACTOR = 2;
const SIZING_FLAGS = /--(?:semi[-_]space[-_]growth[-_]factor|max[-_]semi[-_]space[-_]size|min[-_]semi[-_]space[-_]size)\b/;

let holding = false;

/** True when the operator sized the young generation themselves: then it is theirs, untouched. */
export function sizedByOperator(execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env.NODE_OPTIONS ?? ''): boolean {
  return execArgv.some((argument) => SIZING_FLAGS.test(argument)) || SIZING_FLAGS.test(nodeOptions);
}

/**
 * Called first thing, before the server's modules are imported (loading
 * them is most of the burst): the young generation stops growing.
 */
export function holdYoungGenerationDuringStart(): void {
  if (holding || sizedByOperator()) return;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  holding = true;
}

/** Called once the server listens: the young generation grows by V8's own rule again. */
export function releaseYoungGeneration(): void {
  if (!holding) return;
  v8.setFlagsFromString(`--semi-space-growth-factor=${V8_DEFAULT_GROWTH_FACTOR}`);
  holding = false;
}
