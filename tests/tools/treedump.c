/* treedump: print a canonical listing of a directory tree, one line per
 * path (plus one line per extended attribute), in a fixed order, so that
 * two trees can be compared with diff. Used by the integration tests to
 * compare a fuse4fs mount with the kernel's mount of the same image and
 * with the seed tree the image was built from.
 *
 * Per path: type, d_type from readdir, permissions, owner, link count,
 * size, mtime (and optionally ctime/atime) with nanoseconds, device
 * numbers, symlink target, a content hash, the SEEK_DATA/SEEK_HOLE
 * layout of regular files, the hard-link group and, optionally, inode
 * number, block count and FS_IOC_GETFLAGS flags. Never the birth time:
 * FUSE cannot report it.
 *
 * The content hash does not depend on the layout: the file is cut into
 * 64 KiB chunks and only chunks holding a non-zero byte are hashed
 * (with their index), so a hole and a run of zero bytes hash alike. The
 * layout is printed separately. Holes larger than HOLE_FULL_READ are
 * only sampled (start, middle, end) so that multi-GiB sparse files stay
 * cheap; every byte of data is read.
 *
 * Hash: 64-bit FNV-1a, written here (no library).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/fs.h>

#define CHUNK (64u * 1024u)
#define HOLE_FULL_READ (64ull * 1024 * 1024)
#define TARGET_SHOW_MAX 64	/* longer symlink targets print as len+hash */
#define XATTR_SHOW_MAX 32	/* longer xattr values print as len+hash */

struct opts {
	bool ctime, atime, ino, blocks, dirsize, flags, layout, times, nsec;
	bool dtype;
	char **excl;		/* relative paths ("/a/b") to leave out */
	size_t nexcl;
};

static struct opts opt = { .layout = true, .times = true, .nsec = true,
			   .dtype = true };
static int errors;

/* ---- FNV-1a ---------------------------------------------------------- */

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t fnv_add(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

static uint64_t fnv(const void *data, size_t len)
{
	return fnv_add(FNV_OFFSET, data, len);
}

/* ---- output helpers -------------------------------------------------- */

/* Print bytes with anything outside printable ASCII (and the separators
 * space, '=' and '\') as \xHH, so every line stays one line. */
static void put_escaped(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '=')
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static void put_time(const char *name, const struct timespec *ts)
{
	if (opt.nsec)
		printf(" %s=%lld.%09ld", name, (long long)ts->tv_sec, ts->tv_nsec);
	else
		printf(" %s=%lld", name, (long long)ts->tv_sec);
}

static void complain(const char *path, const char *what)
{
	fprintf(stderr, "treedump: %s: %s: %s\n", path, what, strerror(errno));
	errors++;
}

/* ---- hard-link groups ------------------------------------------------ */

struct link_ent {
	dev_t dev;
	ino_t ino;
	char *first;		/* first path seen, relative */
};

static struct link_ent *links;
static size_t nlinks_used, nlinks_cap;	/* open addressing, cap power of 2 */

static size_t link_slot(dev_t dev, ino_t ino)
{
	uint64_t key[2] = { (uint64_t)dev, (uint64_t)ino };

	return (size_t)fnv(key, sizeof(key)) & (nlinks_cap - 1);
}

static void link_grow(void)
{
	struct link_ent *old = links;
	size_t oldcap = nlinks_cap, i;

	nlinks_cap = nlinks_cap ? nlinks_cap * 2 : 256;
	links = calloc(nlinks_cap, sizeof(*links));
	if (!links) {
		perror("treedump");
		exit(2);
	}
	for (i = 0; i < oldcap; i++) {
		size_t s;

		if (!old[i].first)
			continue;
		s = link_slot(old[i].dev, old[i].ino);
		while (links[s].first)
			s = (s + 1) & (nlinks_cap - 1);
		links[s] = old[i];
	}
	free(old);
}

/* The first path (in listing order) with this inode. */
static const char *link_group(const struct stat *st, const char *rel)
{
	size_t s;

	if ((nlinks_used + 1) * 2 > nlinks_cap)
		link_grow();
	s = link_slot(st->st_dev, st->st_ino);
	while (links[s].first) {
		if (links[s].dev == st->st_dev && links[s].ino == st->st_ino)
			return links[s].first;
		s = (s + 1) & (nlinks_cap - 1);
	}
	links[s].dev = st->st_dev;
	links[s].ino = st->st_ino;
	links[s].first = strdup(rel);
	if (!links[s].first) {
		perror("treedump");
		exit(2);
	}
	nlinks_used++;
	return links[s].first;
}

/* ---- regular file contents ------------------------------------------- */

struct seg {
	uint64_t start, end;	/* [start, end) */
};

/* Data segments by SEEK_DATA/SEEK_HOLE. Returns the count, or -1 when
 * lseek fails (then everything counts as data, and *err says why: the
 * listing shows it, so an lseek error on one side only is a difference). */
static long file_layout(int fd, uint64_t size, struct seg **out, int *err)
{
	struct seg *segs = NULL;
	size_t n = 0, cap = 0;
	off_t pos = 0;

	*out = NULL;
	*err = 0;
	while ((uint64_t)pos < size) {
		off_t d = lseek(fd, pos, SEEK_DATA), h;

		if (d < 0 && errno == ENXIO)
			break;
		h = d < 0 ? -1 : lseek(fd, d, SEEK_HOLE);
		if (h < 0) {
			*err = errno;
			free(segs);
			return -1;
		}
		if (h <= d) {	/* would loop forever: report and stop */
			fprintf(stderr, "treedump: SEEK_HOLE(%lld) = %lld\n",
				(long long)d, (long long)h);
			errors++;
			break;
		}
		if (n == cap) {
			struct seg *ns;

			cap = cap ? cap * 2 : 16;
			ns = realloc(segs, cap * sizeof(*segs));
			if (!ns) {
				perror("treedump");
				exit(2);
			}
			segs = ns;
		}
		segs[n].start = (uint64_t)d;
		segs[n].end = (uint64_t)h;
		n++;
		pos = h;
	}
	*out = segs;
	return (long)n;
}

/* Read [off, off + len) completely; returns bytes read (short at EOF). */
static ssize_t read_full(int fd, char *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static bool all_zero(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i])
			return false;
	return true;
}

