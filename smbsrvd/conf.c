/*
 * conf.c — the configuration snapshot: the keyword table, building and
 * checking a struct conf, printing it (see conf.h).
 *
 * conf_parse.c cuts the text into section headers and "key = value" pairs;
 * this file decides what they mean, with conf_value.c checking and
 * storing each value by its keyword's type.  Every keyword an administrator can
 * write is one row of kw_table: its section, its type, the handler that
 * checks and stores a value, the default used when it is absent and a
 * one-line description.  Defaults are text run through the same handler as
 * a value from the file, so no default escapes a check.  Aliases (smb.conf
 * has "writable" for "not read only") are rows too; they name the keyword
 * they stand for and are never printed.  An enumerated keyword (KT_ENUM)
 * takes one of a list of words: the first word of each value is its name,
 * which prints and which errors suggest, and the others are synonyms that
 * smb.conf also accepts.  A name may be a keyword of both sections ("smb
 * encrypt"): those are two rows, and the section being read picks one.
 *
 * A snapshot is built in one pass: a share's defaults are filled in when
 * its section ends, the global defaults and the checks across keywords at
 * the end of the text.  Any error frees the partial snapshot.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "conf_int.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

const char conf_default_text[] =
	"[global]\n"
	"\tsmb listen = 127.0.0.1:4445\n"
	"\tstate directory = var\n"
	"\tadmin listen = 127.0.0.1:8445\n"
	"\tlog level = 1\n"
	"[public]\n"
	"\tpath = var/public\n"
	"\tcomment = Public share of the default configuration\n"
	"\tread only = no\n"
	"\tguest ok = yes\n";

/* smb.conf's protocol names, as "server min/max protocol" take them. */
static const struct conf_word protocol_words[] = {
	{ "SMB2_02", 0x0202 }, { "SMB2_10", 0x0210 }, { "SMB3_00", 0x0300 },
	{ "SMB3_02", 0x0302 }, { "SMB3_11", 0x0311 },
	{ "SMB2", 0x0210 }, { "SMB3", 0x0311 }, { NULL, 0 }
};
static const struct conf_word signing_words[] = {
	{ "auto", 0 }, { "mandatory", 1 }, { "required", 1 },
	{ "default", 0 }, { NULL, 0 }
};
static const struct conf_word encrypt_words[] = {
	{ "off", CONF_ENCRYPT_OFF }, { "desired", CONF_ENCRYPT_DESIRED },
	{ "required", CONF_ENCRYPT_REQUIRED },
	{ "if_required", CONF_ENCRYPT_DESIRED }, { "no", CONF_ENCRYPT_OFF },
	{ "mandatory", CONF_ENCRYPT_REQUIRED }, { NULL, 0 }
};
static const struct conf_word guest_words[] = {
	{ "never", 0 }, { "bad user", 1 }, { NULL, 0 }
};

/*
 * In this order conf_print() writes them and smbsrvd.conf(5) lists them,
 * and defaults are applied: "state directory" must come before the
 * KW_STATEDIR keywords.  A KW_MULTI default is a list separated by single
 * spaces.
 */
