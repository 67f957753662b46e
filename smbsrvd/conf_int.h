/*
 * conf_int.h — what conf.c (the keyword table, sections, checks across
 * keywords, printing) and conf_value.c (one keyword's value: checked,
 * converted, stored) share.  Nothing else includes it.
 */
#ifndef SMBSRVD_CONF_INT_H
#define SMBSRVD_CONF_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

enum kw_section { KW_GLOBAL, KW_SHARE };
enum kw_type {
	KT_LISTEN, KT_ADDR, KT_PATH, KT_TEXT, KT_BOOL, KT_INT, KT_UINT, KT_ENUM
};

/*
 * One accepted word of a KT_ENUM keyword, lower case but for the protocol
 * names as smb.conf spells them.  Of the words with the same value the
 * first is the canonical one.
 */
struct conf_word {
	const char	*cw_word;
	int		 cw_value;
};

#define KW_MULTI	0x01	/* repeats; the default is a list */
#define KW_REQUIRED	0x02	/* no default: the section must set it */
#define KW_STATEDIR	0x04	/* the default is under "state directory" */
#define KW_INVERT	0x08	/* boolean alias meaning the opposite */
/*
 * A share keyword (KT_UINT) whose default is the value of the global
 * keyword of the same name; resolved at global_end(), since [global]
 * may come after the shares or not at all.
 */
#define KW_INHERIT	0x10
#define KW_INHERIT_UNSET	UINT_MAX
/* KT_PATH that may be empty, meaning none (NULL); the default is empty. */
#define KW_OPTIONAL	0x20

struct conf_ctx;
struct conf_kw;
typedef int	(*conf_set_fn)(struct conf_ctx *, const struct conf_kw *,
		    void *, const char *);

struct conf_kw {
	const char	*kw_name;	/* normalized: lower case, one space */
	enum kw_section	 kw_section;
	enum kw_type	 kw_type;
	conf_set_fn	 kw_set;
	size_t		 kw_off;	/* the member in conf or conf_share */
	const char	*kw_default;	/* NULL: see kw_flags or kw_alias */
	int		 kw_flags;
	unsigned long	 kw_max;	/* integers run from 0 to kw_max */
	const char	*kw_alias;	/* the keyword this is a name for */
	const char	*kw_desc;
	const struct conf_word *kw_words;	/* KT_ENUM: ends with NULL */
};

/* Rows kw_table may have; conf.c asserts it at compile time. */
#define CONF_NKW_MAX	96

/* The state of one conf_parse() call. */
struct conf_ctx {
	struct conf		*cx_cf;
	const char		*cx_name;	/* labels errors */
	const char		*cx_basedir;	/* absolute */
	char			*cx_err;
	size_t			 cx_errlen;
	int			 cx_line;	/* 0: the error has no line */
	bool			 cx_insection;
	struct conf_share	*cx_share;	/* NULL: in [global] */
	int			 cx_global_line;
	int			 cx_seen[CONF_NKW_MAX];	/* kw_table row: on line N */
	int			 cx_listen_line[CONF_MAX_LISTEN];
};

/* conf.c */
/* Writes "NAME:LINE: problem" (no LINE if cx_line is 0); returns -1. */
int		 conf_error(struct conf_ctx *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* conf_value.c: the kw_set handlers of kw_table's rows, 0 or -1. */
int		 conf_set_listen(struct conf_ctx *, const struct conf_kw *,
		    void *, const char *);
int		 conf_set_admin_listen(struct conf_ctx *,
		    const struct conf_kw *, void *, const char *);
int		 conf_set_path(struct conf_ctx *, const struct conf_kw *,
		    void *, const char *);
int		 conf_set_text(struct conf_ctx *, const struct conf_kw *,
		    void *, const char *);
int		 conf_set_bool(struct conf_ctx *, const struct conf_kw *,
		    void *, const char *);
int		 conf_set_number(struct conf_ctx *, const struct conf_kw *,
		    void *, const char *);
int		 conf_set_enum(struct conf_ctx *, const struct conf_kw *,
		    void *, const char *);
/* s, or its first bytes and "..." in buf (CONF_CLIP_MAX) if too long. */
#define CONF_CLIP_MAX	56
const char	*conf_clip(const char *s, char *buf);
/* val made absolute against base and normalized; malloc'd, or NULL. */
char		*conf_path_resolve(const char *base, const char *val);
/* The canonical word of value v of a KT_ENUM keyword. */
const char	*conf_enum_word(const struct conf_kw *, int v);
/* Could the two addresses take the same connection? */
bool		 conf_addr_overlap(const struct conf_addr *,
		    const struct conf_addr *);

#endif
