/* fdmount: the privileged parent of libfuse's "/dev/fd/N" convention, as
 * a container runtime does it. As root: open /dev/fuse, mount MOUNTPOINT
 * with "fd=N,rootmode=40000,user_id=UID,group_id=GID" (FUSE's own mount
 * options), optionally open an image for the server too, then become
 * UID:GID (no supplementary groups, no capabilities) and exec the server
 * with the descriptors inherited. In the server's arguments "@FUSE@"
 * becomes /dev/fd/N and "@IMAGE@" /dev/fd/M. The server runs with the
 * helper's pid; it is never told a path for either descriptor.
 *
 *   fdmount [-u UID:GID] [-i IMAGE] [-r] [-o OPTS] [-R] MOUNTPOINT -- PROG ARGS...
 *     -u  run PROG as UID:GID (default: stay root; the mount is for 0:0)
 *     -i  open IMAGE read-write (-r: read-only) for PROG
 *     -o  more FUSE mount options (allow_other, default_permissions...)
 *     -R  mount read-only (MS_RDONLY)
 *
 * Exit status: PROG's (it replaces fdmount), or 2 for bad usage, 1 when
 * a step before the exec fails (then nothing is left mounted, unless it
 * says so: a failed exec after becoming UID can no longer unmount). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(void)
{
	fputs("usage: fdmount [-u UID:GID] [-i IMAGE] [-r] [-o OPTS] [-R] MOUNTPOINT -- PROG ARGS...\n",
	      stderr);
	exit(2);
}

/* Open without O_CLOEXEC: the descriptor is for the exec'ed server. */
static int open_inherited(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0) {
		fprintf(stderr, "fdmount: cannot open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static char *subst(const char *arg, int fuse_fd, int image_fd)
{
	char *s = NULL;
	int n = -1;

	if (!strcmp(arg, "@FUSE@"))
		n = asprintf(&s, "/dev/fd/%d", fuse_fd);
	else if (!strcmp(arg, "@IMAGE@") && image_fd >= 0)
		n = asprintf(&s, "/dev/fd/%d", image_fd);
	else
		return (char *)arg;
	if (n < 0) {
		fputs("fdmount: out of memory\n", stderr);
		exit(1);
	}
	return s;
}

static int become(unsigned uid, unsigned gid)
{
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid)) {
		perror("fdmount: cannot change to the server's user");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *image = NULL, *extra = NULL;
	unsigned uid = 0, gid = 0;
	unsigned long flags = MS_NOSUID | MS_NODEV;
	int image_flags = O_RDWR, fuse_fd, image_fd = -1, c, i;
	char data[512], *mnt;
	int as_user = 0;

	while ((c = getopt(argc, argv, "+u:i:ro:R")) != -1) {
		switch (c) {
		case 'u':
			if (sscanf(optarg, "%u:%u", &uid, &gid) != 2)
				usage();
			as_user = 1;
			break;
		case 'i': image = optarg; break;
		case 'r': image_flags = O_RDONLY; break;
		case 'o': extra = optarg; break;
		case 'R': flags |= MS_RDONLY; break;
		default: usage();
		}
	}
	if (argc - optind < 3 || strcmp(argv[optind + 1], "--"))
		usage();
	mnt = argv[optind];
	fuse_fd = open_inherited("/dev/fuse", O_RDWR);
	if (image)
		image_fd = open_inherited(image, image_flags);
	snprintf(data, sizeof(data), "fd=%d,rootmode=40000,user_id=%u,group_id=%u%s%s",
		 fuse_fd, uid, gid, extra ? "," : "", extra ? extra : "");
	if (mount("fuse4fs-fd", mnt, "fuse.fuse4fs", flags, data)) {
		fprintf(stderr, "fdmount: mount %s (%s): %s\n", mnt, data, strerror(errno));
		return 1;
	}
	if (as_user && become(uid, gid)) {
		umount2(mnt, MNT_DETACH);
		return 1;
	}
	argv += optind + 2;
	for (i = 0; argv[i]; i++)
		argv[i] = subst(argv[i], fuse_fd, image_fd);
	execvp(argv[0], argv);
	fprintf(stderr, "fdmount: cannot run %s: %s\n", argv[0], strerror(errno));
	/* Nobody will serve the mount: take it away again. */
	if (umount2(mnt, MNT_DETACH) && as_user)
		fprintf(stderr, "fdmount: %s stays mounted (unserved)\n", mnt);
	return 1;
}
