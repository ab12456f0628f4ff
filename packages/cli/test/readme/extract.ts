/**
 * The commands a README shows: every fenced ```sh block of README.md and packages/*\/README.md,
 * continuation lines joined, and of its lines the `syncacross …` commands (optionally after
 * `NAME=value` assignments) and the `export NAME=value` lines they depend on. Other lines (npm,
 * node, npx) are build and test steps, not run here.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface ReadmeCommand {
  /** README path relative to the repository, and line of the command. */
  where: string;
  readme: string;
  /** The package whose README it is ('' for the root README). */
  pkg: string;
  /** The command as written. */
  text: string;
  /** `export` lines above it in the same block. */
  exports: string[];
}

export interface FencedBlock {
  lang: string;
  line: number;
  lines: string[];
}

export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  let open: FencedBlock | undefined;
  markdown.split('\n').forEach((line, i) => {
    const fence = /^\s*```\s*([\w-]*)/.exec(line);
    if (!fence) {
      open?.lines.push(line);
      return;
    }
    if (open) {
      blocks.push(open);
      open = undefined;
    } else open = { lang: fence[1] ?? '', line: i + 1, lines: [] };
  });
  return blocks;
}

export const isSyncacrossCommand = (line: string) => /^(?:[A-Za-z_][A-Za-z0-9_]*=\S+\s+)*syncacross\s/.test(line);

export function readmes(repo: string): string[] {
  const pkgs = join(repo, 'packages');
  const found = [join(repo, 'README.md')];
  for (const p of readdirSync(pkgs).sort()) if (existsSync(join(pkgs, p, 'README.md'))) found.push(join(pkgs, p, 'README.md'));
  return found;
}

export function readmeCommands(repo: string, file: string): ReadmeCommand[] {
  const readme = relative(repo, file);
  const pkg = /^packages\/([^/]+)\//.exec(readme)?.[1] ?? '';
  const out: ReadmeCommand[] = [];
  for (const block of fencedBlocks(readFileSync(file, 'utf8'))) {
    if (block.lang !== 'sh') continue;
    const exports: string[] = [];
    let pending = '';
    block.lines.forEach((raw, i) => {
      const joined = pending + raw;
      if (/\\\s*$/.test(raw)) {
        pending = joined.replace(/\\\s*$/, ' ');
        return;
      }
      pending = '';
      const line = joined.trim();
      if (line.startsWith('export ')) exports.push(line);
      else if (isSyncacrossCommand(line)) out.push({ where: `${readme}:${block.line + 1 + i}`, readme, pkg, text: line, exports: [...exports] });
    });
  }
  return out;
}
