// V8's young generation kept at its starting size, for the command's peak memory.
//
// V8 doubles its young generation each time more bytes have survived its minor collections than
// the generation holds (`Heap::ResizeNewSpace`), up to a maximum: semi-spaces of 16 MiB on Node 20
// and 22, 64 MiB on Node 24 (on this 24 GB machine). A sync or a restore keeps a library's worth of
// versions, hashes and locations alive, so it always reaches that maximum, and gives nothing back
// until it exits. `--semi-space-growth-factor=1` makes every growth a no-op: the generation stays
// at its starting semi-spaces of 1 MiB (on all three runtimes). `SemiSpaceNewSpace::Grow`
// reads the flag each time it runs (v8/src/heap/new-spaces.cc: the new capacity is
// `min(MaximumCapacity(), semi_space_growth_factor * TotalCapacity())`), so setting it after
// start takes effect: Node leaves V8's flags writable after start for `v8.setFlagsFromString`
// (node/src/node.cc sets `--no-freeze-flags-after-init`).
//
// Measured (Node 20, the benchmark library, a folder remote, 4 alternating pairs, peak RSS):
// first upload 230 MB against 252 (wall 8.6 s against 9.4), download 205 against 254 (6.7 s
// against 6.6), restore 198 against 251 (6.3 s against 7.0). More objects reach the old
// generation early, but they were going to: what a round keeps lives until it ends.
//
// Only for the command, never in the library: an application embedding the engine tunes its own
// heap. A user who sizes the young generation (`--max-semi-space-size`, `--min-semi-space-size`,
// on the command line or in NODE_OPTIONS) keeps V8's growth.
import v8 from 'node:v8';

const SIZED_BY_USER = /--(max|min)[-_]semi[-_]space[-_]size/;

/** Whether the young generation is left to grow: the user sized it. */
export function youngGenerationSizedByUser(execArgv, nodeOptions) {
  return SIZED_BY_USER.test([...execArgv, nodeOptions ?? ''].join(' '));
}

/** Stops V8's young generation from growing past its starting size, unless the user sized it. */
export function keepYoungGenerationSmall() {
  if (youngGenerationSizedByUser(process.execArgv, process.env.NODE_OPTIONS)) return;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}
