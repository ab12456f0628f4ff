/**
 * Mounts known to cache listings (rclone mount, davfs2, sshfs, s3fs, gcsfuse) are recognized from
 * /proc/self/mountinfo, and the user is told once which setting to change; ordinary disks, NFS
 * and SMB shares say nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachingMountAdvice, mountOf, parseMountinfo, warnIfCachingMount } from '@syncacross/adapter-fs';

// A real mountinfo, trimmed: root on ext4, an NFS NAS, an SMB share, an rclone mount of Drive
// (with a space in its path), a davfs2 mount, an sshfs mount, a tmpfs.
const MOUNTINFO = [
  '22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw',
  '90 22 0:50 / /mnt/nas rw,relatime shared:40 - nfs4 nas:/export/library rw,vers=4.2',
  '91 22 0:51 / /mnt/smb rw,relatime shared:41 - cifs //nas/library rw,vers=3.1.1',
  '92 22 0:52 / /home/me/Google\\040Drive rw,nosuid,nodev,relatime shared:42 - fuse.rclone gdrive: rw,user_id=1000,group_id=1000',
  '93 22 0:53 / /mnt/dav rw,nosuid,nodev,relatime shared:43 - fuse https://cloud.example.com/remote.php/dav/files/me/ rw,user_id=0,group_id=0,allow_other',
  '94 22 0:54 / /mnt/ssh rw,nosuid,nodev,relatime shared:44 - fuse.sshfs me@server:/srv rw,user_id=1000,group_id=1000',
  '95 22 0:55 / /tmp rw,nosuid,nodev shared:45 - tmpfs tmpfs rw',
  'garbage line',
  '',
].join('\n');

describe('mountinfo', () => {
  const mounts = parseMountinfo(MOUNTINFO);

  it('parses mount points (with escapes), types and sources, and skips malformed lines', () => {
    expect(mounts).toHaveLength(7);
    expect(mounts[3]).toMatchObject({ mountPoint: '/home/me/Google Drive', fsType: 'fuse.rclone', source: 'gdrive:' });
  });

  it('finds the mount holding a path: the longest mount point containing it', () => {
    expect(mountOf('/home/me/Google Drive/library', mounts)?.fsType).toBe('fuse.rclone');
    expect(mountOf('/home/me/Google Drivex/library', mounts)?.fsType).toBe('ext4');
    expect(mountOf('/mnt/nas', mounts)?.fsType).toBe('nfs4');
  });

  it('names the setting to change for each caching mount, and says nothing for disks, NFS and SMB', () => {
    const advice = (path: string) => cachingMountAdvice(mountOf(path, mounts)!);
    expect(advice('/home/me/Google Drive/library')).toMatch(/--dir-cache-time/);
    expect(advice('/mnt/dav/library')).toMatch(/dir_refresh/);
    expect(advice('/mnt/dav/library')).toMatch(/webdav adapter/);
    expect(advice('/mnt/ssh/library')).toMatch(/dir_cache=no/);
    for (const quiet of ['/home/me/library', '/mnt/nas/library', '/mnt/smb/library', '/tmp/x']) expect(advice(quiet)).toBeUndefined();
  });
});

describe('warnIfCachingMount', () => {
  let dir = '';
  let fixture = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mountinfo-'));
    fixture = join(dir, 'mountinfo');
    // This very folder, as if it were an rclone mount.
    await writeFile(fixture, `${MOUNTINFO}96 22 0:56 / ${dir} rw - fuse.rclone remote: rw\n`);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('warns once per mount, naming rclone --dir-cache-time, for a folder that does not exist yet', () => {
    const lines: string[] = [];
    warnIfCachingMount(join(dir, 'library', 'not-yet'), (l) => lines.push(l), fixture);
    warnIfCachingMount(join(dir, 'library'), (l) => lines.push(l), fixture);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warning: .*fuse\.rclone.*--dir-cache-time/);
  });

  it('says nothing where there is no mountinfo (macOS, Windows)', () => {
    const lines: string[] = [];
    expect(warnIfCachingMount(dir, (l) => lines.push(l), join(dir, 'missing'))).toBeUndefined();
    expect(lines).toEqual([]);
  });
});