static const struct conf_kw kw_table[] = {
	{ "smb listen", KW_GLOBAL, KT_LISTEN, conf_set_listen,
	    offsetof(struct conf, cf_smb_listen), "0.0.0.0:445 [::]:445",
	    KW_MULTI, 0, NULL, "address and port SMB clients connect to",
	    NULL },
	{ "state directory", KW_GLOBAL, KT_PATH, conf_set_path,
	    offsetof(struct conf, cf_state_dir), "/var/lib/smbsrvd",
	    0, 0, NULL, "where the daemon keeps its own files", NULL },
	{ "admin socket", KW_GLOBAL, KT_PATH, conf_set_path,
	    offsetof(struct conf, cf_admin_socket), "smbsrvd.sock",
	    KW_STATEDIR, 0, NULL, "Unix socket of the admin API", NULL },
	{ "admin listen", KW_GLOBAL, KT_ADDR, conf_set_admin_listen,
	    offsetof(struct conf, cf_admin_listen), "",
	    0, 0, NULL, "TCP address of the admin API, empty for none", NULL },
	{ "admin token file", KW_GLOBAL, KT_PATH, conf_set_path,
	    offsetof(struct conf, cf_admin_token_file), "admin.token",
	    KW_STATEDIR, 0, NULL, "bearer token for the TCP admin API", NULL },
	{ "admin tls certificate", KW_GLOBAL, KT_PATH, conf_set_path,
	    offsetof(struct conf, cf_admin_tls_cert), "",
	    KW_OPTIONAL, 0, NULL, "PEM certificate chain: the TCP admin API "
	    "speaks HTTPS, empty for plain HTTP", NULL },
	{ "admin tls key", KW_GLOBAL, KT_PATH, conf_set_path,
	    offsetof(struct conf, cf_admin_tls_key), "",
	    KW_OPTIONAL, 0, NULL, "PEM private key of the admin TLS "
	    "certificate", NULL },
	{ "user database", KW_GLOBAL, KT_PATH, conf_set_path,
	    offsetof(struct conf, cf_user_db), "users.db",
	    KW_STATEDIR, 0, NULL, "user names and NT hashes", NULL },
	{ "pid file", KW_GLOBAL, KT_PATH, conf_set_path,
	    offsetof(struct conf, cf_pid_file), "smbsrvd.pid",
	    KW_STATEDIR, 0, NULL, "process id of the running daemon", NULL },
	{ "log level", KW_GLOBAL, KT_INT, conf_set_number,
	    offsetof(struct conf, cf_log_level), "1",
	    0, 10, NULL, "0 errors, 1 warnings, 2 info, 3 to 10 debug", NULL },
	{ "server min protocol", KW_GLOBAL, KT_ENUM, conf_set_enum,
	    offsetof(struct conf, cf_min_protocol), "SMB2_02",
	    0, 0, NULL, "oldest SMB dialect accepted", protocol_words },
	{ "server max protocol", KW_GLOBAL, KT_ENUM, conf_set_enum,
	    offsetof(struct conf, cf_max_protocol), "SMB3_11",
	    0, 0, NULL, "newest SMB dialect offered", protocol_words },
	{ "server signing", KW_GLOBAL, KT_ENUM, conf_set_enum,
	    offsetof(struct conf, cf_signing_required), "auto",
	    0, 0, NULL, "mandatory: every user session must sign",
	    signing_words },
	{ "smb encrypt", KW_GLOBAL, KT_ENUM, conf_set_enum,
	    offsetof(struct conf, cf_smb_encrypt), "desired",
	    0, 0, NULL, "required: every user session must encrypt (SMB 3)",
	    encrypt_words },
	{ "map to guest", KW_GLOBAL, KT_ENUM, conf_set_enum,
	    offsetof(struct conf, cf_map_to_guest), "never",
	    0, 0, NULL, "bad user: unknown user names log on as guest",
	    guest_words },
	{ "srvsvc pipe", KW_GLOBAL, KT_BOOL, conf_set_bool,
	    offsetof(struct conf, cf_srvsvc_pipe), "yes",
	    0, 0, NULL, "serve MS-SRVS on the IPC$ named pipe srvsvc", NULL },
	{ "admin users", KW_GLOBAL, KT_TEXT, conf_set_text,
	    offsetof(struct conf, cf_admin_users), "",
	    0, 0, NULL, "users the srvsvc pipe treats as administrators",
	    NULL },
	{ "session expiry", KW_GLOBAL, KT_UINT, conf_set_number,
	    offsetof(struct conf, cf_session_expiry), "0",
	    0, 31536000, NULL, "seconds a logon is valid before the client "
	    "must re-authenticate, 0 for never", NULL },
	/*
	 * The timeouts of durable and resilient opens, Windows' values by
	 * default.  "durable timeout" is DurableOpenTimeout when the server
	 * picks it: v1 (3.3.5.9.6 step 6, impl value: 2 min on Windows 8
	 * and later, <335>) and v2 asking for 0 (3.3.5.9.10 step 4, impl
	 * value: 60 s, <344>).  One value serves both: what the client
	 * cannot name is the administrator's, whatever the version, and 60 s
	 * keeps v1 handles of a vanished client no longer than v2 ones.
	 * "durable timeout max" is the ceiling of a v2 request (3.3.5.9.10
	 * step 4: min(Timeout, 300 s), <343>) and of every durable timeout.
	 * "resilient timeout" is ResiliencyTimeout for a Timeout of 0
	 * (3.3.5.15.9 step 4, impl value: 120 s on Windows 8 and later,
	 * <401>); "resilient timeout max" is MaxResiliencyTimeout (3.3.1.5,
	 * 300000 ms, <226>), above which the request is invalid.
	 * global_end() checks each default against its ceiling.
	 */
	{ "durable timeout", KW_GLOBAL, KT_UINT, conf_set_number,
	    offsetof(struct conf, cf_durable_timeout), "60000",
	    0, CONF_TIMEOUT_CEIL, NULL, "milliseconds a durable open waits "
	    "for its client when the client names no time: the default of "
	    "the share keyword", NULL },
	{ "durable timeout max", KW_GLOBAL, KT_UINT, conf_set_number,
	    offsetof(struct conf, cf_durable_timeout_max), "300000",
	    0, CONF_TIMEOUT_CEIL, NULL, "most milliseconds a durable v2 open "
	    "may ask to wait, and the ceiling of every durable timeout", NULL },
	{ "resilient timeout", KW_GLOBAL, KT_UINT, conf_set_number,
	    offsetof(struct conf, cf_resilient_timeout), "120000",
	    0, CONF_TIMEOUT_CEIL, NULL, "milliseconds a resilient open waits "
	    "for its client when the client asks for 0", NULL },
	{ "resilient timeout max", KW_GLOBAL, KT_UINT, conf_set_number,
	    offsetof(struct conf, cf_resilient_timeout_max), "300000",
	    0, CONF_TIMEOUT_CEIL, NULL, "most milliseconds a client may ask a "
	    "resilient open to wait; more is an invalid request", NULL },

	{ "path", KW_SHARE, KT_PATH, conf_set_path,
	    offsetof(struct conf_share, sh_path), NULL,
	    KW_REQUIRED, 0, NULL, "the directory shared", NULL },
	{ "comment", KW_SHARE, KT_TEXT, conf_set_text,
	    offsetof(struct conf_share, sh_comment), "",
	    0, 0, NULL, "description shown to clients", NULL },
	{ "read only", KW_SHARE, KT_BOOL, conf_set_bool,
	    offsetof(struct conf_share, sh_read_only), "yes",
	    0, 0, NULL, "refuse every change to the share", NULL },
	{ "writable", KW_SHARE, KT_BOOL, conf_set_bool,
	    offsetof(struct conf_share, sh_read_only), NULL,
	    KW_INVERT, 0, "read only", "the opposite of read only", NULL },
	{ "writeable", KW_SHARE, KT_BOOL, conf_set_bool,
	    offsetof(struct conf_share, sh_read_only), NULL,
	    KW_INVERT, 0, "read only", "the opposite of read only", NULL },
	{ "guest ok", KW_SHARE, KT_BOOL, conf_set_bool,
	    offsetof(struct conf_share, sh_guest_ok), "no",
	    0, 0, NULL, "allow access without a password", NULL },
	{ "public", KW_SHARE, KT_BOOL, conf_set_bool,
	    offsetof(struct conf_share, sh_guest_ok), NULL,
	    0, 0, "guest ok", "the same as guest ok", NULL },
	{ "max uses", KW_SHARE, KT_UINT, conf_set_number,
	    offsetof(struct conf_share, sh_max_uses), "0",
	    0, 16777215, NULL, "most tree connects at a time, 0 for no limit",
	    NULL },
	{ "smb encrypt", KW_SHARE, KT_ENUM, conf_set_enum,
	    offsetof(struct conf_share, sh_smb_encrypt), "desired",
	    0, 0, NULL, "required: only encrypted SMB 3 sessions connect",
	    encrypt_words },
	{ "durable timeout", KW_SHARE, KT_UINT, conf_set_number,
	    offsetof(struct conf_share, sh_durable_timeout), NULL,
	    KW_INHERIT, CONF_TIMEOUT_CEIL, NULL, "milliseconds a durable open "
	    "waits for its client when the client names no time", NULL },
};
_Static_assert(nitems(kw_table) <= CONF_NKW_MAX, "raise CONF_NKW_MAX");

