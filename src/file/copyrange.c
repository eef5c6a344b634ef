/* Owns copy_file_range (see copyrange.h). The copy goes in chunks of at
 * most F4_COPY_CHUNK through f4_file_read and f4_file_write, so each
 * chunk takes the inode locks and the big lock as any read and write
 * do, one inode at a time (never two inode locks at once). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "src/file/copyrange.h"
#include "src/file/read.h"
#include "src/file/write.h"

#define F4_COPY_CHUNK (1u << 20)

int f4_file_copy_range(struct f4_fs *f4, const struct f4_cred *cred,
		       ext2_ino_t in, uint64_t off_in, ext2_ino_t out,
		       uint64_t off_out, size_t len, size_t *copied)
{
	size_t chunk = len < F4_COPY_CHUNK ? len : F4_COPY_CHUNK;
	char *buf = malloc(chunk ? chunk : 1);
	int ret = 0;

	*copied = 0;
	if (!buf)
		return -ENOMEM;
	if (in == out && off_in < off_out + len && off_out < off_in + len)
		ret = -EINVAL;	/* overlapping ranges of one file */
	while (!ret && *copied < len) {
		size_t want = len - *copied < chunk ? len - *copied : chunk;
		size_t got = 0, put = 0;

		ret = f4_file_read(f4, in, off_in + *copied, want, buf, &got);
		if (ret || !got)
			break;
		ret = f4_file_write(f4, cred, out, off_out + *copied, buf, got, NULL, &put);
		*copied += put;
		if (put < got)
			break;
	}
	free(buf);
	return *copied ? 0 : ret;
}
