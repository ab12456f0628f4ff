// V8's heap tuned for the command's peak memory, set when it starts (`v8.setFlagsFromString`).
//
// A sync, a download or a restore keeps a library's worth of versions, hashes and locations
// alive until its round ends, and V8's defaults are sized for throughput, not for that:
//
// - The young generation doubles each time more bytes have survived its minor collections than
//   it holds (`Heap::ResizeNewSpace`), up to semi-spaces of 16 MiB on Node 20 and 22 and 64 MiB on
//   Node 24 (this 24 GB machine), and gives nothing back until the process exits.
//   `--semi-space-growth-factor=1` makes every growth a no-op: it stays at its starting 1 MiB
//   semi-spaces. `SemiSpaceNewSpace::Grow` reads the flag each time it runs
//   (v8/src/heap/new-spaces.cc: `min(MaximumCapacity(), semi_space_growth_factor *
//   TotalCapacity())`).
// - The old generation is let grow, before its next full collection, by a factor V8 picks from
//   the speeds of its collector and of the program, up to 4 (`MemoryController::GrowingFactor`,
//   v8/src/heap/heap-controller.cc). A download parses a segment (6 MB of JSON for the benchmark
//   library), checks it and applies it: 74 MB of heap in use, of which 23 MB was live.
//   `--heap-growing-percent=50` fixes that factor at 1.5, and is read each time the limit is
//   computed. Garbage buffers (packs uploaded, ranges written) go sooner too: full collections
//   free them.
//
// - On V8 12 and later (Node 22 and 24) the pages a full collection frees are kept in a pool for
//   reuse, resident: "pooled: 12-15 MB" in `--trace-gc` through a restore of the benchmark library.
//   Only a collection that reduces memory hands them back (v8/src/heap/sweeper.cc: "Discard all
//   pooled pages on memory-reducing GCs"), and V8 makes its full collections such ones where it
//   optimizes for memory (`Heap::ShouldOptimizeForMemoryUsage`, v8/src/heap/heap.cc, which reads
//   `--optimize-for-size`): the pool stays empty. Measured (session 78, alternating, 2-3 runs each,
//   peak RSS): Node 22 restore 143-148 MB against 164, download 146-147 against 155-161, first
//   upload 139-140 against 145-149, wall time 0.1-0.4 s more; Node 24 restore 146-150 against
//   168-171, download 146-150 against 164-169 (0.1-0.5 s more), first upload 157-165 against
//   162-167. Node 20 (V8 11) keeps no such pool: there it gained nothing and cost a little time,
//   so it is not set there.
//
// These flags are read while the heap runs, so setting them after start takes effect: Node leaves
// V8's flags writable after start for `v8.setFlagsFromString` (node/src/node.cc sets
// `--no-freeze-flags-after-init`).
//
// Measured (Node 20, the benchmark library, a folder remote, alternating runs, peak RSS):
// - the young generation kept small, 4 pairs: first upload 230 MB against 252 (wall 8.6 s against
//   9.4), download 205 against 254 (6.7 s against 6.6), restore 198 against 251 (6.3 s against 7.0);
// - the old generation's factor on top of it, 3 runs each: first upload 175-178 MB against 190-230,
//   download 184-185 against 196-208, restore 178-185 against 195-200, wall times within the
//   runs' spread (medians 9.19 s against 8.73, 6.70 against 6.45, 6.37 against 6.19); 100,000 small
//   files: first upload 226 MB against 333, a no-op 159 MB and 1.92-2.05 s against 158 MB and
//   1.96-2.08 s.
//
// Only for the command, never in the library: an application embedding the engine tunes its own
// heap. What the user set (on node's command line, or in NODE_OPTIONS where Node allows it) stays.
import v8 from 'node:v8';

/** The flags to set, each unless the user set what it tunes, and some only from a V8 version on. */
const TUNING = [
  { flag: '--semi-space-growth-factor=1', unlessUserSet: /--(max|min)[-_]semi[-_]space[-_]size|--semi[-_]space[-_]growth[-_]factor/ },
  { flag: '--heap-growing-percent=50', unlessUserSet: /--heap[-_]growing[-_]percent/ },
  { flag: '--optimize-for-size', unlessUserSet: /--(no[-_])?optimize[-_]for[-_]size/, fromV8: 12 },
];

/**
 * The V8 flags to set, given node's own options (`process.execArgv`), NODE_OPTIONS and the V8
 * version (`process.versions.v8`, "12.4.254.21-node.33"). Pure.
 */
export function heapFlags(execArgv, nodeOptions, v8Version = process.versions.v8) {
  const userSet = [...execArgv, nodeOptions ?? ''].join(' ');
  const v8Major = Number.parseInt(v8Version, 10);
  return TUNING.filter((t) => !t.unlessUserSet.test(userSet) && !(t.fromV8 > v8Major)).map((t) => t.flag);
}

/** Tunes V8's heap for peak memory (above), except where the user tuned it. */
export function tuneHeapForPeakMemory() {
  for (const flag of heapFlags(process.execArgv, process.env.NODE_OPTIONS)) v8.setFlagsFromString(flag);
}