/* Writes "NAME:LINE: problem" (no LINE if cx_line is 0); returns -1. */
int
conf_error(struct conf_ctx *cx, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (cx->cx_err == NULL || cx->cx_errlen == 0)
		return -1;
	if (cx->cx_line > 0)
		n = snprintf(cx->cx_err, cx->cx_errlen, "%s:%d: ", cx->cx_name,
		    cx->cx_line);
	else
		n = snprintf(cx->cx_err, cx->cx_errlen, "%s: ", cx->cx_name);
	if (n >= 0 && (size_t)n < cx->cx_errlen) {
		va_start(ap, fmt);
		vsnprintf(cx->cx_err + n, cx->cx_errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* "[global]" or "share [NAME]", for messages. */
static const char *
cx_where(const struct conf_ctx *cx, char *buf, size_t len)
{
	if (cx->cx_share == NULL)
		return "[global]";
	snprintf(buf, len, "share [%s]", cx->cx_share->sh_name);
	return buf;
}

/*
 * The row of name in section sec or, if sec has no such keyword, its row in
 * the other section, for the caller to refuse; NULL for an unknown name.
 */
static const struct conf_kw *
kw_lookup(const char *name, enum kw_section sec)
{
	const struct conf_kw *other = NULL;
	size_t i;

	for (i = 0; i < nitems(kw_table); i++) {
		if (strcmp(kw_table[i].kw_name, name) != 0)
			continue;
		if (kw_table[i].kw_section == sec)
			return &kw_table[i];
		if (other == NULL)
			other = &kw_table[i];
	}
	return other;
}

/*
 * Share names as Windows allows them, minus the characters that would
 * break a UNC path or this file's syntax.  Case-insensitive uniqueness is
 * ASCII only.
 */
static int
share_name_check(struct conf_ctx *cx, const char *name)
{
	const unsigned char *p;
	size_t len = strlen(name);
	char buf[CONF_CLIP_MAX];

	if (len == 0)
		return conf_error(cx, "empty share name");
	if (len > CONF_NAME_MAX)
		return conf_error(cx, "share name \"%s\" too long (more than %d "
		    "bytes)", conf_clip(name, buf), CONF_NAME_MAX);
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return conf_error(cx, "share name \"%s\" contains a "
			    "control character", conf_clip(name, buf));
		if (strchr("\\/:*?\"<>|[]", *p) != NULL)
			return conf_error(cx, "share name \"%s\" may not contain "
			    "'%c'", name, *p);
	}
	if (strcasecmp(name, "ipc$") == 0)
		return conf_error(cx, "share name \"%s\" is reserved", name);
	return 0;
}

/* FNV-1a of the name in lower case (ASCII, as strcasecmp() compares). */
static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h = (h ^ c) * 16777619u;
	}
	return h;
}

