/* Owns the fake-kernel tests' shared checks, scratch folder, tool runs
 * and libext2fs oracle (see fk_test.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "fk_test.h"

static unsigned passed, failed;
static char scratch[4096];
/* The session running, for f4_fkt_bail to end. */
static struct f4_fk *current;

int f4_fkt_check(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", cond ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (cond)
		passed++;
	else
		failed++;
	return cond;
}

void f4_fkt_note(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void f4_fkt_skip(const char *reason)
{
	printf("SKIP: %s\n", reason);
	exit(77);
}

void f4_fkt_bail(const char *reason)
{
	printf("ERROR: %s (scratch kept: %s)\n", reason, scratch);
	if (current)
		f4_fkt_show_log(current);
	f4_fk_free(current);	/* the server goes too */
	exit(99);
}

int f4_fkt_finish(void)
{
	if (!failed && !passed)
		f4_fkt_bail("no check ran");
	printf("%u passed, %u failed\n", passed, failed);
	if (failed) {
		printf("# scratch kept: %s\n", scratch);
		return 1;
	}
	char *const rm[] = { "rm", "-rf", scratch, NULL };
	f4_fkt_run(rm, NULL);
	return 0;
}

const char *f4_fkt_path(const char *name)
{
	static char bufs[4][8192];
	static unsigned next;
	char *b = bufs[next++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", scratch, name);
	return b;
}

const char *f4_fkt_setup(const char *name)
{
	const char *tmp = getenv("TMPDIR");
	const char *path = getenv("PATH");
	char *p;

	if (asprintf(&p, "%s:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin") < 0)
		f4_fkt_bail("out of memory");
	setenv("PATH", p, 1);
	free(p);
	snprintf(scratch, sizeof(scratch), "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
	if (!mkdtemp(scratch))
		f4_fkt_bail("cannot make a scratch folder");
	char *const v1[] = { "mke2fs", "-V", NULL };
	char *const v2[] = { "e2fsck", "-V", NULL };
	if (f4_fkt_run(v1, NULL) != 0 || f4_fkt_run(v2, NULL) != 0)
		f4_fkt_skip("mke2fs or e2fsck not found");
	if (access(f4_fk_prog(), X_OK) != 0) {
		printf("SKIP: no fuse4fs binary at %s (set F4_FUSE4FS or F4_TOP_BUILDDIR)\n",
		       f4_fk_prog());
		exit(77);
	}
	return scratch;
}

int f4_fkt_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

int f4_fkt_run(char *const argv[], const char *log)
{
	pid_t pid = fork();
	int st, fd;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = log ? open(f4_fkt_path(log), O_WRONLY | O_CREAT | O_APPEND, 0644) :
			   open("/dev/null", O_WRONLY);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st) == 127 ? -1 : WEXITSTATUS(st);
}

int f4_fkt_mkimage(const char *seed, const char *img, const char *size)
{
	char *const argv[] = { "mke2fs", "-q", "-F", "-t", "ext4", "-d", (char *)seed,
			       (char *)img, (char *)size, NULL };

	return f4_fkt_run(argv, "mke2fs.log") == 0 ? 0 : -1;
}

int f4_fkt_fsck(const char *img, const char *log)
{
	char *const argv[] = { "e2fsck", "-fn", (char *)img, NULL };

	return f4_fkt_run(argv, log);
}

ext2_filsys f4_fkt_fs_open(const char *img)
{
	ext2_filsys fs = NULL;
	errcode_t err = ext2fs_open(img, 0, 0, 0, unix_io_manager, &fs);
	int ret = err ? -EIO : 0;

	if (ret)
		f4_fkt_bail("libext2fs cannot open the image");
	return fs;
}

int f4_fkt_namei(ext2_filsys fs, const char *path, ext2_ino_t *ino,
		 struct ext2_inode_large *inode)
{
	errcode_t err = ext2fs_namei(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, ino);
	int ret = err ? -ENOENT : 0;

	if (ret || !inode)
		return ret;
	err = ext2fs_read_inode_full(fs, *ino, (struct ext2_inode *)inode,
				     sizeof(*inode));
	ret = err ? -EIO : 0;
	return ret;
}

long f4_fkt_file_read(ext2_filsys fs, const char *path, uint64_t off,
		      void *buf, size_t len)
{
	ext2_file_t f;
	ext2_ino_t ino;
	unsigned int got = 0;
	int ret = f4_fkt_namei(fs, path, &ino, NULL);
	errcode_t err;

	if (ret)
		return ret;
	err = ext2fs_file_open(fs, ino, 0, &f);
	ret = err ? -EIO : 0;
	if (ret)
		return ret;
	err = ext2fs_file_llseek(f, off, EXT2_SEEK_SET, NULL);
	if (!err)
		err = ext2fs_file_read(f, buf, (unsigned int)len, &got);
	ret = err ? -EIO : 0;
	ext2fs_file_close(f);
	return ret ? ret : (long)got;
}

struct f4_fk *f4_fkt_start(const char *img, const char *const *args,
			   const char *log)
{
	struct f4_fk *fk;
	int ret = f4_fk_start(&fk, img, args, f4_fkt_path(log));

	if (ret) {
		fprintf(stdout, "# cannot start %s: %s\n", f4_fk_prog(), strerror(-ret));
		f4_fkt_bail("the harness could not start the server");
	}
	current = fk;
	return fk;
}

void f4_fkt_show_log(const struct f4_fk *fk)
{
	char line[512];
	FILE *f = fk && fk->log ? fopen(fk->log, "r") : NULL;

	if (!f)
		return;
	for (int n = 0; n < 200 && fgets(line, sizeof(line), f); n++)
		printf("#   log: %s", line);
	fclose(f);
}

void f4_fkt_end(struct f4_fk *fk, int abort, const char *label)
{
	int st = 0;
	int ret = abort ? f4_fk_abort(fk, &st) : f4_fk_stop(fk, &st);

	if (ret == -ETIMEDOUT)
		f4_fkt_check(0, "%s: the server exits once our end is closed (killed after the timeout)", label);
	else if (!abort && ret != -ECHILD)
		f4_fkt_check(ret == 0, "%s: ended by DESTROY (%s)", label, strerror(-ret));
	f4_fkt_check(ret != -ECHILD, "%s: the server leaves no process behind", label);
	if (!f4_fkt_check(ret != -ETIMEDOUT && WIFEXITED(st) && WEXITSTATUS(st) == 0,
			  "%s: the server exits 0 (wait status 0x%x)", label, st))
		f4_fkt_show_log(fk);
	f4_fk_free(fk);
	current = NULL;
}
