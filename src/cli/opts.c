/* Owns command-line parsing and the help text. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/cli/opts.h"
#include "src/fs/errors.h"

struct opt_def {
	const char *name;
	const char *arg;	/* value placeholder, NULL for a flag */
	bool to_fuse;		/* also handed to libfuse */
	int (*apply)(struct f4_opts *o, const char *val, char *msg, size_t len);
	const char *help;
	bool arg_optional;	/* the value may be left out (val is NULL) */
};

static int set_ro(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->readonly = true;
	o->rw = false;
	return 0;
}

static int set_rw(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->rw = true;
	o->readonly = false;
	return 0;
}

static int set_norecovery(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->norecovery = true;
	return 0;
}

/* Decimal, or hexadecimal with 0x; no sign, no blanks; with a suffix
 * K, M, G or T when suffixes are allowed (powers of 1024). */
static int parse_u64(const char *v, uint64_t *out, bool suffix)
{
	unsigned long long n;
	unsigned shift = 0;
	char *end;

	if (!v || !isdigit((unsigned char)v[0]))
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) ? 16 : 10);
	if (errno)
		return -EINVAL;
	if (suffix && *end) {
		const char *units = "KMGT", *u = strchr(units, toupper((unsigned char)*end));

		if (!u || end[1])
			return -EINVAL;
		shift = 10 * (unsigned)(u - units + 1);
		end++;
		if (n > (UINT64_MAX >> shift))
			return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	*out = (uint64_t)n << shift;
	return 0;
}

static int set_offset(struct f4_opts *o, const char *v, char *m, size_t l)
{
	if (parse_u64(v, &o->offset, false) == 0)
		return 0;
	snprintf(m, l, "invalid offset '%s': expected a byte count", v);
	return -EINVAL;
}

static int set_errors(struct f4_opts *o, const char *v, char *m, size_t l)
{
	if (f4_errors_parse(v, &o->errors) == 0)
		return 0;
	snprintf(m, l, "invalid errors='%s': expected continue, remount-ro or panic", v);
	return -EINVAL;
}

static int set_cache_size(struct f4_opts *o, const char *v, char *m, size_t l)
{
	if (parse_u64(v, &o->cache_size, true) == 0 && o->cache_size >= (1u << 20))
		return 0;
	snprintf(m, l, "invalid cache_size='%s': expected a size of at least 1M (suffixes K, M, G)", v);
	return -EINVAL;
}

/* As ext4's commit=: seconds between journal commits. */
static int set_commit(struct f4_opts *o, const char *v, char *m, size_t l)
{
	uint64_t n;

	if (parse_u64(v, &n, false) == 0 && n >= 1 && n <= 3600) {
		o->commit_s = (unsigned)n;
		return 0;
	}
	snprintf(m, l, "invalid commit='%s': expected seconds between journal commits, 1 to 3600", v);
	return -EINVAL;
}

static int set_io(struct f4_opts *o, const char *v, char *m, size_t l)
{
	if (!strcmp(v, "uring") || !strcmp(v, "pread")) {
		o->io_pread = !strcmp(v, "pread");
		return 0;
	}
	snprintf(m, l, "invalid io='%s': expected uring or pread", v);
	return -EINVAL;
}

static int set_writeback(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->writeback_cache = true;
	return 0;
}

/* uid=N, gid=N; without a value, the mounting user's own id. */
static int set_fixed_id(struct f4_idmap_ids *ids, const char *name,
			const char *v, uint32_t own, char *m, size_t l)
{
	uint64_t n = own;

	if (ids->kind == F4_IDMAP_RANGES) {
		snprintf(m, l, "-o %s and -o %smap exclude each other", name, name);
		return -EINVAL;
	}
	if (v && (parse_u64(v, &n, false) || n >= UINT32_MAX)) {
		snprintf(m, l, "invalid %s='%s': expected a numeric id", name, v);
		return -EINVAL;
	}
	f4_idmap_set_fixed(ids, (uint32_t)n);
	return 0;
}

