/*
 * listen.h — the SMB listening sockets.
 *
 * One listener per "smb listen" address.  A reload keeps the listeners
 * whose address is unchanged (their sockets stay open, no connection is
 * refused during the reload), closes the ones no longer named and opens
 * the new ones.
 */
#ifndef SMBSRVD_LISTEN_H
#define SMBSRVD_LISTEN_H

#include "conf.h"
#include "loop.h"
#include "queue.h"

#define LISTEN_MAX_CONNS	4096

struct listener {
	LIST_ENTRY(listener)	 l_entry;
	struct conf_addr	 l_addr;
	int			 l_fd;
	struct loop_io		 l_io;
	struct timer		 l_pause;	/* out of descriptors */
	bool			 l_keep;	/* reconcile mark */
};

/* Opens the listeners conf names and closes the others; 0 or -1. */
int	listen_apply(const struct conf *);
void	listen_close_all(void);

#endif
