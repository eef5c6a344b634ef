/* The fake kernel: speaks the FUSE protocol to a real fuse4fs process
 * over a SOCK_SEQPACKET socketpair handed to it as /dev/fd/N, so tests
 * can send requests this machine's kernel never sends (new opcodes, new
 * INIT flags) and check the replies byte for byte. Every wait is bounded
 * (F4_FK_TIMEOUT_MS, default 30 s): a hung server fails a test, never
 * hangs it. Functions return 0 or -errno; the server's own answer to a
 * request is the -errno of its reply. Transport failures have codes of
 * their own: -ETIMEDOUT (no reply in time), -ECONNRESET (the server's
 * end closed), -EBADMSG (a reply that breaks the protocol). */
#ifndef F4_TESTS_FAKEKERNEL_FK_H
#define F4_TESTS_FAKEKERNEL_FK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <linux/fuse.h>

/* Opcodes newer than some <linux/fuse.h>: defined here when missing. */
#ifndef FUSE_STATX
#define F4_FK_STATX 52
#else
#define F4_FK_STATX FUSE_STATX
#endif

/* Requests are counted per opcode below this; others in sent_other. */
#define F4_FK_NOPS 4097
/* Notifications (unique 0) counted per code below this. */
#define F4_FK_NNOTIFY 16
/* Replies kept while another one is awaited. */
#define F4_FK_NSTASH 16

/* One reply: header and payload (owned; f4_fk_reply_free). */
struct f4_fk_reply {
	struct fuse_out_header hdr;
	void *data;
	size_t len;
};

struct f4_fk {
	pid_t pid;		/* the server, 0 once reaped */
	int fd;			/* our end, -1 once closed */
	int timeout_ms;
	/* The largest message either side can send in one piece (bounded by
	 * the socket send buffers: twice net.core.wmem_max unless root could
	 * force them). A test of bigger requests or replies skips below it. */
	size_t max_msg;
	uint64_t next_unique;
	/* Credentials of the next requests (the kernel sends the caller's). */
	uint32_t uid, gid, pid_of_caller;
	/* What INIT negotiated (flags | flags2 << 32 when INIT_EXT). */
	struct fuse_init_out init_out;
	uint64_t init_flags;
	unsigned sent[F4_FK_NOPS];
	unsigned sent_other;
	unsigned notify[F4_FK_NNOTIFY];
	unsigned notify_other;
	/* Replies that came for another request than the awaited one and
	 * were kept until asked for (the server may answer out of order). */
	struct f4_fk_reply stash[F4_FK_NSTASH];
	unsigned stashed;
	int destroyed;		/* DESTROY was sent */
	char *log;		/* the server's stderr */
};

/* Start PROG (F4_FUSE4FS, else $F4_TOP_BUILDDIR/fuse4fs, else ./fuse4fs)
 * as "PROG -f ARGS... IMAGE /dev/fd/N", stderr into LOG (NULL: inherit).
 * ARGS ends with NULL and may be NULL. F4_FK_DEBUG in the environment
 * adds -d (libfuse logs every request into LOG). */
int f4_fk_start(struct f4_fk **fkp, const char *image,
		const char *const *args, const char *log);
const char *f4_fk_prog(void);

/* INIT with MAJOR.MINOR and FLAGS (64 bits: the high half goes in flags2
 * with FUSE_INIT_EXT set, as does FUSE_INIT_EXT alone). The fuse_init_in
 * is as long as that minor's kernel sends. 0 or the reply's -errno. */
int f4_fk_init(struct f4_fk *fk, uint32_t major, uint32_t minor, uint64_t flags);

/* Send OPCODE for NODEID with the payload IOV[0..N) and return its
 * unique id in *unique; wait for the reply to UNIQUE into *r. */
int f4_fk_send(struct f4_fk *fk, uint32_t opcode, uint64_t nodeid,
	       const struct iovec *iov, int n, uint64_t *unique);