static int set_uid(struct f4_opts *o, const char *v, char *m, size_t l)
{
	return set_fixed_id(&o->idmap.uid, "uid", v, (uint32_t)getuid(), m, l);
}

static int set_gid(struct f4_opts *o, const char *v, char *m, size_t l)
{
	return set_fixed_id(&o->idmap.gid, "gid", v, (uint32_t)getgid(), m, l);
}

static int set_map(struct f4_idmap_ids *ids, const char *name, const char *v,
		   char *m, size_t l)
{
	char why[128];

	if (ids->kind == F4_IDMAP_FIXED) {
		snprintf(m, l, "-o %.3s and -o %s exclude each other", name, name);
		return -EINVAL;
	}
	if (f4_idmap_parse(v, ids, why, sizeof(why)) == 0)
		return 0;
	snprintf(m, l, "invalid %s='%s': %s", name, v, why);
	return -EINVAL;
}

static int set_uidmap(struct f4_opts *o, const char *v, char *m, size_t l)
{
	return set_map(&o->idmap.uid, "uidmap", v, m, l);
}

static int set_gidmap(struct f4_opts *o, const char *v, char *m, size_t l)
{
	return set_map(&o->idmap.gid, "gidmap", v, m, l);
}

static int set_fakeroot(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->fakeroot = true;
	return 0;
}

static int note_allow_other(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->allow_other = true;
	return 0;
}

static int note_default_perms(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->default_permissions = true;
	return 0;
}

static int note_auto_unmount(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->auto_unmount = true;
	return 0;
}

static int note_fsname(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->has_fsname = true;
	return 0;
}

static int note_subtype(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->has_subtype = true;
	return 0;
}

static int set_relatime(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->atime = F4_ATIME_RELATIME;
	return 0;
}

static int set_strictatime(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->atime = F4_ATIME_STRICT;
	return 0;
}

static int set_noatime(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->atime = F4_ATIME_NEVER;
	return 0;
}

static int set_nodiratime(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->nodiratime = true;
	return 0;
}

static int set_diratime(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->nodiratime = false;
	return 0;
}

static int set_logfile(struct f4_opts *o, const char *v, char *m, size_t l)
{
	free(o->logfile);
	o->logfile = strdup(v);
	return o->logfile ? 0 : -ENOMEM;
}

static int set_block_validity(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->noblock_validity = false;
	return 0;
}

static int set_noblock_validity(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->noblock_validity = true;
	return 0;
}

static int note_dev(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->dev_given = true;
	return 0;
}

static int note_suid(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->suid_given = true;
	return 0;
}

static int set_remount(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->remount = true;
	return 0;
}

static int set_dirsync(struct f4_opts *o, const char *v, char *m, size_t l)
{
	o->dirsync = true;
	return 0;
}

