/*
 * admin_int.h — what admin.c shares with the other admin_*.c files
 * (admin_record.c, admin_share.c, admin_user.c, admin_scav.c).  Not for the management
 * plane: it uses admin.h only.
 */
#ifndef SMBSRVD_ADMIN_INT_H
#define SMBSRVD_ADMIN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct admin_conn;
struct admin_open;
struct admin_open_filter;
struct admin_session;
struct admin_session_filter;
struct admin_tree;
struct admin_tree_filter;
struct conn;
struct ofile;
struct session;
struct share;
struct tree;

/* The open with this FileGlobalId unless closed, else NULL. */
struct ofile	*admin_open_lookup(uint64_t id);
/* snprintf("%s") that never cuts a UTF-8 sequence; NULL is "". */
void		 admin_copy(char *dst, size_t size, const char *src);
/* The wall clock time of a clock_mono_ms() stamp. */
void		 admin_mono_to_real(uint64_t mono_ms, struct timespec *);
/* Index of a dialect in admin_dialect_name()'s table; unknown last. */
int		 admin_dialect_index(uint16_t dialect);

/* admin_record.c: an object's admin record, and the listing filters. */
/* MS-SRVS 2.2.2.4 type of a share. */
uint32_t	 admin_share_stype(const struct share *);
void		 admin_fill_conn(const struct conn *, struct admin_conn *);
void		 admin_fill_session(const struct session *,
		    struct admin_session *);
void		 admin_fill_tree(const struct tree *, struct admin_tree *);
void		 admin_fill_open(const struct ofile *, struct admin_open *);
/* A NULL filter matches everything. */
bool		 admin_session_match(const struct admin_session_filter *,
		    const struct session *);
bool		 admin_tree_match(const struct admin_tree_filter *,
		    const struct tree *);
/* path: the filter's prefix after admin_path_norm(), or NULL. */
bool		 admin_open_match(const struct admin_open_filter *,
		    const char *path, const struct ofile *);
/* "\dir\", "/dir" as an administrator types it to "dir". */
void		 admin_path_norm(const char *in, char *out, size_t len);

#endif