/* Is chunk [c0, c1) entirely inside one hole, and if so which one? The
 * holes are the gaps between segs and the tail after the last one. */
static bool chunk_in_hole(const struct seg *segs, long nsegs, uint64_t size,
			  uint64_t c0, uint64_t c1, uint64_t *hs, uint64_t *he)
{
	uint64_t prev_end = 0;
	long i;

	for (i = 0; i <= nsegs; i++) {
		uint64_t next = i < nsegs ? segs[i].start : size;

		if (c0 >= prev_end && c1 <= next) {
			*hs = prev_end;
			*he = next;
			return true;
		}
		if (i < nsegs && c0 < segs[i].end)
			return false;
		if (i < nsegs)
			prev_end = segs[i].end;
	}
	return false;
}

/* Hash the file; note in *bad any anomaly (short read, data in a hole). */
static uint64_t hash_file(int fd, uint64_t size, const struct seg *segs,
			  long nsegs, const char **bad)
{
	uint64_t h = FNV_OFFSET, c;
	char *buf = malloc(CHUNK);

	if (!buf) {
		perror("treedump");
		exit(2);
	}
	for (c = 0; c * CHUNK < size; c++) {
		uint64_t c0 = c * CHUNK, c1 = c0 + CHUNK, hs, he;
		size_t want = (size_t)((c1 < size ? c1 : size) - c0);
		ssize_t got;
		bool hole = nsegs >= 0 &&
			    chunk_in_hole(segs, nsegs, size, c0, c1 < size ? c1 : size,
					  &hs, &he);

		if (hole && he - hs > HOLE_FULL_READ) {
			/* Sample big holes: first, middle and last chunk. */
			uint64_t mid = (hs + (he - hs) / 2) / CHUNK;

			if (c0 >= hs + CHUNK && c != mid && c1 + CHUNK <= he)
				continue;
		}
		got = read_full(fd, buf, want, c0);
		if (got < 0) {
			*bad = "read-error";
			break;
		}
		if ((size_t)got < want) {
			*bad = "short-read";
			break;
		}
		if (all_zero(buf, want))
			continue;
		if (hole)
			*bad = "data-in-hole";
		h = fnv_add(h, &c, sizeof(c));
		h = fnv_add(h, buf, want);
	}
	free(buf);
	return h;
}

static void dump_regular(const char *path, const struct stat *st)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	const char *bad = NULL;
	struct seg *segs = NULL;
	long nsegs, i;
	uint64_t h;
	int err;

	if (fd < 0) {
		complain(path, "open");
		printf(" content=ERR");
		return;
	}
	nsegs = file_layout(fd, (uint64_t)st->st_size, &segs, &err);
	h = hash_file(fd, (uint64_t)st->st_size, segs, nsegs, &bad);
	printf(" hash=%016" PRIx64, h);
	if (bad)
		printf(" BAD=%s", bad);
	if (opt.layout) {
		printf(" layout=");
		if (nsegs < 0)
			printf("ERR(%s)", strerrorname_np(err) ? strerrorname_np(err) : "?");
		for (i = 0; i < nsegs; i++)
			printf("%s%" PRIu64 "-%" PRIu64, i ? "," : "",
			       segs[i].start, segs[i].end);
		if (nsegs == 0)
			printf("none");
	}
	free(segs);
	close(fd);
}

