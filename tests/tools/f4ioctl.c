/* f4ioctl: drive the inode-flag, fsxattr and FITRIM ioctls from tests and
 * print results in a form that can be compared between a fuse4fs mount
 * and a kernel ext4 mount of the same image.
 *
 *   f4ioctl get PATH               flags and fsxattr (or the errno)
 *   f4ioctl set PATH FLAGS         FS_IOC_SETFLAGS
 *   f4ioctl fsset PATH XFLAGS PROJID [EXTSIZE]
 *                                  FS_IOC_FSSETXATTR (other fields as read)
 *   f4ioctl scan DIR f|d           for each of the 32 flag bits, on a fresh
 *                                  file or directory: toggle it with
 *                                  SETFLAGS, then each xflag bit with
 *                                  FSSETXATTR; print errno and result
 *   f4ioctl trim PATH START LEN MINLEN
 *                                  FITRIM; prints the trimmed length
 *   f4ioctl pinops DIR             immutable and append-only files and
 *                                  directories made in DIR, then every
 *                                  operation tried on them (errno each)
 *
 * Errors print as their errno names (EPERM...), so outputs diff cleanly.
 * Exit status: 0 when the command ran (whatever the ioctl returned), 2 on
 * usage errors or when the test setup itself failed. */
#define _GNU_SOURCE
#ifndef __linux__
/* These ioctls are Linux's: elsewhere the tests that use this skip. */
int main(void)
{
	return 77;
}
#else
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "src/fs/errors.h"

static const char *ename(int e)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
#define N(x) { x, #x }
		N(EPERM), N(ENOENT), N(EIO), N(EBADF), N(EACCES), N(EFAULT),
		N(EBUSY), N(EEXIST), N(EXDEV), N(ENOTDIR), N(EISDIR), N(EINVAL),
		N(ENOTTY), N(ETXTBSY), N(EFBIG), N(ENOSPC), N(EROFS), N(EMLINK),
		N(ERANGE), N(ENOSYS), N(ENOTEMPTY), N(ENODATA), N(EOVERFLOW),
		N(EOPNOTSUPP), N(EUCLEAN), N(ENAMETOOLONG), N(E2BIG),
#undef N
	};
	static char other[16];
	size_t i;

	if (!e)
		return "ok";
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(other, sizeof(other), "E%d", e);
	return other;
}

static int open_any(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "f4ioctl: cannot open %s: %s\n", path,
			strerror(errno));
	return fd;
}

static int getflags(int fd, unsigned *fl)
{
	return ioctl(fd, FS_IOC_GETFLAGS, fl) < 0 ? errno : 0;
}

static int setflags(int fd, unsigned fl)
{
	return ioctl(fd, FS_IOC_SETFLAGS, &fl) < 0 ? errno : 0;
}

static int fsget(int fd, struct fsxattr *fa)
{
	memset(fa, 0, sizeof(*fa));
	return ioctl(fd, FS_IOC_FSGETXATTR, fa) < 0 ? errno : 0;
}

static int fsset(int fd, const struct fsxattr *fa)
{
	return ioctl(fd, FS_IOC_FSSETXATTR, fa) < 0 ? errno : 0;
}

static void print_state(int fd)
{
	struct fsxattr fa;
	unsigned fl = 0;
	int e = getflags(fd, &fl);

	if (e)
		printf("flags=%s", ename(e));
	else
		printf("flags=0x%08x", fl);
	e = fsget(fd, &fa);
	if (e)
		printf(" fsxattr=%s\n", ename(e));
	else
		printf(" xflags=0x%08x extsize=%u nextents=%u projid=%u cowextsize=%u\n",
		       fa.fsx_xflags, fa.fsx_extsize, fa.fsx_nextents,
		       fa.fsx_projid, fa.fsx_cowextsize);
}

static int cmd_get(const char *path)
{
	int fd = open_any(path);

	if (fd < 0)
		return 2;
	print_state(fd);
	close(fd);
	return 0;
}

static int cmd_set(const char *path, const char *val)
{
	int fd = open_any(path);

	if (fd < 0)
		return 2;
	printf("setflags 0x%08lx: %s\n", strtoul(val, NULL, 0),
	       ename(setflags(fd, (unsigned)strtoul(val, NULL, 0))));
	close(fd);
	return 0;
}

static int cmd_fsset(const char *path, const char *xfl, const char *projid,
		     const char *extsize)
{
	struct fsxattr fa;
	int fd = open_any(path), e;

	if (fd < 0)
		return 2;
	e = fsget(fd, &fa);
	if (!e) {
		fa.fsx_xflags = (unsigned)strtoul(xfl, NULL, 0);
		fa.fsx_projid = (unsigned)strtoul(projid, NULL, 0);
		if (extsize)
			fa.fsx_extsize = (unsigned)strtoul(extsize, NULL, 0);
		e = fsset(fd, &fa);
	}
	printf("fssetxattr 0x%08x projid %u: %s\n", fa.fsx_xflags,
	       fa.fsx_projid, ename(e));
	close(fd);
	return 0;
}