static void
share_tab_put(struct conf_share **tab, size_t size, struct conf_share *sh)
{
	size_t i = name_hash(sh->sh_name) & (size - 1);

	while (tab[i] != NULL)
		i = (i + 1) & (size - 1);
	tab[i] = sh;
}

/*
 * Adds sh to the index, kept at most half full.  A snapshot never loses a
 * share, so nothing is ever deleted from it.
 */
static int
share_index(struct conf *cf, struct conf_share *sh)
{
	struct conf_share **tab;
	size_t size, i;

	if (((size_t)cf->cf_nshares + 1) * 2 > cf->cf_share_tabsize) {
		size = cf->cf_share_tabsize == 0 ? 16 :
		    cf->cf_share_tabsize * 2;
		if ((tab = calloc(size, sizeof(*tab))) == NULL)
			return -1;
		for (i = 0; i < cf->cf_share_tabsize; i++)
			if (cf->cf_share_tab[i] != NULL)
				share_tab_put(tab, size, cf->cf_share_tab[i]);
		free(cf->cf_share_tab);
		cf->cf_share_tab = tab;
		cf->cf_share_tabsize = size;
	}
	share_tab_put(cf->cf_share_tab, cf->cf_share_tabsize, sh);
	return 0;
}

/* Runs kw's default through its handler. */
static int
set_default(struct conf_ctx *cx, const struct conf_kw *kw, void *obj)
{
	char *val;
	const char *p, *e;
	int rc = 0;

	if (kw->kw_flags & KW_MULTI) {
		for (p = kw->kw_default; rc == 0 && *p != '\0'; p = e) {
			if ((e = strchr(p, ' ')) == NULL)
				e = p + strlen(p);
			if ((val = strndup(p, (size_t)(e - p))) == NULL)
				return conf_error(cx, "out of memory");
			rc = kw->kw_set(cx, kw, obj, val);
			free(val);
			if (*e == ' ')
				e++;
		}
		return rc;
	}
	if (kw->kw_flags & KW_STATEDIR) {
		if (asprintf(&val, "%s/%s", cx->cx_cf->cf_state_dir,
		    kw->kw_default) == -1)
			return conf_error(cx, "out of memory");
		rc = kw->kw_set(cx, kw, obj, val);
		free(val);
		return rc;
	}
	return kw->kw_set(cx, kw, obj, kw->kw_default);
}

/* Fills in every keyword of the section the text left out. */
static int
section_defaults(struct conf_ctx *cx, enum kw_section sec, void *obj)
{
	const struct conf_kw *kw;
	char buf[CONF_NAME_MAX + 16];
	size_t i;

	for (i = 0; i < nitems(kw_table); i++) {
		kw = &kw_table[i];
		if (kw->kw_section != sec || kw->kw_alias != NULL ||
		    cx->cx_seen[i] != 0)
			continue;
		if (kw->kw_flags & KW_REQUIRED)
			return conf_error(cx, "%s has no %s",
			    cx_where(cx, buf, sizeof(buf)), kw->kw_name);
		if (kw->kw_flags & KW_INHERIT) {
			*(unsigned int *)(void *)((char *)obj + kw->kw_off) =
			    KW_INHERIT_UNSET;
			continue;
		}
		if (set_default(cx, kw, obj) == -1)
			return -1;
	}
	return 0;
}

static int
share_end(struct conf_ctx *cx)
{
	if (cx->cx_share == NULL)
		return 0;
	cx->cx_share->sh_durable_line = cx->cx_seen[kw_lookup(
	    "durable timeout", KW_SHARE) - kw_table];
	cx->cx_line = cx->cx_share->sh_line;
	if (section_defaults(cx, KW_SHARE, cx->cx_share) == -1)
		return -1;
	cx->cx_share = NULL;
	return 0;
}

