/* Owns naming who holds a lock on a file (see lockholder.h). */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#if __has_include(<sys/sysmacros.h>)
#include <sys/sysmacros.h>	/* major, minor (glibc) */
#endif
#include <unistd.h>

#include "compat/lockholder.h"

/* The command name of pid, or "" (gone: the lock was taken by a process
 * that has exited since, and lives on in a child, e.g. a daemon). */
static void comm_of(pid_t pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f || !fgets(comm, (int)len, f))
		comm[0] = '\0';
	if (f)
		fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
}

/* A live process other than us with the file (dev, ino) open: who holds
 * a lock whose taker has exited (a daemon's parent, flock(1)). */
static pid_t opener(dev_t dev, ino_t ino)
{
	DIR *proc = opendir("/proc");
	struct dirent *p;
	pid_t found = 0;

	if (!proc)
		return 0;
	while (!found && (p = readdir(proc))) {
		char path[300];
		struct dirent *e;
		DIR *fds;
		int pid = atoi(p->d_name);

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		while (fds && !found && (e = readdir(fds))) {
			struct stat st;

			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, e->d_name);
			if (e->d_name[0] != '.' && stat(path, &st) == 0 &&
			    st.st_dev == dev && st.st_ino == ino)
				found = pid;
		}
		if (fds)
			closedir(fds);
	}
	closedir(proc);
	return found;
}

pid_t f4_compat_lock_holder(int fd, char *comm, size_t len)
{
	/* "1: FLOCK  ADVISORY  WRITE 1234 08:01:56789 0 EOF": the device
	 * numbers in hex, the inode in decimal. */
	char line[256], kind[16];
	unsigned maj, min;
	unsigned long ino;
	struct stat st;
	pid_t found = 0;
	int pid;
	FILE *f;

	if (fstat(fd, &st) != 0 || !(f = fopen("/proc/locks", "re")))
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%lu", kind, &pid,
			   &maj, &min, &ino) != 5 || strcmp(kind, "FLOCK") != 0)
			continue;
		if (maj == major(st.st_dev) && min == minor(st.st_dev) &&
		    ino == (unsigned long)st.st_ino && pid > 0 && pid != getpid())
			found = pid;
	}
	fclose(f);
	if (found)
		comm_of(found, comm, len);
	if (found && !comm[0]) {	/* its taker has exited */
		pid_t live = opener(st.st_dev, st.st_ino);

		if (live) {
			found = live;
			comm_of(found, comm, len);
		}
	}
	return found;
}