/* A fresh object for one probe: a small file with data, or an empty
 * directory. */
static int fresh(const char *dir, const char *what, int bit, char type,
		 char *path, size_t len)
{
	int fd;

	snprintf(path, len, "%s/%s%02d", dir, what, bit);
	if (type == 'd') {
		if (mkdir(path, 0755) < 0)
			return -1;
		return open_any(path);
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "probe\n", 6) != 6 || fsync(fd) < 0)
		return -1;
	return fd;
}

/* Undo what a probe left so that the tree can be removed. */
static void unpin(int fd)
{
	unsigned fl;

	if (!getflags(fd, &fl) && (fl & (FS_IMMUTABLE_FL | FS_APPEND_FL)))
		setflags(fd, fl & ~(FS_IMMUTABLE_FL | FS_APPEND_FL));
}

static int scan_flags(const char *dir, char type)
{
	char path[4096];
	int bit;

	for (bit = 0; bit < 32; bit++) {
		unsigned mask = 1u << bit, before = 0, after = 0;
		int fd = fresh(dir, "fl", bit, type, path, sizeof(path)), e, e2;

		if (fd < 0) {
			fprintf(stderr, "f4ioctl: cannot create %s: %s\n", path,
				strerror(errno));
			return 2;
		}
		e = getflags(fd, &before);
		if (!e)
			e = setflags(fd, before ^ mask);
		e2 = getflags(fd, &after);
		printf("%c bit %2d %s: %s -> 0x%08x", type, bit,
		       (before & mask) ? "clear" : "set", ename(e),
		       e2 ? 0xffffffffu : after);
		/* and back */
		e = setflags(fd, before);
		e2 = getflags(fd, &after);
		printf(" back: %s -> 0x%08x\n", ename(e), e2 ? 0xffffffffu : after);
		unpin(fd);
		close(fd);
	}
	return 0;
}

static int scan_xflags(const char *dir, char type)
{
	char path[4096];
	int bit;

	for (bit = 0; bit < 32; bit++) {
		unsigned mask = 1u << bit;
		struct fsxattr fa, now;
		int fd = fresh(dir, "xf", bit, type, path, sizeof(path)), e, e2;

		if (fd < 0) {
			fprintf(stderr, "f4ioctl: cannot create %s: %s\n", path,
				strerror(errno));
			return 2;
		}
		e = fsget(fd, &fa);
		if (!e) {
			fa.fsx_xflags ^= mask;
			e = fsset(fd, &fa);
		}
		e2 = fsget(fd, &now);
		printf("%c xbit %2d: %s -> 0x%08x\n", type, bit, ename(e),
		       e2 ? 0xffffffffu : now.fsx_xflags);
		unpin(fd);
		close(fd);
	}
	return 0;
}

static int cmd_trim(const char *path, const char *start, const char *len,
		    const char *minlen)
{
	struct fstrim_range r = {
		.start = strtoull(start, NULL, 0),
		.len = strtoull(len, NULL, 0),
		.minlen = strtoull(minlen, NULL, 0),
	};
	int fd = open_any(path), e;

	if (fd < 0)
		return 2;
	e = ioctl(fd, FITRIM, &r) < 0 ? errno : 0;
	if (e)
		printf("fitrim: %s\n", ename(e));
	else
		printf("fitrim: ok len=%llu\n", (unsigned long long)r.len);
	close(fd);
	return 0;
}


/* ---- pinops: what immutable and append-only allow ---- */

static void report(const char *what, const char *obj, int ok)
{
	printf("%-4s %-28s %s\n", obj, what, ename(ok ? 0 : errno));
}

static int mkfile(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, "0123456789\n", 11) != 11)
		return -1;
	return close(fd);
}

static int pin(const char *path, unsigned fl)
{
	int fd = open_any(path), e;
	unsigned cur;

	if (fd < 0)
		return -1;
	e = getflags(fd, &cur);
	if (!e)
		e = setflags(fd, cur | fl);
	close(fd);
	errno = e;
	return e ? -1 : 0;
}

static void try_open(const char *obj, const char *path, const char *what,
		     int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	report(what, obj, fd >= 0);
	if (fd >= 0)
		close(fd);
}

