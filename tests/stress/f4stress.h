/* f4stress.h - what the parts of f4stress share: options, the per-process
 * worker state, the in-memory models (file contents, namespace tree) and the
 * operation entry points.
 *
 * f4stress is a randomized exerciser: every worker process applies a seeded
 * random sequence of operations to its own directory tree and checks every
 * result against a model of what POSIX (and Linux) say must be there.  One
 * worker is single threaded; everything it owns is touched only by it. */
#ifndef F4_F4STRESS_H
#define F4_F4STRESS_H

#include <fcntl.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

/* fallocate(2) and renameat2(2) flags, for C libraries without them. */
#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE	0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE	0x02
#endif
#ifndef FALLOC_FL_ZERO_RANGE
#define FALLOC_FL_ZERO_RANGE	0x10
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE	(1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE		(1 << 1)
#endif
#ifndef RENAME_WHITEOUT
#define RENAME_WHITEOUT		(1 << 2)
#endif

typedef unsigned long long ull;	/* what %llu prints */

#define F4S_MAXIO	(1u << 20)	/* largest single data transfer */
#define F4S_CHUNK	(64u * 1024)	/* granule of the file-content model */
#define F4S_NAME_MAX	255
#define F4S_PATHBUF	8192
#define F4S_DESC	512		/* one op's description in the history */
#define F4S_MAXDEPTH	6		/* deepest directory level in a tree */
#define F4S_PATH_LIMIT	3800		/* skip ops whose path would be longer */

struct f4s_opts {
	uint64_t seed;
	long nops;		/* operations per process */
	int nproc;
	int verbose;
	int quiet;
	const char *logfile;	/* failure report (with op history) goes here */
	int history;		/* ops kept for the failure report */
	int mmap_reads;
	uint64_t fsize_max;
	int expect_all;		/* EOPNOTSUPP is a failure */
	int lenient_enospc;	/* failed punch/zero may leave any bytes */
	int no_atime;		/* do not check atime */
	int kernel_quirks;	/* tolerate known Linux ext4 bugs (-K) */
	int shared;		/* also exercise DIR/shared */
	long walk_every;	/* full tree verification interval */
	long time_gran;		/* timestamp granularity in ns; 0 = probe */
	int whiteout;		/* try RENAME_WHITEOUT (root only) */
	long bsize;		/* fs block size (statvfs) */
	long symlink_max;	/* longest symlink target to create */
	const char *dir;
	char **argv;		/* for the replay line */
};

enum f4s_type { T_REG, T_DIR, T_LNK, T_FIFO, T_CHR };

/* Expected contents of one file: sparse 64 KiB chunks, NULL = zeros.  Bytes
 * at or beyond size are always zero in the model. */
struct fmodel {
	uint64_t size;
	uint8_t **chunk;
	size_t nchunk;
};

struct xattr {
	char *name;		/* full name, "user.*" */
	uint8_t *val;
	size_t len;
};

struct node;

struct dent {
	char *name;
	struct node *node;
};

struct node {
	int id;			/* model serial number, for logs */
	enum f4s_type type;
	mode_t mode;		/* permission bits (07777) */
	ino_t ino;		/* st_ino seen at creation; 0 = not yet seen */
	int nlink;		/* dentries naming it (non-directories) */
	struct node *parent;	/* directories only */
	struct dent *ent;	/* directories: children */
	int nent, capent;
	struct fmodel fm;	/* regular files */
	char *target;		/* symlinks */
	struct xattr *xa;
	int nxa;
	int fd;			/* regular files: open O_RDWR fd or -1 */
	int atime_known, mtime_known;
	struct timespec atime, mtime;
};

/* Per op-kind counters for the summary. */
struct f4s_count {
	long run, unsupported, enospc, expected_err;
};

struct f4s_shared;

struct wk {
	const struct f4s_opts *o;
	int id;
	uint64_t rng[4];
	long opno;
	int opkind;		/* index into the op table of the current op */
	char root[F4S_PATHBUF];	/* DIR/pN */
	struct node *top;	/* model of DIR/pN */
	struct node **nodes;	/* every live model node (incl. orphans) */
	int nnodes, capnodes;
	int next_id;
	int nfds;		/* open regular-file fds */
	char desc[F4S_DESC];	/* the op being executed */
	char (*hist)[F4S_DESC + 32];
	long hcount;
	uint8_t *b1, *b2, *b3;	/* F4S_MAXIO each */
	struct f4s_count *cnt;
	int whiteout_ok;
	long dtype_unknown;	/* readdir returned DT_UNKNOWN */
	long seek_quirks;	/* SEEK_DATA/SEEK_HOLE disagreeing (harmless) */
	struct node *pin;	/* do not close this node's fd to make room */
	long short_writes;
	struct f4s_shared *sh;
};

/* f4stress.c: reporting */
void f4s_desc(struct wk *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void f4s_fail(struct wk *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void f4s_fail_bytes(struct wk *w, const char *what, uint64_t base,
		    const uint8_t *exp, const uint8_t *act, size_t len,
		    size_t first) __attribute__((noreturn));
void f4s_unsupported(struct wk *w, int err, int optional);
void f4s_enospc(struct wk *w);
void f4s_expected_err(struct wk *w);
const char *f4s_ename(int err);

/* f4stress_model.c: rng, contents model, tree model, names, paths */
void f4s_rng_init(uint64_t st[4], uint64_t seed, int stream);
uint64_t f4s_rand(struct wk *w);
uint64_t f4s_rnd(struct wk *w, uint64_t n);
int f4s_pct(struct wk *w, int percent);
void *f4s_xmalloc(size_t n);
char *f4s_xstrdup(const char *s);

void fm_init(struct fmodel *m);
void fm_free(struct fmodel *m);
void fm_read(const struct fmodel *m, uint64_t off, uint8_t *buf, size_t len);
void fm_write(struct fmodel *m, uint64_t off, const uint8_t *buf, size_t len);
void fm_zero(struct fmodel *m, uint64_t off, uint64_t len);
void fm_set_size(struct fmodel *m, uint64_t size);
int fm_is_zero(const struct fmodel *m, uint64_t off, uint64_t len,
	       uint64_t *first_nonzero);

struct node *node_new(struct wk *w, enum f4s_type type, mode_t mode);
void node_forget(struct wk *w, struct node *n);
int dir_find(const struct node *d, const char *name);
void dir_add(struct node *d, const char *name, struct node *n);
void dir_unlink(struct wk *w, struct node *d, int idx);
struct node *dir_detach(struct node *d, int idx);
int node_nlink(const struct node *n);
int node_in_subtree(const struct node *x, const struct node *top);
int node_depth(const struct node *d);
int node_height(const struct node *d);
int node_count(struct wk *w, enum f4s_type type);
size_t dir_path(struct wk *w, const struct node *d, char *buf);
size_t ent_path(struct wk *w, const struct node *d, const char *name,
		char *buf);
int node_path(struct wk *w, struct node *n, char *buf);
struct node *pick_dir(struct wk *w);
int pick_entry(struct wk *w, struct node **dir);
struct node *pick_node(struct wk *w, int types);
void gen_name(struct wk *w, const struct node *d, char *name);
size_t gen_name_len(struct wk *w);
const char *f4s_show(const char *s, char *buf, size_t bufsz);
void f4s_time_mark(struct node *n, int atime, int mtime);

/* f4stress_data.c: file-data operations */
int f4s_node_fd(struct wk *w, struct node *n);
void f4s_close_fd(struct wk *w, struct node *n);
void f4s_pattern(struct wk *w, uint8_t *buf, size_t len);
void f4s_reconcile(struct wk *w, struct node *n, uint64_t off, uint64_t len,
		   const uint8_t *newdata, uint64_t smin, uint64_t smax,
		   int any);
int op_write(struct wk *w);
int op_append(struct wk *w);
int op_read(struct wk *w);
int op_truncate(struct wk *w);
int op_fallocate(struct wk *w);
int op_copy_range(struct wk *w);
int op_mmap_read(struct wk *w);
int op_fsync(struct wk *w);
int op_reopen(struct wk *w);

/* f4stress_verify.c: checks against the kernel's view */
ssize_t f4s_pread_full(int fd, uint8_t *buf, size_t len, uint64_t off);
void f4s_check_range(struct wk *w, struct node *n, int fd, uint64_t off,
		     uint64_t len, const char *what);
void f4s_check_content(struct wk *w, struct node *n, int fd,
		       const char *what);
void f4s_check_stat(struct wk *w, struct node *n, const char *path, int fd);
void f4s_check_dir(struct wk *w, struct node *d, int deep);
void f4s_check_xattrs(struct wk *w, struct node *n, const char *path);
void f4s_walk(struct wk *w);
int op_seek_check(struct wk *w);
int op_check_file(struct wk *w);
int op_stat(struct wk *w);
int op_walk(struct wk *w);

/* f4stress_ns.c: namespace operations */
int op_create(struct wk *w);
int op_mkdir(struct wk *w);
int op_rmdir(struct wk *w);
int op_rmtree(struct wk *w);
int op_unlink(struct wk *w);
int op_link(struct wk *w);
int op_symlink(struct wk *w);
int op_mkfifo(struct wk *w);
int op_readlink(struct wk *w);
int op_rename(struct wk *w);
int op_nametoolong(struct wk *w);

/* f4stress_attr.c: xattrs, modes, times */
int op_xattr(struct wk *w);
int op_chmod(struct wk *w);
int op_utimens(struct wk *w);

/* f4stress_shared.c: DIR/shared, touched by all processes */
int f4s_shared_setup(const struct f4s_opts *o);
void f4s_shared_init(struct wk *w);
void f4s_shared_final(struct wk *w);
int op_shared_data(struct wk *w);
int op_shared_dir(struct wk *w);

#endif
