/*
 * events.h — the event ring: what happened to the server's objects, in
 * the order it happened (DESIGN.md, "Events").
 *
 * Every registration and deregistration of a session, tree connect or
 * open (srvs.c, through admin.c) and every administrator action (admin.c)
 * appends one record.  Records live in a ring of EVENTS_RING slots.  seq
 * starts at 1 and has no gaps, so a reader that asks for "everything after
 * N" learns exactly how many records it missed once the ring has moved on
 * past N.  Records are copies: they name objects by global id, never by
 * pointer, and outlive the objects they name.
 *
 * Subscribers (the REST API's event streams) are told the newest seq from
 * the loop's before-sleep pass, never from inside events_append(): an
 * append happens deep inside the protocol, where calling out is unsafe.
 * Everything here runs on the loop thread.
 */
#ifndef SMBSRVD_EVENTS_H
#define SMBSRVD_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "queue.h"

#define EVENTS_RING		4096	/* records kept */
#define EVENT_SHARE_LEN		81	/* CONF_NAME_MAX + 1 */
#define EVENT_USER_LEN		257	/* longer names are cut (UTF-8 safe) */
#define EVENT_CLIENT_LEN	64
#define EVENT_PATH_LEN		512
#define EVENT_BY_LEN		96

/* The wire names are in events_type_name(); append only, never reorder. */
enum event_type {
	EV_NONE,
	EV_SESSION_REGISTERED,		/* MS-SRVS 3.1.6.2 */
	EV_SESSION_DEREGISTERED,	/* 3.1.6.3 */
	EV_TREE_REGISTERED,		/* 3.1.6.6 */
	EV_TREE_DEREGISTERED,		/* 3.1.6.7 */
	EV_OPEN_REGISTERED,		/* 3.1.6.4 */
	EV_OPEN_CLOSED,			/* 3.1.6.5 */
	EV_ADMIN_SESSION_CLOSED,
	EV_ADMIN_TREE_CLOSED,
	EV_ADMIN_OPEN_CLOSED,
	EV_ADMIN_CONN_DROPPED,
	EV_SERVER_RELOADED,
	EV_OPEN_EXPIRED,		/* MS-SMB2 3.3.2.2, 3.3.2.4 */
	EV_ADMIN_SHARE_ADDED,
	EV_ADMIN_SHARE_CHANGED,
	EV_ADMIN_SHARE_REMOVED,
	EV_ADMIN_USER_ADDED,
	EV_ADMIN_USER_CHANGED,
	EV_ADMIN_USER_REMOVED,
	EV_ADMIN_OPEN_EXTENDED,
	EV_NTYPES
};

/*
 * One record.  Ids are global ids (SessionGlobalId, TreeGlobalId,
 * FileGlobalId, the connection id); 0 means "not concerned".  Strings are
 * "" when unknown or not concerned.
 */
struct event {
	uint64_t	ev_seq;
	struct timespec	ev_time;	/* wall clock */
	enum event_type	ev_type;
	uint64_t	ev_session;
	uint64_t	ev_tree;
	uint64_t	ev_open;
	uint64_t	ev_conn;
	char		ev_share[EVENT_SHARE_LEN];
	char		ev_user[EVENT_USER_LEN];
	char		ev_client[EVENT_CLIENT_LEN];
	char		ev_path[EVENT_PATH_LEN];
	char		ev_by[EVENT_BY_LEN];	/* admin actions: who asked */
};

/* Called with the newest seq; may unsubscribe itself, nothing else. */
typedef void	(*events_fn)(uint64_t last_seq, void *);

struct events_sub {
	TAILQ_ENTRY(events_sub)	 es_entry;
	events_fn		 es_fn;
	void			*es_arg;
	uint64_t		 es_types;	/* 1 << event_type; 0: all */
	uint64_t		 es_pending;	/* types seen since last call */
	bool			 es_on;
};

/*
 * Appends a copy of ev, giving it the next seq and the current time;
 * returns that seq.  Never fails: the oldest record makes room.
 */
uint64_t	 events_append(const struct event *);
/* The newest seq handed out, 0 before the first append. */
uint64_t	 events_last_seq(void);
/* The oldest seq still held; events_last_seq() + 1 when none is. */
uint64_t	 events_first_seq(void);
/*
 * Calls fn with each record newer than seq, oldest first, until fn
 * returns non-zero.  Returns how many records newer than seq the ring no
 * longer holds: 0 when the reader has kept up.
 */
uint64_t	 events_since(uint64_t seq,
		    int (*fn)(const struct event *, void *), void *arg);
/*
 * Lets fn complete a record that is still held (admin.c fills in a tree
 * connect's session once it knows it, before anything reads the record).
 * 0, or -1 if the record has left the ring.
 */
int		 events_amend(uint64_t seq, void (*fn)(struct event *, void *),
		    void *arg);
/* "session.registered" ...; NULL for a type out of range. */
const char	*events_type_name(enum event_type);
/* The type of a wire name, EV_NONE if unknown. */
enum event_type	 events_type_lookup(const char *);

/* types: a mask of 1 << enum event_type, 0 for every type. */
void		 events_subscribe(struct events_sub *, uint64_t types,
		    events_fn, void *);
void		 events_unsubscribe(struct events_sub *);

/* Forgets every record and starts seq at 1 again (tests, start-up). */
void		 events_clear(void);

#endif
