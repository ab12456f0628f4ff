/**
 * Human output made safe for a terminal. Lines quote what the CLI does not control: file names from
 * the disk (a name may hold any byte but `/` and NUL, escape sequences included, and a sync names
 * such a file as not synced), paths and messages from the remote, errors from servers. Printed as
 * they are, `ESC ] 0 ; … BEL` retitles the terminal, `ESC [ … m` recolours what follows, a carriage
 * return overwrites the line, and some terminals answer certain sequences as if typed. Every control
 * character but the newline and the tab the CLI writes itself is shown as `\xNN` instead (as `ls`
 * shows `?` and git quotes a path): C0, DEL and C1 (which 8-bit terminals take as ESC sequences).
 * So is every Unicode bidirectional control, as `\uNNNN`: a name holding RIGHT-TO-LEFT OVERRIDE
 * (U+202E) is drawn reversed from there on, `invoice\u202Efdp.exe` as `invoiceexe.pdf` (the
 * "Trojan Source" trick, CVE-2021-42574, which compilers and GitHub now flag the same way), and
 * the line and paragraph separators, which some terminals break the line at.
 * --json is not touched: JSON escapes C0 itself, and a program reads it, not a terminal.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** ALM, LRM, RLM, the embeddings and overrides (LRE…RLO), the isolates (LRI…PDI), LS and PS. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

export const terminalSafe = (text: string): string =>
  text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(BIDI, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
