/* Owns the kernel mount check (see kmount.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "compat/kmount.h"
#include "compat/mountinfo.h"

#ifdef __linux__
#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* The mount point of device major:minor in our mount table, if any. */
static int find_mount(unsigned maj, unsigned min, char *mnt, size_t len)
{
	FILE *f = f4_mountinfo_open();
	struct f4_mountinfo e;
	int found = 0;

	if (!f)
		return 0;
	while (!found && f4_mountinfo_next(f, &e)) {
		if (e.major == maj && e.minor == min) {
			snprintf(mnt, len, "%s", e.point);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

/* A loop device whose backing file is the image: its number in *maj,
 * *min and its name. */
static int find_loop(const struct stat *img, unsigned *maj, unsigned *min,
		     char *name, size_t len)
{
	DIR *d = opendir("/sys/block");
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		char path[512], back[4096];
		struct stat st;
		FILE *f;

		if (strncmp(e->d_name, "loop", 4) != 0)
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(back, sizeof(back), f)) {
			back[strcspn(back, "\n")] = '\0';
			if (stat(back, &st) == 0 && st.st_dev == img->st_dev &&
			    st.st_ino == img->st_ino) {
				snprintf(path, sizeof(path), "/sys/block/%s/dev", e->d_name);
				fclose(f);
				f = fopen(path, "re");
				found = f && fscanf(f, "%u:%u", maj, min) == 2;
				snprintf(name, len, "/dev/%s", e->d_name);
			}
		}
		if (f)
			fclose(f);
	}
	closedir(d);
	return found;
}

int f4_compat_fuse4fs_mount(int fd, char *mnt, size_t len)
{
	FILE *f = f4_mountinfo_open();
	struct f4_mountinfo e;
	struct stat img, st;
	int found = 0;

	if (!f)
		return 0;
	if (fstat(fd, &img) < 0) {
		fclose(f);
		return 0;
	}
	while (!found && f4_mountinfo_next(f, &e)) {
		if (strcmp(e.type, "fuse.fuse4fs") == 0 && stat(e.source, &st) == 0 &&
		    st.st_dev == img.st_dev && st.st_ino == img.st_ino) {
			snprintf(mnt, len, "%s", e.point);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

int f4_compat_kernel_mount(int fd, char *who, size_t len)
{
	char dev[300], mnt[4096];
	unsigned maj, min;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return 0;
	if (S_ISBLK(st.st_mode)) {
		maj = major(st.st_rdev);
		min = minor(st.st_rdev);
		snprintf(dev, sizeof(dev), "the device");
	} else if (!S_ISREG(st.st_mode) ||
		   !find_loop(&st, &maj, &min, dev, sizeof(dev))) {
		return 0;
	}
	if (!find_mount(maj, min, mnt, sizeof(mnt)))
		return 0;
	snprintf(who, len, "%s at %s", dev, mnt);
	return 1;
}
#else
int f4_compat_fuse4fs_mount(int fd, char *mnt, size_t len)
{
	(void)fd;
	(void)mnt;
	(void)len;
	return 0;
}

int f4_compat_kernel_mount(int fd, char *who, size_t len)
{
	(void)fd;
	(void)who;
	(void)len;
	return 0;
}
#endif