static const struct opt_def opt_table[] = {
	{ "ro", NULL, true, set_ro, "mount read-only; the image is opened read-only and never written" },
	{ "rw", NULL, false, set_rw, "mount read-write (the default)" },
	{ "offset", "BYTES", false, set_offset, "the filesystem starts BYTES into the image (partitioned disk images)" },
	{ "norecovery", NULL, false, set_norecovery, "do not replay a journal that needs recovery (read-only; the view may be inconsistent)" },
	{ "noload", NULL, false, set_norecovery, "same as norecovery" },
	{ "errors", "continue|remount-ro|panic", false, set_errors, "what to do when corruption is detected (default: the superblock's setting)" },
	{ "cache_size", "SIZE", false, set_cache_size, "metadata block cache size, e.g. 256M (default: 1/32 of RAM, 8M to 512M)" },
	{ "commit", "SECONDS", false, set_commit, "commit the journal every SECONDS (default 5, as ext4); fsync commits at once" },
	{ "writeback_cache", NULL, false, set_writeback, "let the kernel cache writes (faster small writes; a full filesystem then shows at fsync or close, not at write)" },
	{ "io", "uring|pread", false, set_io, "how file data moves: io_uring (default where the kernel allows it) or pread/pwrite" },
	{ "uid", "N", false, set_uid, "show every file as owned by user N (-o uid alone: you); the ids stored do not change", true },
	{ "gid", "N", false, set_gid, "show every file as owned by group N (-o gid alone: your group)", true },
	{ "uidmap", "INSIDE:ONDISK:COUNT[:...]", false, set_uidmap, "user ids ONDISK.. of the image show as INSIDE.. and back (COUNT of them; more ranges after ':'); others show as 65534" },
	{ "gidmap", "INSIDE:ONDISK:COUNT[:...]", false, set_gidmap, "the same for group ids" },
	{ "fakeroot", NULL, false, set_fakeroot, "treat whoever uses the mount as root: any chown, new files owned by 0:0, no permission checks (unsafe with allow_other)" },
	{ "allow_other", NULL, true, note_allow_other, "let users other than the mounter access the filesystem" },
	{ "allow_root", NULL, true, note_allow_other, "let root (and the mounter) access the filesystem" },
	{ "default_permissions", NULL, true, note_default_perms, "let the kernel check permissions from the file modes" },
	{ "fsname", "NAME", true, note_fsname, "source name shown in the mount table (default: the image path)" },
	{ "subtype", "NAME", true, note_subtype, "filesystem type shown as fuse.NAME (default: fuse4fs)" },
	{ "auto_unmount", NULL, true, note_auto_unmount, "unmount automatically when the server exits" },
	{ "nodev", NULL, true, note_dev, "do not interpret device nodes (the default for ordinary users)" },
	{ "nosuid", NULL, true, note_suid, "ignore setuid and setgid bits (the default for ordinary users)" },
	{ "noexec", NULL, true, NULL, "do not allow execution of programs" },
	{ "dev", NULL, true, note_dev, "interpret device nodes (the default for root, as mount(8) gives every filesystem)" },
	{ "suid", NULL, true, note_suid, "honour setuid and setgid bits (the default for root, as mount(8))" },
	{ "exec", NULL, true, NULL, "allow execution of programs (the default)" },
	{ "relatime", NULL, false, set_relatime, "update a file's access time when it is not newer than its modification or change time, or is a day old (the default, as ext4)" },
	{ "strictatime", NULL, false, set_strictatime, "update access times at every read" },
	{ "atime", NULL, true, set_relatime, "do not use noatime: access times as relatime" },
	{ "noatime", NULL, true, set_noatime, "never update access times" },
	{ "nodiratime", NULL, false, set_nodiratime, "never update the access times of directories" },
	{ "diratime", NULL, false, set_diratime, "update directories' access times too (the default)" },
	{ "lazytime", NULL, false, NULL, "accepted, as ext4 (timestamps reach the image with the next journal commit in any case)" },
	{ "nolazytime", NULL, false, NULL, "accepted (the default)" },
	{ "sync", NULL, true, set_dirsync, "every write and every directory change is durable before it returns" },
	{ "async", NULL, false, NULL, "changes are committed every commit= seconds and at fsync (the default)" },
	{ "dirsync", NULL, false, set_dirsync, "every directory change (create, link, unlink, mkdir, rmdir, mknod, symlink, rename) is durable before it returns" },
	{ "noblock_validity", NULL, false, set_noblock_validity, "read-only only: serve an image whose metadata overlaps (as the kernel's option of that name); file maps are still checked against inode tables" },
	{ "block_validity", NULL, false, set_block_validity, "check that metadata does not overlap (the default)" },
	{ "logfile", "PATH", false, set_logfile, "append the server's messages to PATH (default, once daemonized: syslog if a syslog daemon listens, else the kernel log)" },
	{ "remount", NULL, false, set_remount, "change a mounted filesystem to read-only (with ro: everything written, the image clean) or back to read-write (with rw); what mount -o remount,ro MOUNTPOINT runs; needs root" },
	{ "user_id", "N", false, NULL, "shown in the mount table (set by FUSE itself): ignored, so that mount -o remount can pass the table's options back" },
	{ "group_id", "N", false, NULL, "the same" },
	{ "rootmode", "MODE", false, NULL, "the same" },
	{ "defaults", NULL, false, NULL, "the defaults (rw, suid, dev, exec, relatime, async; nosuid, nodev for ordinary users): for fstab" },
	{ "auto", NULL, false, NULL, "for fstab (mount -a): ignored here" },
	{ "noauto", NULL, false, NULL, "for fstab (mount -a): ignored here" },
	{ "user", NULL, false, NULL, "for fstab (mount(8) lets users mount it): ignored here" },
	{ "users", NULL, false, NULL, "for fstab: ignored here" },
	{ "nouser", NULL, false, NULL, "for fstab: ignored here" },
	{ "nofail", NULL, false, NULL, "for fstab (no error at boot if missing): ignored here" },
	{ "_netdev", NULL, false, NULL, "for fstab (needs the network): ignored here" },
};

