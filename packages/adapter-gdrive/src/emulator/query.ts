/**
 * A parser and evaluator for the subset of Drive's `q` search language the adapter sends (and a
 * little more), following Google's reference:
 * https://developers.google.com/drive/api/guides/ref-search-terms
 *
 *   query   := or
 *   or      := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | '(' query ')' | term
 *   term    := STRING 'in' 'parents'
 *            | 'name' ('=' | '!=' | 'contains') STRING
 *            | 'mimeType' ('=' | '!=' | 'contains') STRING
 *            | 'trashed' ('=' | '!=') BOOLEAN
 *            | ('createdTime' | 'modifiedTime') ('<' | '<=' | '=' | '!=' | '>' | '>=') STRING
 *
 * String literals are single-quoted; `\'` and `\\` escape a quote and a backslash (as Drive
 * documents; see also apache/airflow PR #72166, `_escape_drive_query_value`). Anything else is a
 * `QuerySyntaxError`, which the emulator answers with 400 `invalid` like Drive does.
 */

export class QuerySyntaxError extends Error {
  override name = 'QuerySyntaxError';
}

/** What a term is evaluated against. */
interface QueryableFile {
  name: string;
  mimeType: string;
  trashed: boolean;
  parents: readonly string[];
  createdTime: string;
  modifiedTime: string;
}

export type Predicate = (file: QueryableFile) => boolean;

export interface ParsedQuery {
  predicate: Predicate;
  /** Parent ids named in `'<id>' in parents` terms (lets the emulator resolve aliases such as `root`). */
  parentIds: string[];
  /** When defined, every match has a parent in this set (so only those folders need scanning). */
  parentBound?: Set<string>;
}

/** A predicate plus, when known, the parents every match must have one of. */
interface Node {
  test: Predicate;
  bound?: Set<string>;
}

type Token = { kind: 'string'; value: string } | { kind: 'word'; value: string } | { kind: 'op'; value: string } | { kind: 'paren'; value: '(' | ')' };

function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= q.length) throw new QuerySyntaxError('unterminated string literal');
        const d = q[i]!;
        if (d === '\\') {
          const next = q[i + 1];
          if (next !== "'" && next !== '\\') throw new QuerySyntaxError(`invalid escape \\${next ?? ''}`);
          value += next;
          i += 2;
        } else if (d === "'") {
          i++;
          break;
        } else {
          value += d;
          i++;
        }
      }
      tokens.push({ kind: 'string', value });
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: 'paren', value: c });
      i++;
    } else if ('=!<>'.includes(c)) {
      const two = q.slice(i, i + 2);
      const op = ['!=', '<=', '>='].includes(two) ? two : c;
      if (op === '!') throw new QuerySyntaxError('stray "!"');
      tokens.push({ kind: 'op', value: op });
      i += op.length;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (j < q.length && /[A-Za-z0-9_]/.test(q[j]!)) j++;
      tokens.push({ kind: 'word', value: q.slice(i, j) });
      i = j;
    } else {
      throw new QuerySyntaxError(`unexpected character ${JSON.stringify(c)}`);
    }
  }
  return tokens;
}

/** Drive's `name contains` matches prefixes of the name's words, case-insensitively. */
function nameContains(name: string, needle: string): boolean {
  const n = needle.toLowerCase();
  const lower = name.toLowerCase();
  if (lower.startsWith(n)) return true;
  return lower.split(/[^\p{L}\p{N}]+/u).some((word) => word.startsWith(n));
}

function compare(op: string, a: string, b: string): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      throw new QuerySyntaxError(`operator ${op} not allowed here`);
  }
}

export interface QueryOptions {
  /** `name =`/`!=` ignore case, as on the real Drive (see real-world.ts, caseInsensitiveNameQueries). */
  caseInsensitiveNames?: boolean;
}

