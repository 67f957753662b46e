/*
 * conf.h — the configuration snapshot.
 *
 * A struct conf is parsed whole from smbsrvd.conf (or from the embedded
 * default), validated whole, and then swapped in; nothing edits a snapshot
 * that is in use.  Keywords are rows of one table in conf.c, named as
 * administrators know them from smb.conf.  Relative paths are resolved
 * against the folder of the config file (the current directory for the
 * embedded default) when the snapshot is built, so every path in a struct
 * conf is absolute.
 */
#ifndef SMBSRVD_CONF_H
#define SMBSRVD_CONF_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

#include "queue.h"

#define CONF_NAME_MAX	80	/* share name, bytes of UTF-8 */
#define CONF_MAX_LISTEN	16
#define CONF_FILE_MAX	(1024 * 1024)	/* bytes of a config file */
#define CONF_LINE_MAX	4096	/* bytes of a line, continuations joined */
/*
 * Bytes of a value, and of a path once made absolute: short enough that
 * conf_print() writes every "key = value" within CONF_LINE_MAX.
 */
#define CONF_VALUE_MAX	4000
/*
 * The longest a client may be promised to have an open kept for it, in
 * ms: an hour ("durable timeout max", "resilient timeout max").  Windows
 * keeps a durable handle 16 minutes at the most (MS-SMB2 <335>).
 */
#define CONF_TIMEOUT_CEIL	3600000

struct conf_addr {
	char			 ca_text[80];	/* normalized: "[::1]:4445" */
	struct sockaddr_storage	 ca_ss;
	socklen_t		 ca_sslen;
};

/* "smb encrypt" values (smb.conf names). */
enum {
	CONF_ENCRYPT_OFF = 0,
	CONF_ENCRYPT_DESIRED = 1,
	CONF_ENCRYPT_REQUIRED = 2
};

struct conf_share {
	TAILQ_ENTRY(conf_share)	 sh_entry;
	char			 sh_name[CONF_NAME_MAX + 1];
	char			*sh_path;	/* absolute */
	char			*sh_comment;	/* never NULL */
	bool			 sh_read_only;
	bool			 sh_guest_ok;
	unsigned int		 sh_max_uses;	/* 0 = unlimited */
	int			 sh_smb_encrypt;	/* CONF_ENCRYPT_* */
	unsigned int		 sh_durable_timeout;	/* ms */
	int			 sh_line;	/* where its section began */
	int			 sh_durable_line; /* its durable timeout, 0 inherited */
};
TAILQ_HEAD(conf_shares, conf_share);

struct conf {
	char			*cf_file;	/* absolute, NULL = embedded */
	struct conf_addr	 cf_smb_listen[CONF_MAX_LISTEN];
	int			 cf_nsmb_listen;
	char			*cf_state_dir;
	char			*cf_admin_socket;
	struct conf_addr	 cf_admin_listen;
	bool			 cf_admin_listen_on;	/* false: no TCP */
	char			*cf_admin_token_file;
	/* PEM files for TLS on the TCP listener; both NULL: plain HTTP. */
	char			*cf_admin_tls_cert;
	char			*cf_admin_tls_key;
	char			*cf_user_db;
	char			*cf_pid_file;
	int			 cf_log_level;
	int			 cf_min_protocol;	/* dialect: 0x0202... */
	int			 cf_max_protocol;	/* ...0x0311 */
	int			 cf_signing_required;	/* "server signing" */
	int			 cf_smb_encrypt;	/* CONF_ENCRYPT_* */
	int			 cf_map_to_guest;	/* "bad user" = 1 */
	bool			 cf_srvsvc_pipe;	/* serve \PIPE\srvsvc */
	char			*cf_admin_users;	/* names, blank/comma */
	unsigned int		 cf_session_expiry;	/* seconds, 0 never */
	/*
	 * Timeouts, in ms (conf.c's kw_table says which section of MS-SMB2
	 * each comes from): DurableOpenTimeout when the client names none;
	 * the ceiling of a v2 request and of every durable timeout; the
	 * ResiliencyTimeout for a Timeout of 0; MaxResiliencyTimeout.
	 */
	unsigned int		 cf_durable_timeout;
	unsigned int		 cf_durable_timeout_max;
	unsigned int		 cf_resilient_timeout;
	unsigned int		 cf_resilient_timeout_max;
	struct conf_shares	 cf_shares;
	int			 cf_nshares;
	/*
	 * conf_share_find()'s index (open addressing, a power of 2), filled
	 * by conf_parse(): a conf built by hand finds no share.
	 */
	struct conf_share	**cf_share_tab;
	size_t			 cf_share_tabsize;
};

/* The embedded default configuration, as text (shown by smbsrvd -nv). */
extern const char conf_default_text[];

/*
 * Parses and validates a config file (path NULL: the embedded default).
 * On error returns NULL and writes "FILE:LINE: problem" into err.
 */
struct conf	*conf_load(const char *path, char *err, size_t errlen);
/* The same from a buffer; name labels errors, basedir resolves relative
 * paths (must be absolute). */
struct conf	*conf_parse(const char *buf, size_t len, const char *name,
		    const char *basedir, char *err, size_t errlen);
void		 conf_free(struct conf *);
const struct conf_share *conf_share_find(const struct conf *, const char *);
/*
 * Writes the snapshot in normalized form; the output parses again to an
 * equal snapshot.  Returns -1 on a write error, and with errno EINVAL for
 * a value no word names ("smb encrypt" = 7), which only a conf not built by
 * conf_parse() can hold.
 */
int		 conf_print(FILE *, const struct conf *);

/*
 * Internal to conf.c and conf_parse.c: the line reader.  It checks the
 * bytes (valid UTF-8, no NUL or other control character, line lengths),
 * skips comments and blank lines, joins continuation lines, and hands back
 * one section header or one "key = value" pair at a time, the key in
 * normalized form (lower case, single spaces).
 */
enum conf_tok {
	CONF_TOK_END,
	CONF_TOK_SECTION,	/* cp_name */
	CONF_TOK_PAIR,		/* cp_name = cp_value */
	CONF_TOK_ERROR		/* cp_err */
};

struct conf_parser {
	const char	*cp_buf;
	size_t		 cp_len;
	size_t		 cp_off;
	int		 cp_lineno;	/* physical lines read so far */
	int		 cp_line;	/* where the token or the error is */
	const char	*cp_name;	/* point into cp_text */
	const char	*cp_value;
	char		 cp_err[128];
	char		 cp_text[CONF_LINE_MAX + 1];
};

void		 conf_parse_init(struct conf_parser *, const char *, size_t);
enum conf_tok	 conf_parse_next(struct conf_parser *);

#endif