int f4_fk_wait(struct f4_fk *fk, uint64_t unique, struct f4_fk_reply *r);
/* Both; 0 when a reply came (its error is in r->hdr.error). */
int f4_fk_call(struct f4_fk *fk, uint32_t opcode, uint64_t nodeid,
	       const struct iovec *iov, int n, struct f4_fk_reply *r);
/* A call whose reply payload must be exactly OUTLEN bytes into OUT
 * (OUT may be NULL with OUTLEN 0). 0, the server's -errno, or transport. */
int f4_fk_call_fixed(struct f4_fk *fk, uint32_t opcode, uint64_t nodeid,
		     const void *arg, size_t arglen, void *out, size_t outlen);
void f4_fk_reply_free(struct f4_fk_reply *r);

/* The common operations. */
int f4_fk_lookup(struct f4_fk *fk, uint64_t parent, const char *name,
		 struct fuse_entry_out *out);
int f4_fk_getattr(struct f4_fk *fk, uint64_t nodeid, struct fuse_attr_out *out);
int f4_fk_readlink(struct f4_fk *fk, uint64_t nodeid, char *buf, size_t size);
int f4_fk_open(struct f4_fk *fk, uint64_t nodeid, uint32_t flags, uint64_t *fh);
int f4_fk_create(struct f4_fk *fk, uint64_t parent, const char *name,
		 uint32_t flags, uint32_t mode, struct fuse_entry_out *entry,
		 uint64_t *fh);
/* READ of SIZE at OFF into BUF; *got: the bytes that came. */
int f4_fk_read(struct f4_fk *fk, uint64_t nodeid, uint64_t fh, uint64_t off,
	       uint32_t size, void *buf, size_t *got);
int f4_fk_write(struct f4_fk *fk, uint64_t nodeid, uint64_t fh, uint64_t off,
		const void *buf, uint32_t size, uint32_t *written);
int f4_fk_fsync(struct f4_fk *fk, uint64_t nodeid, uint64_t fh, int datasync);
int f4_fk_release(struct f4_fk *fk, uint64_t nodeid, uint64_t fh, uint32_t flags);
int f4_fk_opendir(struct f4_fk *fk, uint64_t nodeid, uint64_t *fh);
/* READDIR (PLUS: READDIRPLUS) of up to SIZE bytes into BUF. */
int f4_fk_readdir(struct f4_fk *fk, uint64_t nodeid, uint64_t fh, uint64_t off,
		  int plus, void *buf, uint32_t size, size_t *got);
int f4_fk_releasedir(struct f4_fk *fk, uint64_t nodeid, uint64_t fh);
int f4_fk_statfs(struct f4_fk *fk, struct fuse_kstatfs *out);
/* FORGET has no reply: sent, not waited for. */
int f4_fk_forget(struct f4_fk *fk, uint64_t nodeid, uint64_t nlookup);
int f4_fk_destroy(struct f4_fk *fk);

/* Walk a READDIR(PLUS) buffer: the entry at *off into *d (and *e for
 * PLUS), *off moved past it. 1: an entry; 0: the end; -EBADMSG: an entry
 * that does not fit. *name is not NUL-terminated (d->namelen). */
int f4_fk_dirent_next(const void *buf, size_t len, size_t *off, int plus,
		      const struct fuse_dirent **d,
		      const struct fuse_entry_out **e);

/* End the session: f4_fk_stop sends DESTROY first (unless one was sent),
 * f4_fk_abort does not (a connection abort). Both close our end, wait
 * for the server and give its wait status in *status. -ETIMEDOUT: it
 * did not exit (it is killed then); -ECHILD: it left a process behind. */
int f4_fk_stop(struct f4_fk *fk, int *status);
int f4_fk_abort(struct f4_fk *fk, int *status);
/* Free FK (kills a server still running). */
void f4_fk_free(struct f4_fk *fk);

#endif
