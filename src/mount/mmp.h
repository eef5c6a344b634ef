/* Owns multiple-mount protection (the ext4 "mmp" feature) for read-write
 * mounts: the on-disk protocol of struct mmp_struct in the block named by
 * s_mmp_block, as ext4 and e2fsprogs speak it.
 *
 *   claim   read the block (checking its magic and, with metadata_csum,
 *           its checksum). EXT4_MMP_SEQ_FSCK: e2fsck is running, refuse.
 *           Any other value but EXT4_MMP_SEQ_CLEAN: some node was using
 *           the filesystem; wait 2 * interval + 1 seconds (at most
 *           interval + 60) and refuse if the sequence moved meanwhile.
 *           Then write a fresh random sequence with our node name, wait
 *           as long again and refuse if anyone overwrote it.
 *   run     a thread bumps the sequence (and the time) every
 *           s_mmp_update_interval seconds; when an update comes later
 *           than the check interval it re-reads the block, and if
 *           another node wrote it the mount stops writing (read-only) and
 *           says so.
 *   stop    at unmount, after the last write: EXT4_MMP_SEQ_CLEAN.
 *
 * Reads bypass the page cache (a second, direct descriptor on the image:
 * compat/direct.h) so that another machine's writes to a shared device
 * are seen; writes go through the device and are synced. All IO stays in
 * the offset= window. Read-only mounts do not take part (as ext4). The
 * thread holds only its own lock while waiting; it takes the big lock
 * only to make the mount read-only. */
#ifndef F4_MOUNT_MMP_H
#define F4_MOUNT_MMP_H

#include <stdbool.h>
#include <stddef.h>

#include "src/fs/fs.h"

/* Claim the filesystem of a read-write mount with the mmp feature (a
 * no-op otherwise, or when claimed already: before a journal replay)
 * before anything is written. Takes 2 * interval + 1
 * seconds (11 by default), twice that after an unclean unmount. On
 * refusal returns -EBUSY (or -EUCLEAN for a damaged MMP block, -EIO...)
 * with a one-line reason in msg. Call without the big lock. */
int f4_mmp_claim(struct f4_fs *f4, char *msg, size_t msglen);

/* Start the periodic updates (after daemonizing: threads do not survive
 * the fork). If that fails the mount goes read-only. */
void f4_mmp_run(struct f4_fs *f4);

/* Stop the updates and mark the block clean; frees the state. Call after
 * the filesystem's last write, without the big lock. */
void f4_mmp_stop(struct f4_fs *f4);

/* Has another node taken the filesystem over while we were mounted? Then
 * nothing more may be written, not even at unmount. */
bool f4_mmp_lost(struct f4_fs *f4);

#endif