/* ---- other per-path details ------------------------------------------ */

static void dump_symlink(const char *path, const struct stat *st)
{
	size_t cap = (size_t)st->st_size + 2 > 8192 ? (size_t)st->st_size + 2 : 8192;
	char *buf = malloc(cap);
	ssize_t n;

	if (!buf) {
		perror("treedump");
		exit(2);
	}
	n = readlink(path, buf, cap);
	if (n < 0) {
		complain(path, "readlink");
		printf(" target=ERR");
	} else if ((size_t)n <= TARGET_SHOW_MAX) {
		printf(" target=");
		put_escaped(buf, (size_t)n);
	} else {
		printf(" target=len:%zd,hash:%016" PRIx64, n, fnv(buf, (size_t)n));
	}
	free(buf);
}

static void dump_flags(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	int fl = 0;

	if (fd < 0 || ioctl(fd, FS_IOC_GETFLAGS, &fl) < 0) {
		printf(" flags=ERR(%s)", strerror(errno));
	} else {
		printf(" flags=0x%x", (unsigned)fl);
	}
	if (fd >= 0)
		close(fd);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void dump_xattrs(const char *path, const char *rel)
{
	ssize_t len = llistxattr(path, NULL, 0), vlen;
	char *list, *p, **names;
	size_t n = 0, i;

	if (len < 0) {
		if (errno != ENOTSUP)
			complain(path, "llistxattr");
		return;
	}
	if (len == 0)
		return;
	list = malloc((size_t)len + 1);
	if (!list) {
		perror("treedump");
		exit(2);
	}
	len = llistxattr(path, list, (size_t)len);
	if (len < 0) {
		complain(path, "llistxattr");
		free(list);
		return;
	}
	for (p = list; p < list + len; p += strlen(p) + 1)
		n++;
	names = calloc(n ? n : 1, sizeof(*names));
	if (!names) {
		perror("treedump");
		exit(2);
	}
	for (i = 0, p = list; p < list + len; p += strlen(p) + 1)
		names[i++] = p;
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		char *val;

		printf("%s xattr ", rel);
		put_escaped(names[i], strlen(names[i]));
		vlen = lgetxattr(path, names[i], NULL, 0);
		val = vlen >= 0 ? malloc((size_t)vlen + 1) : NULL;
		if (vlen >= 0 && val)
			vlen = lgetxattr(path, names[i], val, (size_t)vlen);
		if (vlen < 0 || !val) {
			printf(" value=ERR(%s)\n", strerror(errno));
			free(val);
			continue;
		}
		printf(" len=%zd", vlen);
		if (vlen <= XATTR_SHOW_MAX) {
			printf(" value=");
			put_escaped(val, (size_t)vlen);
		} else {
			printf(" hash=%016" PRIx64, fnv(val, (size_t)vlen));
		}
		putchar('\n');
		free(val);
	}
	free(names);
	free(list);
}

static char type_char(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return 'f';
	case S_IFDIR: return 'd';
	case S_IFLNK: return 'l';
	case S_IFCHR: return 'c';
	case S_IFBLK: return 'b';
	case S_IFIFO: return 'p';
	case S_IFSOCK: return 's';
	default: return '?';
	}
}

static char dtype_char(unsigned char dt)
{
	switch (dt) {
	case DT_REG: return 'f';
	case DT_DIR: return 'd';
	case DT_LNK: return 'l';
	case DT_CHR: return 'c';
	case DT_BLK: return 'b';
	case DT_FIFO: return 'p';
	case DT_SOCK: return 's';
	case DT_UNKNOWN: return 'u';
	default: return '?';
	}
}

static bool excluded(const char *rel)
{
	size_t i;

	for (i = 0; i < opt.nexcl; i++)
		if (!strcmp(rel, opt.excl[i]))
			return true;
	return false;
}

/* ---- the walk -------------------------------------------------------- */

struct child {
	char *name;
	unsigned char dtype;
};

static int cmp_child(const void *a, const void *b)
{
	return strcmp(((const struct child *)a)->name,
		      ((const struct child *)b)->name);
}

static void walk(const char *path, const char *rel, int dtype);

