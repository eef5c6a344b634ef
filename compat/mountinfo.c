/* Owns reading the mount table (see mountinfo.h). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "compat/mountinfo.h"

/* The table escapes blanks, newlines and backslashes as \ooo. */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

FILE *f4_mountinfo_open(void)
{
#ifdef __linux__
	return fopen("/proc/self/mountinfo", "re");
#else
	errno = ENOSYS;
	return NULL;
#endif
}

int f4_mountinfo_next(FILE *f, struct f4_mountinfo *e)
{
	char line[8400];

	/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...] - TYPE SOURCE SUPER */
	while (fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %u:%u %*s %4095s", &e->major, &e->minor,
				   e->point) != 3 ||
		    sscanf(sep + 3, "%63s %4095s", e->type, e->source) != 2)
			continue;
		unescape(e->point);
		unescape(e->source);
		return 1;
	}
	return 0;
}