export function parseQuery(q: string, options: QueryOptions = {}): ParsedQuery {
  const fold = options.caseInsensitiveNames ? (s: string) => s.toLowerCase() : (s: string) => s;
  const tokens = tokenize(q);
  const parentIds: string[] = [];
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (t: Token | undefined, w: string) => t?.kind === 'word' && t.value.toLowerCase() === w;
  const expectString = (): string => {
    const t = tokens[pos++];
    if (t?.kind !== 'string') throw new QuerySyntaxError('expected a quoted string');
    return t.value;
  };
  const expectOp = (allowed: string[]): string => {
    const t = tokens[pos++];
    const op = t?.kind === 'op' ? t.value : t?.kind === 'word' ? t.value.toLowerCase() : undefined;
    if (op === undefined || !allowed.includes(op)) throw new QuerySyntaxError(`expected one of ${allowed.join(' ')}`);
    return op;
  };

  function term(): Node {
    const t = tokens[pos++];
    if (t?.kind === 'string') {
      if (!isWord(tokens[pos], 'in') || !isWord(tokens[pos + 1], 'parents')) throw new QuerySyntaxError("expected 'in parents' after a string");
      pos += 2;
      parentIds.push(t.value);
      const id = t.value;
      return { test: (f) => f.parents.includes(id), bound: new Set([id]) };
    }
    return { test: field(t) };
  }

  function field(t: Token | undefined): Predicate {
    if (t?.kind !== 'word') throw new QuerySyntaxError('expected a query term');
    switch (t.value) {
      case 'name': {
        const op = expectOp(['=', '!=', 'contains']);
        const v = expectString();
        return op === 'contains' ? (f) => nameContains(f.name, v) : (f) => compare(op, fold(f.name), fold(v));
      }
      case 'mimeType': {
        const op = expectOp(['=', '!=', 'contains']);
        const v = expectString();
        return op === 'contains' ? (f) => f.mimeType.includes(v) : (f) => compare(op, f.mimeType, v);
      }
      case 'trashed': {
        const op = expectOp(['=', '!=']);
        const b = tokens[pos++];
        if (b?.kind !== 'word' || !['true', 'false'].includes(b.value)) throw new QuerySyntaxError('trashed compares with true or false');
        const want = b.value === 'true';
        return op === '=' ? (f) => f.trashed === want : (f) => f.trashed !== want;
      }
      case 'createdTime':
      case 'modifiedTime': {
        const field = t.value;
        const op = expectOp(['<', '<=', '=', '!=', '>', '>=']);
        const v = expectString();
        if (Number.isNaN(Date.parse(v))) throw new QuerySyntaxError(`${field} needs an RFC 3339 date`);
        const at = new Date(v).toISOString();
        return (f) => compare(op, f[field], at);
      }
      default:
        throw new QuerySyntaxError(`unsupported query term ${t.value}`);
    }
  }

  function unary(): Node {
    if (isWord(peek(), 'not')) {
      pos++;
      const inner = unary().test;
      return { test: (f) => !inner(f) };
    }
    const t = peek();
    if (t?.kind === 'paren' && t.value === '(') {
      pos++;
      const inner = or();
      const close = tokens[pos++];
      if (close?.kind !== 'paren' || close.value !== ')') throw new QuerySyntaxError('missing )');
      return inner;
    }
    return term();
  }

  function and(): Node {
    const parts = [unary()];
    while (isWord(peek(), 'and')) {
      pos++;
      parts.push(unary());
    }
    if (parts.length === 1) return parts[0]!;
    const tests = parts.map((p) => p.test);
    // Any conjunct's bound holds for the whole conjunction: keep the smallest.
    const bound = parts
      .map((p) => p.bound)
      .filter((b) => b !== undefined)
      .sort((a, b) => a.size - b.size)[0];
    return { test: (f) => tests.every((p) => p(f)), bound };
  }

  function or(): Node {
    const parts = [and()];
    while (isWord(peek(), 'or')) {
      pos++;
      parts.push(and());
    }
    if (parts.length === 1) return parts[0]!;
    const tests = parts.map((p) => p.test);
    // A disjunction is bounded only when every disjunct is, by the union.
    const bound = parts.every((p) => p.bound) ? new Set(parts.flatMap((p) => [...p.bound!])) : undefined;
    return { test: (f) => tests.some((p) => p(f)), bound };
  }

  if (tokens.length === 0) return { predicate: () => true, parentIds };
  const root = or();
  if (pos !== tokens.length) throw new QuerySyntaxError('unexpected text after the query');
  return { predicate: root.test, parentIds, parentBound: root.bound };
}
