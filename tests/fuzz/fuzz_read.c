/* fuzz_read: a (mutated) image mounted read-only and walked: every
 * directory (bounded), getattr, lookups, reads, SEEK_DATA/SEEK_HOLE,
 * readlink, xattrs, flags. A read-only mount must leave every byte of
 * the image as it was. See harness.h for the input format. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

#include "src/mount/mount.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t image_hash(const struct f4fz_img *img)
{
	static uint8_t buf[64 << 10];
	uint64_t h = 0, off = 0;

	while (off < img->size) {
		size_t n = img->size - off < sizeof(buf) ? img->size - off : sizeof(buf);

		if (pread(img->fd, buf, n, (off_t)(F4FZ_GUARD + off)) != (ssize_t)n)
			abort();
		h = h * 31 + f4fz_hash(buf, n);
		off += n;
	}
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct f4fz_ctl ctl;
	struct f4fz_img img;
	struct f4_fs *f4;
	uint64_t before;

	if (f4fz_input_begin(data, size, &ctl, &img))
		return 0;
	before = image_hash(&img);
	f4 = f4fz_open(&img, false, ctl.flags);
	if (f4) {
		f4fz_walk(f4, NULL);
		if (f4_mount_close(f4) > 0)
			abort();
	}
	f4fz_img_check(&img);
	if (image_hash(&img) != before) {
		fprintf(stderr, "f4fz FINDING: a read-only mount changed the image\n");
		abort();
	}
	f4fz_img_destroy(&img);
	return 0;
}
