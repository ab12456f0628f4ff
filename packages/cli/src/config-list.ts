/** Lists kept in a library's config.json (exclude patterns, mount points), as `add` and `remove` change them. */

/**
 * `before` with `given` added (each once, in the order given, after those already there) or
 * removed; removing what is not in the list is `notThere`'s error, and nothing changes.
 */
export function editedList(action: 'add' | 'remove', before: readonly string[], given: readonly string[], notThere: (unknown: string[]) => Error): string[] {
  if (action === 'add') return [...before, ...given.filter((p, i) => !before.includes(p) && given.indexOf(p) === i)];
  const unknown = given.filter((p) => !before.includes(p));
  if (unknown.length > 0) throw notThere(unknown);
  return before.filter((p) => !given.includes(p));
}
