/**
 * Human output made safe for a terminal. Lines quote what the CLI does not control: file names from
 * the disk (a name may hold any byte but `/` and NUL, escape sequences included, and a sync names
 * such a file as not synced), paths and messages from the remote, errors from servers. Printed as
 * they are, `ESC ] 0 ; … BEL` retitles the terminal, `ESC [ … m` recolours what follows, a carriage
 * return overwrites the line, and some terminals answer certain sequences as if typed. Every control
 * character but the newline and the tab the CLI writes itself is shown as `\xNN` instead (as `ls`
 * shows `?` and git quotes a path): C0, DEL and C1 (which 8-bit terminals take as ESC sequences).
 * --json is not touched: JSON escapes C0 itself, and a program reads it, not a terminal.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export const terminalSafe = (text: string): string => text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