/*
 * The error names the line of "server min protocol" and, in parentheses,
 * that of "server max protocol".  (The defaults are the ends of the range,
 * so today both are set when they conflict.)
 */
static int
protocol_check(struct conf_ctx *cx)
{
	const struct conf *cf = cx->cx_cf;
	const struct conf_kw *min, *max;
	char other[32] = "";
	int maxline;

	if (cf->cf_min_protocol <= cf->cf_max_protocol)
		return 0;
	min = kw_lookup("server min protocol", KW_GLOBAL);
	max = kw_lookup("server max protocol", KW_GLOBAL);
	cx->cx_line = cx->cx_seen[min - kw_table];
	maxline = cx->cx_seen[max - kw_table];
	if (cx->cx_line == 0)
		cx->cx_line = maxline;
	else if (maxline != 0)
		snprintf(other, sizeof(other), " (line %d)", maxline);
	return conf_error(cx, "\"%s\" %s is newer than \"%s\" %s%s",
	    min->kw_name, conf_enum_word(min, cf->cf_min_protocol), max->kw_name,
	    conf_enum_word(max, cf->cf_max_protocol), other);
}

/*
 * A certificate needs its key and the other way round, and both need the
 * TCP listener: the Unix socket is never TLS, and TLS settings that
 * protect nothing are more likely a mistake than a wish.
 */
static int
tlsconf_check(struct conf_ctx *cx)
{
	const struct conf *cf = cx->cx_cf;
	const struct conf_kw *cert, *key;
	int certline, keyline;

	if (cf->cf_admin_tls_cert == NULL && cf->cf_admin_tls_key == NULL)
		return 0;
	cert = kw_lookup("admin tls certificate", KW_GLOBAL);
	key = kw_lookup("admin tls key", KW_GLOBAL);
	certline = cx->cx_seen[cert - kw_table];
	keyline = cx->cx_seen[key - kw_table];
	if (cf->cf_admin_tls_key == NULL) {
		cx->cx_line = certline;
		return conf_error(cx, "\"%s\" needs \"%s\" as well",
		    cert->kw_name, key->kw_name);
	}
	if (cf->cf_admin_tls_cert == NULL) {
		cx->cx_line = keyline;
		return conf_error(cx, "\"%s\" needs \"%s\" as well",
		    key->kw_name, cert->kw_name);
	}
	if (!cf->cf_admin_listen_on) {
		cx->cx_line = certline;
		return conf_error(cx, "\"%s\" is set but \"admin listen\" is "
		    "empty: TLS applies only to the TCP listener",
		    cert->kw_name);
	}
	return 0;
}

/*
 * A global timeout above its ceiling ("durable timeout" above "durable
 * timeout max"): the error names the line of the timeout or, if it was
 * left out, that of the ceiling.
 */
static int
ceiling_check(struct conf_ctx *cx, const char *name, const char *maxname)
{
	const struct conf *cf = cx->cx_cf;
	const struct conf_kw *kw, *max;
	unsigned int v, m;

	kw = kw_lookup(name, KW_GLOBAL);
	max = kw_lookup(maxname, KW_GLOBAL);
	v = *(const unsigned int *)(const void *)((const char *)cf +
	    kw->kw_off);
	m = *(const unsigned int *)(const void *)((const char *)cf +
	    max->kw_off);
	if (v <= m)
		return 0;
	if ((cx->cx_line = cx->cx_seen[kw - kw_table]) == 0)
		cx->cx_line = cx->cx_seen[max - kw_table];
	return conf_error(cx, "\"%s\" %u is above \"%s\" %u", name, v,
	    maxname, m);
}

/* Every durable timeout within "durable timeout max", the shares' too. */
static int
timeout_check(struct conf_ctx *cx)
{
	const struct conf *cf = cx->cx_cf;
	const struct conf_share *sh;

	if (ceiling_check(cx, "durable timeout", "durable timeout max") ==
	    -1 || ceiling_check(cx, "resilient timeout",
	    "resilient timeout max") == -1)
		return -1;
	TAILQ_FOREACH(sh, &cf->cf_shares, sh_entry) {
		if (sh->sh_durable_timeout <= cf->cf_durable_timeout_max)
			continue;
		/* Set in the share: an inherited one passed above. */
		cx->cx_line = sh->sh_durable_line;
		return conf_error(cx, "share [%s]: \"durable timeout\" %u is "
		    "above \"durable timeout max\" %u", sh->sh_name,
		    sh->sh_durable_timeout, cf->cf_durable_timeout_max);
	}
	return 0;
}

