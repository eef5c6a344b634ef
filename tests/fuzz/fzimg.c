/* Helper for the seed-image script (mkseeds.sh): what mke2fs and debugfs
 * cannot do.
 *   fzimg journal IMAGE BLOCKS   add an internal journal of BLOCKS blocks
 *                                (mke2fs and tune2fs insist on >= 1024,
 *                                too big for a fuzzing seed)
 *   fzimg ctl IMAGE FLAGS SEED   write the fuzz control block (harness.h)
 *                                into the boot sector: flags, and a run
 *                                of operations from a simple PRNG
 *   fzimg flip IMAGE SEED N START END
 *                                flip N bits at offsets in [START, END)
 *                                chosen by a PRNG seeded with SEED
 *                                (deterministic damage for
 *                                tests/integ/corrupt.sh); prints them */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ext2fs/ext2fs.h>

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* A clean jbd2 journal (superblock v2, nothing to replay) in inode 8,
 * laid out by hand: libext2fs refuses journals under 1024 blocks. */
static errcode_t make_journal(ext2_filsys fs, unsigned blocks)
{
	struct ext2_inode inode;
	unsigned char *jsb;
	blk64_t pblk = 0;
	errcode_t err;

	memset(&inode, 0, sizeof(inode));
	inode.i_mode = LINUX_S_IFREG | 0600;
	inode.i_links_count = 1;
	if (ext2fs_has_feature_extents(fs->super))
		inode.i_flags = EXT4_EXTENTS_FL;
	err = ext2fs_write_new_inode(fs, EXT2_JOURNAL_INO, &inode);
	if (!err && (inode.i_flags & EXT4_EXTENTS_FL)) {
		ext2_extent_handle_t h;

		err = ext2fs_extent_open2(fs, EXT2_JOURNAL_INO, &inode, &h);
		if (!err)
			ext2fs_extent_free(h);
		if (!err)
			err = ext2fs_read_inode(fs, EXT2_JOURNAL_INO, &inode);
	}
	if (!err)
		err = ext2fs_fallocate(fs, EXT2_FALLOCATE_FORCE_INIT |
				       EXT2_FALLOCATE_ZERO_BLOCKS,
				       EXT2_JOURNAL_INO, &inode, ~0ULL, 0, blocks);
	if (!err)
		err = ext2fs_read_inode(fs, EXT2_JOURNAL_INO, &inode);
	if (err)
		return err;
	err = ext2fs_inode_size_set(fs, &inode, (uint64_t)blocks * fs->blocksize);
	if (!err)
		err = ext2fs_write_inode(fs, EXT2_JOURNAL_INO, &inode);
	if (!err)
		err = ext2fs_bmap2(fs, EXT2_JOURNAL_INO, &inode, NULL, 0, 0, NULL,
				   &pblk);
	if (err)
		return err;
	jsb = calloc(1, fs->blocksize);
	if (!jsb)
		return EXT2_ET_NO_MEMORY;
	put_be32(jsb + 0, 0xC03B3998u);		/* magic */
	put_be32(jsb + 4, 4);			/* superblock v2 */
	put_be32(jsb + 12, fs->blocksize);
	put_be32(jsb + 16, blocks);		/* s_maxlen */
	put_be32(jsb + 20, 1);			/* s_first */
	put_be32(jsb + 24, 1);			/* s_sequence */
	memcpy(jsb + 48, fs->super->s_uuid, 16);
	put_be32(jsb + 64, 1);			/* s_nr_users */
	memcpy(jsb + 0x100, fs->super->s_uuid, 16);
	err = io_channel_write_blk64(fs->io, pblk, 1, jsb);
	free(jsb);
	if (err)
		return err;
	fs->super->s_journal_inum = EXT2_JOURNAL_INO;
	memcpy(fs->super->s_jnl_blocks, inode.i_block, EXT2_N_BLOCKS * 4);
	fs->super->s_jnl_blocks[15] = inode.i_size_high;
	fs->super->s_jnl_blocks[16] = inode.i_size;
	fs->super->s_jnl_backup_type = EXT3_JNL_BACKUP_BLOCKS;
	ext2fs_set_feature_journal(fs->super);
	ext2fs_mark_super_dirty(fs);
	return 0;
}

static int add_journal(const char *img, unsigned blocks)
{
	ext2_filsys fs;
	errcode_t err;

	err = ext2fs_open(img, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0,
			  unix_io_manager, &fs);
	if (err) {
		fprintf(stderr, "fzimg: cannot open %s (%ld)\n", img, (long)err);
		return 1;
	}
	err = ext2fs_read_bitmaps(fs);
	if (!err)
		err = make_journal(fs, blocks);
	if (err) {
		fprintf(stderr, "fzimg: adding a journal failed (%ld)\n", (long)err);
		ext2fs_close_free(&fs);
		return 1;
	}
	return ext2fs_close_free(&fs) ? 1 : 0;
}

static int write_ctl(const char *img, unsigned flags, unsigned seed)
{
	unsigned char ctl[512];
	uint32_t x = seed * 2654435761u + 1;
	FILE *f = fopen(img, "r+b");
	size_t i;

	if (!f) {
		perror(img);
		return 1;
	}
	memcpy(ctl, "F4FZ", 4);
	ctl[4] = (unsigned char)flags;
	ctl[5] = ctl[6] = ctl[7] = 0;
	for (i = 8; i < sizeof(ctl); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		ctl[i] = (unsigned char)x;
	}
	if (fwrite(ctl, 1, sizeof(ctl), f) != sizeof(ctl) || fclose(f)) {
		perror(img);
		return 1;
	}
	return 0;
}

static int flip_bits(const char *img, unsigned seed, unsigned n,
		     unsigned long long start, unsigned long long end)
{
	uint64_t x = 0x9E3779B97F4A7C15ULL * (seed + 1);
	FILE *f = fopen(img, "r+b");
	unsigned i;

	if (!f || end <= start) {
		perror(img);
		return 1;
	}
	for (i = 0; i < n; i++) {
		unsigned long long off;
		unsigned bit;
		int c;

		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		off = start + (x * 0x2545F4914F6CDD1DULL >> 11) % (end - start);
		bit = (unsigned)(x >> 7) % 8;
		if (fseek(f, (long)off, SEEK_SET) || (c = fgetc(f)) == EOF ||
		    fseek(f, (long)off, SEEK_SET) || fputc(c ^ (1 << bit), f) == EOF) {
			perror(img);
			fclose(f);
			return 1;
		}
		printf("%llu:%u\n", off, bit);
	}
	return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "flip"))
		return flip_bits(argv[2], (unsigned)strtoul(argv[3], NULL, 0),
				 (unsigned)strtoul(argv[4], NULL, 0),
				 strtoull(argv[5], NULL, 0), strtoull(argv[6], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "journal"))
		return add_journal(argv[2], (unsigned)strtoul(argv[3], NULL, 0));
	if (argc == 5 && !strcmp(argv[1], "ctl"))
		return write_ctl(argv[2], (unsigned)strtoul(argv[3], NULL, 0),
				 (unsigned)strtoul(argv[4], NULL, 0));
	fprintf(stderr, "usage: fzimg journal IMAGE BLOCKS | fzimg ctl IMAGE FLAGS SEED | fzimg flip IMAGE SEED N START END\n");
	return 2;
}