static void file_ops(const char *obj, const char *path, const char *dir)
{
	char other[4096 + 16], moved[4096 + 16];
	struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	int fd;

	snprintf(other, sizeof(other), "%s/other", dir);
	snprintf(moved, sizeof(moved), "%s/moved-%s", dir, obj);
	try_open(obj, path, "open rdonly", O_RDONLY);
	try_open(obj, path, "open wronly", O_WRONLY);
	try_open(obj, path, "open rdwr|trunc", O_RDWR | O_TRUNC);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	report("open wronly|append", obj, fd >= 0);
	if (fd >= 0) {
		report("append write", obj, write(fd, "x", 1) == 1);
		report("fallocate extend", obj,
		       fallocate(fd, 0, 0, 65536) == 0);
		report("fallocate keep_size", obj,
		       fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 131072) == 0);
		report("fallocate punch", obj,
		       fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				 0, 4096) == 0);
		report("ftruncate", obj, ftruncate(fd, 3) == 0);
		close(fd);
	}
	report("truncate", obj, truncate(path, 0) == 0);
	report("chmod", obj, chmod(path, 0600) == 0);
	report("chown same", obj, chown(path, getuid(), getgid()) == 0);
	report("utimens now", obj, utimensat(AT_FDCWD, path, NULL, 0) == 0);
	report("utimens explicit", obj, utimensat(AT_FDCWD, path, ts, 0) == 0);
	report("setxattr", obj, setxattr(path, "user.t", "v", 1, 0) == 0);
	report("removexattr", obj, removexattr(path, "user.t") == 0);
	report("link", obj, link(path, moved) == 0 && unlink(moved) == 0);
	report("rename away", obj, rename(path, moved) == 0 &&
	       rename(moved, path) == 0);
	if (mkfile(other) == 0)
		report("rename onto", obj, rename(other, path) == 0);
	unlink(other);
	report("unlink", obj, unlink(path) == 0);
}

static void dir_ops(const char *obj, const char *path, const char *dir)
{
	char child[4096 + 16], p[4096 + 16], q[4096 + 16];
	int fd;

	snprintf(child, sizeof(child), "%s/child", path);
	snprintf(p, sizeof(p), "%s/new", path);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	report("create inside", obj, fd >= 0);
	if (fd >= 0)
		close(fd);
	snprintf(p, sizeof(p), "%s/newdir", path);
	report("mkdir inside", obj, mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/sym", path);
	report("symlink inside", obj, symlink("child", p) == 0);
	snprintf(p, sizeof(p), "%s/renamed", path);
	report("rename inside", obj, rename(child, p) == 0 &&
	       rename(p, child) == 0);
	snprintf(q, sizeof(q), "%s/out-%s", dir, obj);
	report("rename out", obj, rename(child, q) == 0 &&
	       rename(q, child) == 0);
	snprintf(q, sizeof(q), "%s/other", dir);
	snprintf(p, sizeof(p), "%s/in", path);
	if (mkfile(q) == 0)
		report("rename in", obj, rename(q, p) == 0);
	unlink(q);
	if (mkfile(q) == 0)
		report("link in", obj, link(q, p) == 0);
	unlink(q);
	report("chmod dir", obj, chmod(path, 0700) == 0);
	report("unlink child", obj, unlink(child) == 0);
	report("rmdir self", obj, rmdir(path) == 0);
}

/* Leave nothing pinned, so that the tree can be removed. */
static void unpin_path(const char *path)
{
	int fd = open_any(path);

	if (fd >= 0) {
		unpin(fd);
		close(fd);
	}
}

static int cmd_pinops(const char *dir)
{
	static const struct {
		const char *obj;
		unsigned fl;
		char type;
	} objs[] = {
		{ "imm", FS_IMMUTABLE_FL, 'f' },
		{ "app", FS_APPEND_FL, 'f' },
		{ "Dimm", FS_IMMUTABLE_FL, 'd' },
		{ "Dapp", FS_APPEND_FL, 'd' },
	};
	char path[4096], child[4096 + 16];
	size_t i;

	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, objs[i].obj);
		snprintf(child, sizeof(child), "%s/child", path);
		if ((objs[i].type == 'f' ? mkfile(path) :
		     mkdir(path, 0755) || mkfile(child)) ||
		    pin(path, objs[i].fl)) {
			fprintf(stderr, "f4ioctl: cannot set up %s: %s\n", path,
				strerror(errno));
			return 2;
		}
		if (objs[i].type == 'f')
			file_ops(objs[i].obj, path, dir);
		else
			dir_ops(objs[i].obj, path, dir);
		{
			int fd = open_any(path);
			unsigned fl = 0;

			if (fd >= 0) {
				report("setflags +nodump", objs[i].obj,
				       !getflags(fd, &fl) &&
				       !(errno = setflags(fd, fl | FS_NODUMP_FL)));
				close(fd);
			}
		}
		unpin_path(path);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "get"))
		return cmd_get(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "set"))
		return cmd_set(argv[2], argv[3]);
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "fsset"))
		return cmd_fsset(argv[2], argv[3], argv[4],
				 argc == 6 ? argv[5] : NULL);
	if (argc == 4 && !strcmp(argv[1], "scan") &&
	    (argv[3][0] == 'f' || argv[3][0] == 'd')) {
		int ret = scan_flags(argv[2], argv[3][0]);

		return ret ? ret : scan_xflags(argv[2], argv[3][0]);
	}
	if (argc == 3 && !strcmp(argv[1], "pinops"))
		return cmd_pinops(argv[2]);
	if (argc == 6 && !strcmp(argv[1], "trim"))
		return cmd_trim(argv[2], argv[3], argv[4], argv[5]);
	fprintf(stderr, "usage: f4ioctl get|set|fsset|scan|trim|pinops ...\n");
	return 2;
}
#endif