/* Options for other programs, by convention (fstab comments: x-*). */
static bool foreign_option(const char *item)
{
	return strncmp(item, "x-", 2) == 0;
}

#define OPT_COUNT (sizeof(opt_table) / sizeof(opt_table[0]))

static int append_fuse_opt(struct f4_opts *o, const char *opt)
{
	size_t old = o->fuse_opts ? strlen(o->fuse_opts) : 0;
	char *n = realloc(o->fuse_opts, old + strlen(opt) + 2);

	if (!n)
		return -ENOMEM;
	if (old)
		n[old++] = ',';
	strcpy(n + old, opt);
	o->fuse_opts = n;
	return 0;
}

static int apply_one(struct f4_opts *o, char *item, char *msg, size_t len)
{
	char *eq = strchr(item, '=');
	const char *val = NULL;
	size_t i;

	if (!*item || foreign_option(item))
		return 0;
	if (eq) {
		*eq = '\0';
		val = eq + 1;
	}
	for (i = 0; i < OPT_COUNT; i++) {
		const struct opt_def *d = &opt_table[i];
		int ret = 0;

		if (strcmp(d->name, item) != 0)
			continue;
		if (d->arg && !val && !d->arg_optional) {
			snprintf(msg, len, "option '%s' needs a value (%s=%s)",
				 item, item, d->arg);
			return -EINVAL;
		}
		if (!d->arg && val) {
			snprintf(msg, len, "option '%s' takes no value", item);
			return -EINVAL;
		}
		if (d->apply)
			ret = d->apply(o, val, msg, len);
		if (eq)
			*eq = '=';
		if (!ret && d->to_fuse)
			ret = append_fuse_opt(o, item);
		return ret;
	}
	snprintf(msg, len, "unknown option '%s' (see fuse4fs --help)", item);
	return -EINVAL;
}

static int apply_list(struct f4_opts *o, const char *list, char *msg,
		      size_t len)
{
	char *copy = strdup(list), *item, *save = NULL;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (item = strtok_r(copy, ",", &save); item && !ret;
	     item = strtok_r(NULL, ",", &save))
		ret = apply_one(o, item, msg, len);
	free(copy);
	return ret;
}

static int take_positional(struct f4_opts *o, const char *arg, char *msg,
			   size_t len)
{
	char **slot = !o->image ? &o->image : !o->mountpoint ? &o->mountpoint
							      : NULL;

	if (!slot) {
		snprintf(msg, len, "unexpected argument '%s' (usage: fuse4fs [options] IMAGE MOUNTPOINT)",
			 arg);
		return -EINVAL;
	}
	*slot = strdup(arg);
	return *slot ? 0 : -ENOMEM;
}

static int parse_flag(struct f4_opts *o, const char *arg, char *msg, size_t len)
{
	if (!strcmp(arg, "-h") || !strcmp(arg, "--help"))
		o->show_help = true;
	else if (!strcmp(arg, "-V") || !strcmp(arg, "--version"))
		o->show_version = true;
	else if (!strcmp(arg, "-u") || !strcmp(arg, "--unmount"))
		o->unmount = true;
	else if (!strcmp(arg, "-f"))
		o->foreground = true;
	else if (!strcmp(arg, "-d"))
		o->debug = o->foreground = true;
	else if (!strcmp(arg, "-s"))
		o->single_thread = true;
	else {
		snprintf(msg, len, "unknown option '%s' (see fuse4fs --help)", arg);
		return -EINVAL;
	}
	return 0;
}