/* Share keywords a share left out take the global keyword's value. */
static void
inherit_globals(struct conf *cf)
{
	const struct conf_kw *kw, *g;
	struct conf_share *sh;
	unsigned int *v;
	size_t i;

	for (i = 0; i < nitems(kw_table); i++) {
		kw = &kw_table[i];
		if (kw->kw_section != KW_SHARE || !(kw->kw_flags & KW_INHERIT))
			continue;
		g = kw_lookup(kw->kw_name, KW_GLOBAL);
		TAILQ_FOREACH(sh, &cf->cf_shares, sh_entry) {
			v = (unsigned int *)(void *)((char *)sh + kw->kw_off);
			if (*v == KW_INHERIT_UNSET)
				*v = *(const unsigned int *)(const void *)
				    ((const char *)cf + g->kw_off);
		}
	}
}

/* The global defaults, then the checks that span keywords. */
static int
global_end(struct conf_ctx *cx)
{
	struct conf *cf = cx->cx_cf;
	const struct conf_kw *kw;
	int i;

	/* Only a long "state directory" can make a derived default fail. */
	cx->cx_line = cx->cx_seen[kw_lookup("state directory", KW_GLOBAL) -
	    kw_table];
	if (section_defaults(cx, KW_GLOBAL, cf) == -1)
		return -1;
	inherit_globals(cf);
	if (protocol_check(cx) == -1 || timeout_check(cx) == -1 ||
	    tlsconf_check(cx) == -1)
		return -1;
	if (!cf->cf_admin_listen_on)
		return 0;
	kw = kw_lookup("admin listen", KW_GLOBAL);
	cx->cx_line = cx->cx_seen[kw - kw_table];
	for (i = 0; i < cf->cf_nsmb_listen; i++)
		if (conf_addr_overlap(&cf->cf_admin_listen, &cf->cf_smb_listen[i]))
			return conf_error(cx, "\"%s\": address \"%s\" overlaps "
			    "smb listen \"%s\"", kw->kw_name,
			    cf->cf_admin_listen.ca_text,
			    cf->cf_smb_listen[i].ca_text);
	return 0;
}

static int
section_begin(struct conf_ctx *cx, const char *name)
{
	struct conf *cf = cx->cx_cf;
	const struct conf_share *old;
	struct conf_share *sh;
	int line = cx->cx_line;
	size_t i;

	if (share_end(cx) == -1)
		return -1;
	cx->cx_line = line;
	cx->cx_insection = true;
	if (strcasecmp(name, "global") == 0) {
		if (cx->cx_global_line != 0)
			return conf_error(cx, "duplicate section [global] (first "
			    "on line %d)", cx->cx_global_line);
		cx->cx_global_line = line;
		return 0;
	}
	if (share_name_check(cx, name) == -1)
		return -1;
	if ((old = conf_share_find(cf, name)) != NULL)
		return conf_error(cx, "duplicate share [%s] (first on line %d)",
		    name, old->sh_line);
	if ((sh = calloc(1, sizeof(*sh))) == NULL)
		return conf_error(cx, "out of memory");
	memcpy(sh->sh_name, name, strlen(name) + 1);
	sh->sh_line = line;
	TAILQ_INSERT_TAIL(&cf->cf_shares, sh, sh_entry);
	if (share_index(cf, sh) == -1)
		return conf_error(cx, "out of memory");
	cf->cf_nshares++;
	cx->cx_share = sh;
	for (i = 0; i < nitems(kw_table); i++)
		if (kw_table[i].kw_section == KW_SHARE)
			cx->cx_seen[i] = 0;
	return 0;
}

