/**
 * `JSON.stringify(value)` for a command's summary, in pieces that join to exactly its text. A
 * first upload of 200,000 files lists each in `files`: as one string, its 17 MB were held three
 * times over at the end (the string, the line with its newline, the bytes written), and were the
 * command's peak memory. A top-level array of more than SLICE items is written SLICE items at a
 * time; anything else goes whole, as one piece per property.
 *
 * Each piece holds whole JSON values, so redacting piece by piece (output.ts) masks what
 * redacting the whole would: no secret pattern (secrets/patterns.ts) crosses the `,` and quotes
 * between two items, and a registered secret shows in JSON with its own quotes escaped.
 */
const SLICE = 500;

export function* jsonPieces(value: object): Generator<string> {
  let sep = '{';
  // Object.entries visits what JSON.stringify does, in its order: own enumerable string keys.
  for (const [key, v] of Object.entries(value)) {
    if (Array.isArray(v) && v.length > SLICE) {
      yield `${sep}${JSON.stringify(key)}:[`;
      for (let i = 0; i < v.length; i += SLICE) {
        // An item JSON cannot represent (undefined, a function) is `null` in an array, as JSON.stringify writes it.
        yield (i === 0 ? '' : ',') + (v.slice(i, i + SLICE) as unknown[]).map((item) => JSON.stringify(item) ?? 'null').join(',');
      }
      yield ']';
    } else {
      const text = JSON.stringify(v);
      if (text === undefined) continue; // undefined and functions: no property at all
      yield `${sep}${JSON.stringify(key)}:${text}`;
    }
    sep = ',';
  }
  yield sep === '{' ? '{}' : '}';
}