/* Settle the mode: read-write unless ro was asked for. */
static int finish(struct f4_opts *o, char *msg, size_t len)
{
	if (o->norecovery && !o->readonly) {
		snprintf(msg, len, "-o norecovery needs -o ro");
		return -EINVAL;
	}
	if (o->noblock_validity && !o->readonly) {
		snprintf(msg, len, "-o noblock_validity needs -o ro (overlapping metadata cannot be written safely)");
		return -EINVAL;
	}
	if (o->fakeroot && o->default_permissions) {
		snprintf(msg, len, "-o fakeroot and -o default_permissions exclude each other (fakeroot means no permission checks)");
		return -EINVAL;
	}
	return 0;
}

int f4_opts_parse(int argc, char **argv, struct f4_opts *o, char *msg,
		  size_t msglen)
{
	bool no_more_flags = false;
	int i, ret = 0;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc && !ret; i++) {
		const char *a = argv[i];

		if (no_more_flags || a[0] != '-' || !a[1]) {
			ret = take_positional(o, a, msg, msglen);
		} else if (!strcmp(a, "--")) {
			no_more_flags = true;
		} else if (!strcmp(a, "-o")) {
			if (i + 1 >= argc) {
				snprintf(msg, msglen, "-o needs an option list");
				return -EINVAL;
			}
			ret = apply_list(o, argv[++i], msg, msglen);
		} else if (!strncmp(a, "-o", 2)) {
			ret = apply_list(o, a + 2, msg, msglen);
		} else {
			ret = parse_flag(o, a, msg, msglen);
		}
	}
	if (ret || o->show_help || o->show_version)
		return ret;
	if (o->unmount) {	/* the one argument is the mountpoint */
		if (!o->image || o->mountpoint) {
			snprintf(msg, msglen, "usage: fuse4fs --unmount MOUNTPOINT");
			return -EINVAL;
		}
		o->mountpoint = o->image;
		o->image = NULL;
		return 0;
	}
	if (!o->image || !o->mountpoint) {
		snprintf(msg, msglen, "missing %s (usage: fuse4fs [options] IMAGE MOUNTPOINT)",
			 !o->image ? "IMAGE and MOUNTPOINT" : "MOUNTPOINT");
		return -EINVAL;
	}
	return finish(o, msg, msglen);
}

void f4_opts_free(struct f4_opts *o)
{
	free(o->image);
	free(o->mountpoint);
	free(o->fuse_opts);
	free(o->logfile);
	memset(o, 0, sizeof(*o));
}

void f4_opts_print_help(void *stream)
{
	FILE *f = stream;
	size_t i;

	fputs("Options:\n"
	      "    -h, --help             print this help and exit\n"
	      "    -V, --version          print the version and exit\n"
	      "    -f                     stay in the foreground\n"
	      "    -d                     debug output (implies -f)\n"
	      "    -s                     single-threaded\n"
	      "    -u, --unmount MOUNTPOINT\n"
	      "                           unmount, and return once the server has\n"
	      "                           finished writing the image\n"
	      "    -o OPT[,OPT...]        mount options:\n", f);
	for (i = 0; i < OPT_COUNT; i++) {
		const struct opt_def *d = &opt_table[i];
		char left[64];

		snprintf(left, sizeof(left), "%s%s%s", d->name, d->arg ? "=" : "",
			 d->arg ? d->arg : "");
		if (strlen(left) > 22)
			fprintf(f, "    -o %s\n    %26s %s\n", left, "", d->help);
		else
			fprintf(f, "    -o %-22s %s\n", left, d->help);
	}
	fputs("    x-*: options for other programs (fstab comments): ignored\n", f);
}