static int
keyword(struct conf_ctx *cx, const char *key, const char *val)
{
	const struct conf_kw *kw, *canon;
	enum kw_section sec = cx->cx_share != NULL ? KW_SHARE : KW_GLOBAL;
	char where[CONF_NAME_MAX + 16], buf[CONF_CLIP_MAX];
	size_t ci;

	if (!cx->cx_insection)
		return conf_error(cx, "keyword \"%s\" before the first section",
		    conf_clip(key, buf));
	if ((kw = kw_lookup(key, sec)) == NULL)
		return conf_error(cx, "unknown keyword \"%s\" in %s",
		    conf_clip(key, buf), cx_where(cx, where, sizeof(where)));
	if (kw->kw_section != sec)
		return conf_error(cx, "\"%s\" is a %s keyword, not allowed in %s",
		    kw->kw_name, kw->kw_section == KW_SHARE ? "share" :
		    "global", cx_where(cx, where, sizeof(where)));
	canon = kw->kw_alias != NULL ?
	    kw_lookup(kw->kw_alias, kw->kw_section) : kw;
	ci = (size_t)(canon - kw_table);
	if (cx->cx_seen[ci] != 0 && !(canon->kw_flags & KW_MULTI)) {
		if (kw == canon)
			return conf_error(cx, "duplicate keyword \"%s\" in %s "
			    "(first on line %d)", kw->kw_name,
			    cx_where(cx, where, sizeof(where)),
			    cx->cx_seen[ci]);
		return conf_error(cx, "\"%s\" sets \"%s\" again in %s (first on "
		    "line %d)", kw->kw_name, canon->kw_name,
		    cx_where(cx, where, sizeof(where)), cx->cx_seen[ci]);
	}
	if (strlen(val) > CONF_VALUE_MAX)
		return conf_error(cx, "\"%s\": value too long (more than %d "
		    "bytes)", kw->kw_name, CONF_VALUE_MAX);
	if (val[0] == '\0' && kw->kw_type != KT_TEXT &&
	    kw->kw_type != KT_ADDR && !(kw->kw_flags & KW_OPTIONAL))
		return conf_error(cx, "\"%s\": missing value", kw->kw_name);
	cx->cx_seen[ci] = cx->cx_line;
	return kw->kw_set(cx, kw, sec == KW_SHARE ? (void *)cx->cx_share :
	    (void *)cx->cx_cf, val);
}

struct conf *
conf_parse(const char *buf, size_t len, const char *name,
    const char *basedir, char *err, size_t errlen)
{
	struct conf_ctx cx;
	struct conf_parser *cp = NULL;
	struct conf *cf = NULL;
	enum conf_tok tok;
	int rc = 0;

	memset(&cx, 0, sizeof(cx));
	cx.cx_name = name != NULL ? name : "(config)";
	cx.cx_basedir = basedir;
	cx.cx_err = err;
	cx.cx_errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (basedir == NULL || basedir[0] != '/') {
		conf_error(&cx, "base directory is not absolute");
		return NULL;
	}
	if (len > CONF_FILE_MAX) {
		conf_error(&cx, "too large (more than %d bytes)", CONF_FILE_MAX);
		return NULL;
	}
	/* The parser holds a whole line: too big for some stacks. */
	if ((cp = malloc(sizeof(*cp))) == NULL ||
	    (cf = calloc(1, sizeof(*cf))) == NULL) {
		conf_error(&cx, "out of memory");
		goto fail;
	}
	TAILQ_INIT(&cf->cf_shares);
	cx.cx_cf = cf;
	conf_parse_init(cp, buf, len);
	while (rc == 0 && (tok = conf_parse_next(cp)) != CONF_TOK_END) {
		cx.cx_line = cp->cp_line;
		if (tok == CONF_TOK_ERROR)
			rc = conf_error(&cx, "%s", cp->cp_err);
		else if (tok == CONF_TOK_SECTION)
			rc = section_begin(&cx, cp->cp_name);
		else
			rc = keyword(&cx, cp->cp_name, cp->cp_value);
	}
	if (rc == -1 || share_end(&cx) == -1 || global_end(&cx) == -1)
		goto fail;
	free(cp);
	return cf;
fail:
	free(cp);
	conf_free(cf);
	return NULL;
}

