/*
 * admin_int.h — what admin.c shares with the other admin_*.c files
 * (admin_share.c, admin_user.c, admin_scav.c).  Not for the management
 * plane: it uses admin.h only.
 */
#ifndef SMBSRVD_ADMIN_INT_H
#define SMBSRVD_ADMIN_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct ofile;
struct share;

/* The open with this FileGlobalId unless closed, else NULL. */
struct ofile	*admin_open_lookup(uint64_t id);
/* snprintf("%s") that never cuts a UTF-8 sequence; NULL is "". */
void		 admin_copy(char *dst, size_t size, const char *src);
/* The wall clock time of a clock_mono_ms() stamp. */
void		 admin_mono_to_real(uint64_t mono_ms, struct timespec *);
/* MS-SRVS 2.2.2.4 type of a share. */
uint32_t	 admin_share_stype(const struct share *);

#endif
