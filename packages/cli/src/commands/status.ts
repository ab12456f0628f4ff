/** `syncacross status [DIR]`: what this library knows, without contacting the remote. */
import { withLibrary } from '../library-session.js';
import { formatBytes, type Output } from '../output.js';
import { maskOptions } from '../secrets.js';

export async function statusCommand(dir: string | undefined, out: Output): Promise<number> {
  return withLibrary(dir, out, { online: false }, async ({ root, config, adapter, library }) => {
    const st = library.status();
    const options = maskOptions(adapter.module, config.options);
    out.info(`library      ${root}`);
    out.info(`remote       ${config.remote} (adapter ${config.adapter})`);
    out.info(`options      ${JSON.stringify(options)}`);
    const { format, encrypted } = library.format;
    out.info(`repository   ${st.repository}`);
    out.info(
      `format       ${format}${format === 1 ? ' (readable by releases before 0.2; not compressed, not encrypted)' : ` (compressed${encrypted ? ', encrypted end to end: every node needs the passphrase or a remembered key' : ', not encrypted'}${format === 2 ? '; made by an earlier release: its history cannot be collected' : format === 3 ? '; made by an earlier release: its history is collected, never pruned (`syncacross upgrade` for a retention policy)' : ''})`}`,
    );
    out.info(`writer       ${st.writer}`);
    out.info(`files        ${st.files}`);
    out.info(`conflicts    ${st.conflicts.length}${st.conflicts.length > 0 ? ' (see `syncacross conflicts`)' : ''}`);
    out.info(`pending      ${st.pendingVersions} versions, ${st.unuploadedSegments} segments not yet uploaded`);
    if (st.staged.packs > 0) out.info(`staged       ${formatBytes(st.staged.bytes)} in ${st.staged.packs} packs here, waiting for the remote (they go up at the next sync)`);
    if (st.corruptSegments.length > 0) out.info(`corrupt      ${st.corruptSegments.length} remote segments skipped: ${st.corruptSegments.join(', ')}`);
    out.info(`last sync    ${st.lastSync ?? 'never'}`);
    out.result({ command: 'status', library: root, adapter: config.adapter, ...st, format, encrypted, remote: config.remote, options });
    return 0;
  });
}
