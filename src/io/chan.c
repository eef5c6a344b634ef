/* Owns the io_manager for libext2fs metadata IO over an f4_dev. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/io/bcache.h"
#include "src/io/chan.h"

#define F4_CHAN_PREFIX "f4dev:"

struct chan_priv {
	const struct f4_dev *dev;
	struct f4_bcache *cache;
	struct struct_io_stats stats;
};

static errcode_t to_errcode(int ret, errcode_t short_code)
{
	if (ret == 0)
		return 0;
	if (ret == -EIO)
		return short_code;
	return (errcode_t)-ret;
}

static struct chan_priv *priv_of(io_channel ch)
{
	return ch->private_data;
}

static size_t span_bytes(io_channel ch, int count)
{
	return count < 0 ? (size_t)-count : (size_t)count * (size_t)ch->block_size;
}

static errcode_t chan_open(const char *name, int flags, io_channel *out)
{
	struct chan_priv *priv = NULL;
	io_channel ch = NULL;
	unsigned long long cache_bytes = 0;
	void *ptr = NULL;

	if (!name || strncmp(name, F4_CHAN_PREFIX, strlen(F4_CHAN_PREFIX)) ||
	    sscanf(name + strlen(F4_CHAN_PREFIX), "%p:%llu", &ptr,
		   &cache_bytes) != 2 || !ptr)
		return EXT2_ET_BAD_DEVICE_NAME;
	ch = calloc(1, sizeof(*ch));
	priv = calloc(1, sizeof(*priv));
	if (!ch || !priv)
		goto nomem;
	priv->dev = ptr;
	if ((flags & IO_FLAG_RW) && !f4_dev_takes_writes(priv->dev)) {
		free(ch);
		free(priv);
		return EXT2_ET_RO_FILSYS;
	}
	priv->cache = f4_bcache_create(priv->dev, 1024, (size_t)cache_bytes);
	if (!priv->cache)
		goto nomem;
	priv->stats.num_fields = 2;
	ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	ch->manager = f4_chan_manager();
	ch->name = strdup(priv->dev->path);
	if (!ch->name)
		goto nomem;
	ch->block_size = 1024;
	ch->refcount = 1;
	ch->private_data = priv;
	*out = ch;
	return 0;
nomem:
	if (priv)
		f4_bcache_destroy(priv->cache);
	free(ch);
	free(priv);
	return EXT2_ET_NO_MEMORY;
}

static errcode_t chan_close(io_channel ch)
{
	struct chan_priv *priv = priv_of(ch);
	errcode_t err;

	if (--ch->refcount > 0)
		return 0;
	err = to_errcode(f4_bcache_writeback(priv->cache), EXT2_ET_SHORT_WRITE);
	f4_bcache_destroy(priv->cache);
	free(ch->private_data);
	free(ch->name);
	free(ch);
	return err;
}

static errcode_t chan_set_blksize(io_channel ch, int blksize)
{
	int ret = f4_bcache_set_bsize(priv_of(ch)->cache, (size_t)blksize);

	if (!ret)
		ch->block_size = blksize;
	return to_errcode(ret, EXT2_ET_SHORT_WRITE);
}

/* One transfer of @count blocks at @block (or -@count bytes at its offset)
 * through the cache, counted in the channel's stats. */
static errcode_t chan_xfer(io_channel ch, unsigned long long block, int count,
			   void *data, bool write)
{
	struct chan_priv *priv = priv_of(ch);
	size_t len = span_bytes(ch, count);
	uint64_t off;
	int ret;

	if (block > UINT64_MAX / (unsigned)ch->block_size)
		return EXT2_ET_LLSEEK_FAILED;
	off = block * ch->block_size;
	if (write)
		ret = count < 0 ?
		      f4_bcache_write_bytes(priv->cache, off, len, data) :
		      f4_bcache_write(priv->cache, block, (size_t)count, data);
	else
		ret = count < 0 ?
		      f4_bcache_read_bytes(priv->cache, off, len, data) :
		      f4_bcache_read(priv->cache, block, (size_t)count, data);
	if (ret)
		return to_errcode(ret, write ? EXT2_ET_SHORT_WRITE :
					       EXT2_ET_SHORT_READ);
	if (write)
		priv->stats.bytes_written += len;
	else
		priv->stats.bytes_read += len;
	return 0;
}

static errcode_t chan_read_blk64(io_channel ch, unsigned long long block,
				 int count, void *data)
{
	return chan_xfer(ch, block, count, data, false);
}

static errcode_t chan_write_blk64(io_channel ch, unsigned long long block,
				  int count, const void *data)
{
	/* chan_xfer only reads the buffer of a write. */
	return chan_xfer(ch, block, count, (void *)data, true);
}