static void walk_dir(const char *path, const char *rel)
{
	DIR *d = opendir(path);
	struct child *kids = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;

	if (!d) {
		complain(path, "opendir");
		return;
	}
	errno = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			struct child *nk;

			cap = cap ? cap * 2 : 64;
			nk = realloc(kids, cap * sizeof(*kids));
			if (!nk) {
				perror("treedump");
				exit(2);
			}
			kids = nk;
		}
		kids[n].name = strdup(de->d_name);
		kids[n].dtype = de->d_type;
		if (!kids[n].name) {
			perror("treedump");
			exit(2);
		}
		n++;
		errno = 0;
	}
	if (errno)
		complain(path, "readdir");
	closedir(d);
	qsort(kids, n, sizeof(*kids), cmp_child);
	for (i = 0; i < n; i++) {
		size_t pl = strlen(path), rl = strlen(rel), nl = strlen(kids[i].name);
		char *cpath = malloc(pl + nl + 2), *crel = malloc(rl + nl + 2);

		if (!cpath || !crel) {
			perror("treedump");
			exit(2);
		}
		sprintf(cpath, "%s/%s", path, kids[i].name);
		sprintf(crel, "%s/%s", strcmp(rel, "/") ? rel : "", kids[i].name);
		if (i && !strcmp(kids[i].name, kids[i - 1].name)) {
			printf("%s DUPLICATE-ENTRY\n", crel);
			errors++;
		}
		if (!excluded(crel))
			walk(cpath, crel, kids[i].dtype);
		free(cpath);
		free(crel);
		free(kids[i].name);
	}
	free(kids);
}

/* dtype < 0: the root, which has no directory entry here. */
static void walk(const char *path, const char *rel, int dtype)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		complain(path, "lstat");
		put_escaped(rel, strlen(rel));
		printf(" lstat=ERR(%s)\n", strerror(errno));
		return;
	}
	put_escaped(rel, strlen(rel));
	printf(" type=%c", type_char(st.st_mode));
	if (opt.dtype && dtype >= 0)
		printf(" dt=%c", dtype_char((unsigned char)dtype));
	printf(" mode=%04o uid=%u gid=%u nlink=%lu", (unsigned)(st.st_mode & 07777),
	       (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned long)st.st_nlink);
	if (!S_ISDIR(st.st_mode) || opt.dirsize)
		printf(" size=%lld", (long long)st.st_size);
	if (opt.times)
		put_time("mtime", &st.st_mtim);
	if (opt.ctime)
		put_time("ctime", &st.st_ctim);
	if (opt.atime)
		put_time("atime", &st.st_atim);
	if (opt.ino)
		printf(" ino=%llu", (unsigned long long)st.st_ino);
	if (opt.blocks)
		printf(" blocks=%lld", (long long)st.st_blocks);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		printf(" rdev=%u:%u", major(st.st_rdev), minor(st.st_rdev));
	if (opt.flags && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
		dump_flags(path);
	if (S_ISLNK(st.st_mode))
		dump_symlink(path, &st);
	if (S_ISREG(st.st_mode))
		dump_regular(path, &st);
	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
		const char *first = link_group(&st, rel);

		printf(" link=");
		put_escaped(first, strlen(first));
	}
	putchar('\n');
	dump_xattrs(path, rel);
	if (S_ISDIR(st.st_mode))
		walk_dir(path, rel);
}

static void usage(void)
{
	fputs("usage: treedump [-cabisFLTNU] [-x /REL/PATH]... ROOT\n"
	      "  -c  print ctime        -a  print atime\n"
	      "  -i  print inode numbers -b  print st_blocks\n"
	      "  -s  print directory sizes\n"
	      "  -F  print FS_IOC_GETFLAGS of files and directories\n"
	      "  -L  leave out the SEEK_DATA/SEEK_HOLE layout\n"
	      "  -T  leave out all timestamps\n"
	      "  -N  timestamps in whole seconds\n"
	      "  -U  leave out readdir's d_type\n"
	      "  -x  leave out this path (relative to ROOT, e.g. /lost+found)\n"
	      "Exit status: 0, or 1 if anything could not be read.\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "cabisFLTNUx:")) != -1) {
		switch (c) {
		case 'c': opt.ctime = true; break;
		case 'a': opt.atime = true; break;
		case 'b': opt.blocks = true; break;
		case 'i': opt.ino = true; break;
		case 's': opt.dirsize = true; break;
		case 'F': opt.flags = true; break;
		case 'L': opt.layout = false; break;
		case 'T': opt.times = false; break;
		case 'N': opt.nsec = false; break;
		case 'U': opt.dtype = false; break;
		case 'x':
			opt.excl = realloc(opt.excl, (opt.nexcl + 1) * sizeof(char *));
			if (!opt.excl) {
				perror("treedump");
				return 2;
			}
			opt.excl[opt.nexcl++] = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	walk(argv[optind], "/", -1);
	if (fflush(stdout) != 0) {
		perror("treedump: stdout");
		return 2;
	}
	return errors ? 1 : 0;
}
