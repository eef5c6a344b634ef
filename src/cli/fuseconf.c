/* Owns the /etc/fuse.conf checks (see fuseconf.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cli/fuseconf.h"

bool f4_fuseconf_has(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n'), *hash;
		const char *stop = end ? end : line + strlen(line);

		hash = memchr(line, '#', (size_t)(stop - line));
		if (hash)
			stop = hash;
		while (line < stop && isspace((unsigned char)*line))
			line++;
		while (stop > line && isspace((unsigned char)stop[-1]))
			stop--;
		if ((size_t)(stop - line) == klen && !memcmp(line, key, klen))
			return true;
		line = end ? end + 1 : NULL;
	}
	return false;
}

/* The whole (small) file as a string; NULL if it cannot be read. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - len < 1025) {
			char *nb = cap < (1u << 20) ? realloc(buf, cap + 4096) : NULL;

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap += 4096;
		}
		n = fread(buf + len, 1, 1024, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

int f4_fuseconf_check_allow_other(const char *path, unsigned uid, char *msg,
				  size_t len)
{
	char *text;
	bool ok;

	if (uid == 0)
		return 0;
	text = slurp(path);
	ok = text && f4_fuseconf_has(text, "user_allow_other");
	free(text);
	if (ok)
		return 0;
	snprintf(msg, len, "-o allow_other and -o allow_root need 'user_allow_other' in %s (ask your administrator), or root",
		 path);
	return -EPERM;
}