static errcode_t chan_read_blk(io_channel ch, unsigned long block, int count,
			       void *data)
{
	return chan_read_blk64(ch, block, count, data);
}

static errcode_t chan_write_blk(io_channel ch, unsigned long block, int count,
				const void *data)
{
	return chan_write_blk64(ch, block, count, data);
}

static errcode_t chan_write_byte(io_channel ch, unsigned long offset, int size,
				 const void *data)
{
	struct chan_priv *priv = priv_of(ch);

	if (size < 0)
		return EXT2_ET_INVALID_ARGUMENT;
	return to_errcode(f4_bcache_write_bytes(priv->cache, offset, (size_t)size,
						data), EXT2_ET_SHORT_WRITE);
}

static errcode_t chan_flush(io_channel ch)
{
	struct chan_priv *priv = priv_of(ch);
	int ret;

	if (!f4_dev_takes_writes(priv->dev))
		return 0;
	ret = f4_bcache_writeback(priv->cache);
	if (!ret && priv->dev->rw)	/* (an overlay's writes are in memory) */
		ret = f4_dev_sync(priv->dev);
	return to_errcode(ret, EXT2_ET_SHORT_WRITE);
}

static errcode_t chan_set_option(io_channel ch, const char *option,
				 const char *arg)
{
	return EXT2_ET_INVALID_ARGUMENT;
}

static errcode_t chan_get_stats(io_channel ch, io_stats *stats)
{
	*stats = &priv_of(ch)->stats;
	return 0;
}

static errcode_t chan_unsupported(io_channel ch, unsigned long long block,
				  unsigned long long count)
{
	return EXT2_ET_UNIMPLEMENTED;
}

static struct struct_io_manager f4_chan_ops = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "fuse4fs",
	.open = chan_open,
	.close = chan_close,
	.set_blksize = chan_set_blksize,
	.read_blk = chan_read_blk,
	.write_blk = chan_write_blk,
	.flush = chan_flush,
	.write_byte = chan_write_byte,
	.set_option = chan_set_option,
	.get_stats = chan_get_stats,
	.read_blk64 = chan_read_blk64,
	.write_blk64 = chan_write_blk64,
	.discard = chan_unsupported,
	.cache_readahead = chan_unsupported,
	.zeroout = chan_unsupported,
};

io_manager f4_chan_manager(void)
{
	return &f4_chan_ops;
}

void f4_chan_name(const struct f4_dev *dev, size_t cache_bytes, char *buf,
		  size_t len)
{
	snprintf(buf, len, F4_CHAN_PREFIX "%p:%llu", (const void *)dev,
		 (unsigned long long)cache_bytes);
}

static bool is_ours(io_channel ch)
{
	return ch && ch->manager == &f4_chan_ops;
}

int f4_chan_writeback(io_channel ch)
{
	return is_ours(ch) ? f4_bcache_writeback(priv_of(ch)->cache) : 0;
}

void f4_chan_set_journaled(io_channel ch, bool on)
{
	if (is_ours(ch))
		f4_bcache_set_journaled(priv_of(ch)->cache, on);
}

int f4_chan_pinned(io_channel ch, struct f4_bcache_ref **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return is_ours(ch) ? f4_bcache_pinned(priv_of(ch)->cache, out, n) : 0;
}

void f4_chan_unpin_all(io_channel ch)
{
	if (is_ours(ch))
		f4_bcache_unpin_all(priv_of(ch)->cache);
}

int f4_chan_flush_out(io_channel ch, uint64_t blk, uint64_t count)
{
	return is_ours(ch) ? f4_bcache_flush_out(priv_of(ch)->cache, blk, count) : 0;
}

void f4_chan_drop_dirty(io_channel ch)
{
	if (is_ours(ch))
		f4_bcache_drop_dirty(priv_of(ch)->cache);
}

void f4_chan_invalidate(io_channel ch, uint64_t blk, uint64_t count)
{
	if (is_ours(ch))
		f4_bcache_invalidate(priv_of(ch)->cache, blk, count);
}

void f4_chan_stats(io_channel ch, struct f4_bcache_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (is_ours(ch))
		f4_bcache_get_stats(priv_of(ch)->cache, st);
}

bool f4_chan_csum_known(const void *ctx, uint64_t blk, uint32_t owner)
{
	return f4_bcache_verified(priv_of((io_channel)ctx)->cache, blk, owner);
}

void f4_chan_csum_passed(const void *ctx, uint64_t blk, uint32_t owner)
{
	f4_bcache_set_verified(priv_of((io_channel)ctx)->cache, blk, owner);
}
