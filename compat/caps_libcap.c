/* Drops capabilities with libcap (see caps.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "compat/caps.h"

/* Threads of this process; the sets changed here are the caller's. */
static int thread_count(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Empty the bounding set if allowed. Returns how many capabilities are
 * left in it (0: emptied), or -errno. */
static int drop_bounding(bool *allowed)
{
	cap_t cur = cap_get_proc();
	cap_flag_value_t setpcap = CAP_CLEAR;
	cap_value_t c, max = (cap_value_t)cap_max_bits();
	int left = 0;

	if (!cur)
		return -errno;
	cap_get_flag(cur, CAP_SETPCAP, CAP_EFFECTIVE, &setpcap);
	cap_free(cur);
	*allowed = setpcap == CAP_SET;
	for (c = 0; c < max; c++) {
		if (cap_get_bound(c) <= 0)
			continue;
		if (*allowed && cap_drop_bound(c) != 0)
			return -errno;
		if (!*allowed)
			left++;
	}
	return left;
}

static void describe(cap_t caps, char *buf, size_t len)
{
	char *text = caps ? cap_to_text(caps, NULL) : NULL;

	/* "=" is libcap's text for the empty set. */
	snprintf(buf, len, "%s", !text ? "?" : strcmp(text, "=") ? text : "none");
	cap_free(text);
}

int f4_compat_caps_drop(bool no_new_privs, char *report, size_t len)
{
	cap_t before = cap_get_proc(), none = cap_init(), after;
	char held[256], kept[256], bound[96];
	bool allowed = false;
	int left, threads = thread_count(), ret = 0;

	describe(before, held, sizeof(held));
	cap_free(before);
	left = drop_bounding(&allowed);
	if (left < 0) {
		snprintf(report, len, "cannot empty the bounding set: %s", strerror(-left));
		ret = left;
		goto out;
	}
	/* Clearing the ambient set needs no privilege (EINVAL: a kernel
	 * without ambient capabilities, so nothing to clear). */
	if (cap_reset_ambient() != 0 && errno != EINVAL) {
		ret = -errno;
		snprintf(report, len, "cannot clear the ambient set: %s", strerror(errno));
		goto out;
	}
	if (!none || cap_set_proc(none) != 0) {
		ret = -errno;
		snprintf(report, len, "cannot drop capabilities: %s", strerror(errno));
		goto out;
	}
	if (no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		ret = -errno;
		snprintf(report, len, "cannot set no_new_privs: %s", strerror(errno));
		goto out;
	}
	after = cap_get_proc();
	describe(after, kept, sizeof(kept));
	cap_free(after);
	if (left)
		snprintf(bound, sizeof(bound), "%d left (dropping them needs CAP_SETPCAP)", left);
	else
		snprintf(bound, sizeof(bound), "empty");
	snprintf(report, len, "held %s; kept %s; ambient set empty; bounding set %s; no_new_privs %s%s",
		 held, kept, bound, no_new_privs ? "set" : "not set",
		 threads > 1 ? "; other threads keep theirs" : "");
out:
	cap_free(none);
	return ret;
}