static void	load_error(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
load_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

struct conf *
conf_load(const char *path, char *err, size_t errlen)
{
	char cwd[PATH_MAX], *abs = NULL, *dir = NULL, *buf = NULL, *slash;
	struct conf *cf = NULL;
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd = -1;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((path == NULL || path[0] != '/') &&
	    getcwd(cwd, sizeof(cwd)) == NULL) {
		load_error(err, errlen, "%s: cannot get the current directory: "
		    "%s", path != NULL ? path : "(default)", strerror(errno));
		return NULL;
	}
	if (path == NULL)
		return conf_parse(conf_default_text, strlen(conf_default_text),
		    "(default)", cwd, err, errlen);

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1) {
		load_error(err, errlen, "%s: cannot open: %s", path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		load_error(err, errlen, "%s: cannot stat: %s", path,
		    strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		load_error(err, errlen, "%s: not a regular file", path);
		goto done;
	}
	if (st.st_size > CONF_FILE_MAX) {
		load_error(err, errlen, "%s: too large (more than %d bytes)",
		    path, CONF_FILE_MAX);
		goto done;
	}
	/* One byte more than allowed, to notice a file that grew. */
	if ((buf = malloc(CONF_FILE_MAX + 1)) == NULL) {
		load_error(err, errlen, "%s: out of memory", path);
		goto done;
	}
	while (len < CONF_FILE_MAX + 1) {
		if ((n = read(fd, buf + len, CONF_FILE_MAX + 1 - len)) == -1) {
			if (errno == EINTR)
				continue;
			load_error(err, errlen, "%s: cannot read: %s", path,
			    strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if ((abs = conf_path_resolve(cwd, path)) == NULL ||
	    (dir = strdup(abs)) == NULL) {
		load_error(err, errlen, "%s: out of memory", path);
		goto done;
	}
	slash = strrchr(dir, '/');
	slash[slash == dir ? 1 : 0] = '\0';
	if ((cf = conf_parse(buf, len, path, dir, err, errlen)) != NULL) {
		cf->cf_file = abs;
		abs = NULL;
	}
done:
	close(fd);
	free(buf);
	free(abs);
	free(dir);
	return cf;
}

void
conf_free(struct conf *cf)
{
	struct conf_share *sh, *tmp;

	if (cf == NULL)
		return;
	TAILQ_FOREACH_SAFE(sh, &cf->cf_shares, sh_entry, tmp) {
		TAILQ_REMOVE(&cf->cf_shares, sh, sh_entry);
		free(sh->sh_path);
		free(sh->sh_comment);
		free(sh);
	}
	free(cf->cf_share_tab);
	free(cf->cf_file);
	free(cf->cf_state_dir);
	free(cf->cf_admin_socket);
	free(cf->cf_admin_token_file);
	free(cf->cf_admin_tls_cert);
	free(cf->cf_admin_tls_key);
	free(cf->cf_user_db);
	free(cf->cf_pid_file);
	free(cf->cf_admin_users);
	free(cf);
}

const struct conf_share *
conf_share_find(const struct conf *cf, const char *name)
{
	const struct conf_share *sh;
	size_t mask, i;

	if (cf == NULL || name == NULL || cf->cf_share_tabsize == 0)
		return NULL;
	mask = cf->cf_share_tabsize - 1;
	for (i = name_hash(name) & mask; (sh = cf->cf_share_tab[i]) != NULL;
	    i = (i + 1) & mask)
		if (strcasecmp(sh->sh_name, name) == 0)
			return sh;
	return NULL;
}

/* An empty value prints as "key =", without a trailing blank. */
static void
print_pair(FILE *fp, const char *key, const char *val)
{
	fprintf(fp, "\t%s =%s%s\n", key, val[0] != '\0' ? " " : "", val);
}

/* -1 (EINVAL) for a KT_ENUM value without a word: not from conf_parse(). */
static int
print_kw(FILE *fp, const struct conf_kw *kw, const void *obj)
{
	const struct conf *cf = obj;
	const void *m = (const char *)obj + kw->kw_off;
	const char *word;
	char num[32];
	int i;

	switch (kw->kw_type) {
	case KT_LISTEN:
		for (i = 0; i < cf->cf_nsmb_listen; i++)
			print_pair(fp, kw->kw_name,
			    cf->cf_smb_listen[i].ca_text);
		break;
	case KT_ADDR:
		print_pair(fp, kw->kw_name, cf->cf_admin_listen_on ?
		    cf->cf_admin_listen.ca_text : "");
		break;
	case KT_PATH:
	case KT_TEXT:
		/* Only a KW_OPTIONAL path is ever NULL. */
		print_pair(fp, kw->kw_name, *(char *const *)m != NULL ?
		    *(char *const *)m : "");
		break;
	case KT_BOOL:
		print_pair(fp, kw->kw_name, *(const bool *)m ? "yes" : "no");
		break;
	case KT_INT:
		snprintf(num, sizeof(num), "%d", *(const int *)m);
		print_pair(fp, kw->kw_name, num);
		break;
	case KT_UINT:
		snprintf(num, sizeof(num), "%u", *(const unsigned int *)m);
		print_pair(fp, kw->kw_name, num);
		break;
	case KT_ENUM:
		if ((word = conf_enum_word(kw, *(const int *)m)) == NULL) {
			errno = EINVAL;
			return -1;
		}
		print_pair(fp, kw->kw_name, word);
		break;
	}
	return 0;
}

int
conf_print(FILE *fp, const struct conf *cf)
{
	const struct conf_share *sh;
	size_t i;

	fputs("[global]\n", fp);
	for (i = 0; i < nitems(kw_table); i++)
		if (kw_table[i].kw_section == KW_GLOBAL &&
		    kw_table[i].kw_alias == NULL &&
		    print_kw(fp, &kw_table[i], cf) == -1)
			return -1;
	TAILQ_FOREACH(sh, &cf->cf_shares, sh_entry) {
		fprintf(fp, "\n[%s]\n", sh->sh_name);
		for (i = 0; i < nitems(kw_table); i++)
			if (kw_table[i].kw_section == KW_SHARE &&
			    kw_table[i].kw_alias == NULL &&
			    print_kw(fp, &kw_table[i], sh) == -1)
				return -1;
	}
	return ferror(fp) ? -1 : 0;
}
