/*
 * notify.c — inotify watches for CHANGE_NOTIFY (see notify.h).
 *
 * Three kinds of object:
 *   struct notify_wd     one inotify watch descriptor, in a hash table by
 *                        its number; exists while a link uses it.
 *   struct notify_link   one directory of one watch: the descriptor and
 *                        the directory's path relative to the watch.
 *   struct notify_watch  one open's watch: its links, filter and the
 *                        changes recorded so far.
 * A link is on two lists, its descriptor's (nd_links) and its watch's
 * (nw_links).  Freeing the last link of a descriptor removes the inotify
 * watch (inotify_rm_watch); the kernel's IN_IGNORED for a directory gone
 * frees the links it still has.  notify_watch_free() frees its links.
 *
 * Watches are added by path, and the path is "/proc/self/fd/N" for a
 * descriptor of exactly the directory meant, opened beneath the open's
 * own descriptor by vfs_open() (openat2 RESOLVE_BENEATH, O_NOFOLLOW): no
 * name a client chose is ever resolved from "/", and a symbolic link is
 * never watched through.
 *
 * Renames: inotify reports IN_MOVED_FROM and IN_MOVED_TO with one cookie.
 * The FROM is held until the next event; a TO with its cookie for the
 * same directory makes a rename pair, anything else releases it as a
 * name that left (a TO alone is a name that arrived).  The kernel queues
 * the two halves together, so only a reader racing another process's
 * rename can see them apart: then the client gets REMOVED and ADDED.
 */
#include <sys/epoll.h>
#include <sys/inotify.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "notify.h"
#include "ntstatus.h"
#include "queue.h"
#include "ucs2.h"
#include "vfs.h"

#define NOTIFY_WD_BUCKETS	256	/* power of two */
/* FILE_NOTIFY_INFORMATION before FileName. */
#define NOTIFY_ENTRY_LEN	12

/*
 * What every directory is watched for.  IN_EXCL_UNLINK: no events for a
 * file still open after its name is gone (a delete-on-close file's last
 * close comes after its unlink).  IN_ONLYDIR: the descriptor may have
 * been swapped for something else between open and watch.  Not
 * IN_CLOSE_WRITE: every file CREATE opens read-write, so each close
 * would be a MODIFIED that Windows does not send (smbtorture
 * smb2.notify.mask); writes through a shared mapping go unseen instead.
 */
#define NOTIFY_MASK	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | \
			 IN_MOVED_TO | IN_MODIFY | IN_ATTRIB | \
			 IN_ONLYDIR | IN_EXCL_UNLINK)

struct notify_watch;

struct notify_wd {
	LIST_ENTRY(notify_wd)	 nd_entry;	/* the hash table */
	int			 nd_wd;
	LIST_HEAD(, notify_link) nd_links;
};

struct notify_link {
	LIST_ENTRY(notify_link)	 nl_wd_entry;	/* nd_links */
	TAILQ_ENTRY(notify_link) nl_watch_entry; /* nw_links */
	struct notify_wd	*nl_wd;
	struct notify_watch	*nl_watch;
	char			*nl_rel;	/* "" for the top */
};

struct notify_watch {
	TAILQ_ENTRY(notify_watch) nw_entry;	/* notify_watches */
	TAILQ_HEAD(, notify_link) nw_links;
	size_t			 nw_nlinks;
	int			 nw_dirfd;	/* borrowed */
	bool			 nw_tree;
	bool			 nw_capped;	/* NOTIFY_TREE_MAX reached */
	uint32_t		 nw_filter;
	uint32_t		 nw_max;
	struct notify_change	*nw_changes;
	size_t			 nw_nchanges, nw_cap;
	size_t			 nw_size;	/* all entries, padded */
	bool			 nw_lost;	/* answer NOTIFY_ENUM_DIR */
	notify_fn		 nw_fn;
	void			*nw_arg;
};

/* A change seen by one link's watch, with its path from the watch. */
struct notify_target {
	struct notify_watch	*nt_watch;
	char			*nt_path;
	char			*nt_path2;	/* rename: the new name */
};

static int	 in_fd = -1;
static struct loop_io in_io;
static bool	 in_polling;
static bool	 in_full_logged;
static LIST_HEAD(, notify_wd) wd_tab[NOTIFY_WD_BUCKETS];
static TAILQ_HEAD(, notify_watch) notify_watches =
    TAILQ_HEAD_INITIALIZER(notify_watches);

/* The IN_MOVED_FROM waiting for its IN_MOVED_TO. */
static struct {
	bool		 have;
	int		 wd;
	uint32_t	 mask;
	uint32_t	 cookie;
	char		 name[NAME_MAX + 1];
} held;

static void	notify_io_cb(struct loop_io *, uint32_t, void *);

/* ---- the pure part: events to changes, changes to bytes ---- */

bool
notify_map(uint32_t mask, bool paired, uint32_t *action, uint32_t *filter)
{
	uint32_t name = (mask & IN_ISDIR) ? FILE_NOTIFY_CHANGE_DIR_NAME :
	    FILE_NOTIFY_CHANGE_FILE_NAME;

	*action = 0;
	*filter = 0;
	if (mask & (IN_IGNORED | IN_Q_OVERFLOW | IN_UNMOUNT))
		return false;
	if (mask & IN_CREATE) {
		*action = FILE_ACTION_ADDED;
		*filter = name;
	} else if (mask & IN_DELETE) {
		*action = FILE_ACTION_REMOVED;
		*filter = name;
	} else if (mask & IN_MOVED_FROM) {
		*action = paired ? FILE_ACTION_RENAMED_OLD_NAME :
		    FILE_ACTION_REMOVED;
		*filter = name;
	} else if (mask & IN_MOVED_TO) {
		*action = paired ? FILE_ACTION_RENAMED_NEW_NAME :
		    FILE_ACTION_ADDED;
		*filter = name;
	} else if (mask & IN_MODIFY) {
		/* Data written: the size may change, the write time does. */
		*action = FILE_ACTION_MODIFIED;
		*filter = FILE_NOTIFY_CHANGE_SIZE |
		    FILE_NOTIFY_CHANGE_LAST_WRITE;
	} else if (mask & IN_ATTRIB) {
		/* Mode, owner, times or xattrs: inotify does not say which. */
		*action = FILE_ACTION_MODIFIED;
		*filter = FILE_NOTIFY_CHANGE_ATTRIBUTES |
		    FILE_NOTIFY_CHANGE_LAST_WRITE |
		    FILE_NOTIFY_CHANGE_LAST_ACCESS |
		    FILE_NOTIFY_CHANGE_CREATION | FILE_NOTIFY_CHANGE_EA |
		    FILE_NOTIFY_CHANGE_SECURITY;
	} else
		return false;
	return true;
}

static size_t
entry_len(const struct notify_change *c)
{
	return NOTIFY_ENTRY_LEN + c->nc_len;
}

static size_t
pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

size_t
notify_size(const struct notify_change *c, size_t n)
{
	size_t i, size = 0;

	for (i = 0; i < n; i++)
		size += i + 1 < n ? pad4(entry_len(&c[i])) : entry_len(&c[i]);
	return size;
}

uint32_t
notify_encode(struct msgbuf_wr *wr, const struct notify_change *c, size_t n,
    uint32_t max)
{
	size_t i, len;

	if (notify_size(c, n) > max)
		return STATUS_NOTIFY_ENUM_DIR;
	for (i = 0; i < n; i++) {
		len = entry_len(&c[i]);
		/* MS-FSCC 2.7.1: NextEntryOffset, 0 for the last. */
		msgbuf_put_le32(wr, i + 1 < n ? (uint32_t)pad4(len) : 0);
		msgbuf_put_le32(wr, c[i].nc_action);
		msgbuf_put_le32(wr, (uint32_t)c[i].nc_len);
		msgbuf_put_bytes(wr, c[i].nc_name, c[i].nc_len);
		if (i + 1 < n)
			msgbuf_put_zero(wr, pad4(len) - len);
	}
	return STATUS_SUCCESS;
}

/* ---- recording ---- */

static void
changes_clear(struct notify_watch *w)
{
	size_t i;

	for (i = 0; i < w->nw_nchanges; i++)
		free(w->nw_changes[i].nc_name);
	w->nw_nchanges = 0;
	w->nw_size = 0;
}

static void
watch_lose(struct notify_watch *w)
{
	changes_clear(w);
	w->nw_lost = true;
}

/*
 * Records one change to path (UTF-8, '/' separated, relative to the
 * watch); true if the watch has something new to say.
 */
static bool
watch_record(struct notify_watch *w, uint32_t action, const char *path)
{
	struct notify_change c, *last, *nc;
	size_t i, ncap;

	if (w->nw_lost)
		return false;		/* ENUM_DIR says it all already */
	if (ucs2_from_utf8_alloc(path, strlen(path), &c.nc_name,
	    &c.nc_len) == -1) {
		watch_lose(w);
		return true;
	}
	for (i = 0; i + 1 < c.nc_len; i += 2) {
		if (c.nc_name[i] == '/' && c.nc_name[i + 1] == 0)
			c.nc_name[i] = '\\';
	}
	c.nc_action = action;
	if (w->nw_nchanges > 0) {
		last = &w->nw_changes[w->nw_nchanges - 1];
		if (last->nc_action == action && last->nc_len == c.nc_len &&
		    memcmp(last->nc_name, c.nc_name, c.nc_len) == 0) {
			free(c.nc_name);
			return false;
		}
	}
	/* The exact size with it last: everything before it padded. */
	if (w->nw_size + entry_len(&c) > w->nw_max) {
		free(c.nc_name);
		watch_lose(w);
		return true;
	}
	if (w->nw_nchanges == w->nw_cap) {
		ncap = w->nw_cap == 0 ? 16 : w->nw_cap * 2;
		if ((nc = reallocarray(w->nw_changes, ncap,
		    sizeof(*nc))) == NULL) {
			free(c.nc_name);
			watch_lose(w);
			return true;
		}
		w->nw_changes = nc;
		w->nw_cap = ncap;
	}
	w->nw_changes[w->nw_nchanges++] = c;
	w->nw_size += pad4(entry_len(&c));
	return true;
}

/* ---- descriptors and links ---- */

static struct notify_wd *
wd_find(int wd)
{
	struct notify_wd *nd;

	LIST_FOREACH(nd, &wd_tab[(unsigned)wd & (NOTIFY_WD_BUCKETS - 1)],
	    nd_entry) {
		if (nd->nd_wd == wd)
			return nd;
	}
	return NULL;
}

static void
link_free(struct notify_link *l)
{
	struct notify_wd *nd = l->nl_wd;

	LIST_REMOVE(l, nl_wd_entry);
	TAILQ_REMOVE(&l->nl_watch->nw_links, l, nl_watch_entry);
	l->nl_watch->nw_nlinks--;
	free(l->nl_rel);
	free(l);
	if (!LIST_EMPTY(&nd->nd_links))
		return;
	/* EINVAL: the kernel dropped it already (directory gone). */
	if (inotify_rm_watch(in_fd, nd->nd_wd) == -1 && errno != EINVAL)
		log_warn("notify: inotify_rm_watch %d", nd->nd_wd);
	LIST_REMOVE(nd, nd_entry);
	free(nd);
}

static void
watch_full(const char *why)
{
	if (in_full_logged)
		return;
	in_full_logged = true;
	log_warnx("notify: %s; changes deeper in watched trees are not "
	    "reported", why);
}

/*
 * Watches the directory open as fd, at rel from w (nothing to do if w
 * has it there already: a directory created while the tree was walked
 * is both found and announced).  -1 with errno if inotify refuses.
 */
static int
link_add(struct notify_watch *w, int fd, const char *rel)
{
	struct notify_wd *nd;
	struct notify_link *l;
	char proc[32];
	int wd;

	(void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if ((wd = inotify_add_watch(in_fd, proc, NOTIFY_MASK)) == -1)
		return -1;
	if ((nd = wd_find(wd)) != NULL) {
		LIST_FOREACH(l, &nd->nd_links, nl_wd_entry) {
			if (l->nl_watch == w && strcmp(l->nl_rel, rel) == 0)
				return 0;
		}
	} else {
		if ((nd = calloc(1, sizeof(*nd))) == NULL) {
			/* Nobody else has it: one per inode. */
			(void)inotify_rm_watch(in_fd, wd);
			errno = ENOMEM;
			return -1;
		}
		nd->nd_wd = wd;
		LIST_INIT(&nd->nd_links);
		LIST_INSERT_HEAD(&wd_tab[(unsigned)wd &
		    (NOTIFY_WD_BUCKETS - 1)], nd, nd_entry);
	}
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->nl_rel = strdup(rel)) == NULL) {
		free(l);
		if (LIST_EMPTY(&nd->nd_links)) {
			(void)inotify_rm_watch(in_fd, wd);
			LIST_REMOVE(nd, nd_entry);
			free(nd);
		}
		errno = ENOMEM;
		return -1;
	}
	l->nl_wd = nd;
	l->nl_watch = w;
	LIST_INSERT_HEAD(&nd->nd_links, l, nl_wd_entry);
	TAILQ_INSERT_TAIL(&w->nw_links, l, nl_watch_entry);
	w->nw_nlinks++;
	return 0;
}

/* rel + "/" + name into a new string (just name beneath the top). */
static char *
path_join(const char *rel, const char *name)
{
	char *p;

	if (*rel == '\0')
		return strdup(name);
	if (asprintf(&p, "%s/%s", rel, name) == -1)
		return NULL;
	return p;
}

/*
 * Appends the subdirectories of the directory open as fd (at rel) to the
 * walk's queue q of n paths, up to NOTIFY_TREE_MAX paths in all.
 */
static void
walk_children(struct notify_watch *w, int fd, const char *rel, char ***q,
    size_t *n, size_t *cap)
{
	struct vfs_stat st;
	struct vfs_dir *vd;
	char **nq, *child, name[VFS_NAME_MAX + 1];

	if (vfs_dir_open(fd, &vd) != STATUS_SUCCESS)
		return;
	while (vfs_dir_next(vd, name, sizeof(name), &st) == STATUS_SUCCESS) {
		if (!st.vs_is_dir || strcmp(name, ".") == 0 ||
		    strcmp(name, "..") == 0)
			continue;
		if (*n >= NOTIFY_TREE_MAX) {
			w->nw_capped = true;
			break;
		}
		if ((child = path_join(rel, name)) == NULL ||
		    strlen(child) > VFS_PATH_MAX) {
			free(child);
			continue;
		}
		if (*n == *cap) {
			if ((nq = reallocarray(*q, *cap * 2,
			    sizeof(**q))) == NULL) {
				free(child);
				break;
			}
			*q = nq;
			*cap *= 2;
		}
		(*q)[(*n)++] = child;
	}
	vfs_dir_close(vd);
}

/*
 * Watches top (relative to w) and, for a tree watch, the directories
 * beneath it, breadth first, until NOTIFY_TREE_MAX of them.  The status
 * is top's: STATUS_INSUFFICIENT_RESOURCES if inotify refused it, else
 * what opening it gave.  Failures beneath top only leave those
 * directories unwatched.
 */
static uint32_t
watch_add_tree(struct notify_watch *w, const char *top)
{
	char **q;
	size_t n, cap, i;
	uint32_t st, top_st = STATUS_SUCCESS;
	bool capped = w->nw_capped;
	int fd;

	if ((q = calloc(1, sizeof(*q))) == NULL ||
	    (q[0] = strdup(top)) == NULL) {
		free(q);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	n = cap = 1;
	for (i = 0; i < n; i++) {
		if (w->nw_nlinks >= NOTIFY_TREE_MAX) {
			w->nw_capped = true;
			break;
		}
		/* Gone meanwhile, or a symbolic link: nothing to watch. */
		st = vfs_open(w->nw_dirfd, q[i], O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW, 0, &fd);
		if (st == STATUS_SUCCESS) {
			if (link_add(w, fd, q[i]) == -1) {
				if (errno == ENOSPC)
					watch_full("fs.inotify."
					    "max_user_watches reached");
				else
					log_warn("notify: inotify_add_watch");
				st = STATUS_INSUFFICIENT_RESOURCES;
			} else if (w->nw_tree)
				walk_children(w, fd, q[i], &q, &n, &cap);
			close(fd);
		}
		if (i == 0)
			top_st = st;
	}
	for (i = 0; i < n; i++)
		free(q[i]);
	free(q);
	if (w->nw_capped && !capped)
		log_info("notify: a watched tree has more than %d "
		    "directories; changes deeper in it are not reported",
		    NOTIFY_TREE_MAX);
	return top_st;
}

/* A directory left the tree (or is gone): its links and those beneath. */
static void
watch_remove_tree(struct notify_watch *w, const char *top)
{
	struct notify_link *l, *tl;
	size_t len = strlen(top);

	TAILQ_FOREACH_SAFE(l, &w->nw_links, nl_watch_entry, tl) {
		if (strncmp(l->nl_rel, top, len) == 0 &&
		    (l->nl_rel[len] == '\0' || l->nl_rel[len] == '/'))
			link_free(l);
	}
}

/* ---- events ---- */

/*
 * The watches that see an event on nd, each with the path of name from
 * it (and of name2, the new name of a rename), into *tp (the caller
 * frees it).  Taken before acting, since acting adds and removes links.
 * A watch whose path cannot be made lost the change.  -1: no memory.
 */
static int
targets(struct notify_wd *nd, const char *name, const char *name2,
    struct notify_target **tp, size_t *np)
{
	struct notify_target *t;
	struct notify_link *l;
	size_t n = 0;

	*tp = NULL;
	*np = 0;
	LIST_FOREACH(l, &nd->nd_links, nl_wd_entry)
		n++;
	if ((t = calloc(n, sizeof(*t))) == NULL)
		return -1;
	n = 0;
	LIST_FOREACH(l, &nd->nd_links, nl_wd_entry) {
		t[n].nt_watch = l->nl_watch;
		t[n].nt_path = path_join(l->nl_rel, name);
		t[n].nt_path2 = name2 != NULL ? path_join(l->nl_rel, name2) :
		    NULL;
		if (t[n].nt_path == NULL || (name2 != NULL &&
		    t[n].nt_path2 == NULL)) {
			free(t[n].nt_path);
			free(t[n].nt_path2);
			watch_lose(l->nl_watch);
			l->nl_watch->nw_fn(l->nl_watch, l->nl_watch->nw_arg);
			continue;
		}
		n++;
	}
	*tp = t;
	*np = n;
	return 0;
}

/* The tree follows its directories: in when they come, out when they go. */
static void
watch_follow(struct notify_watch *w, uint32_t action, const char *path)
{
	switch (action) {
	case FILE_ACTION_ADDED:
	case FILE_ACTION_RENAMED_NEW_NAME:
		(void)watch_add_tree(w, path);
		break;
	case FILE_ACTION_REMOVED:
	case FILE_ACTION_RENAMED_OLD_NAME:
		watch_remove_tree(w, path);
		break;
	}
}

/*
 * One change (two for a rename: from, then to) in the directory of wd.
 * Each watch records what its filter asks for; a tree watch follows
 * directories whether or not it reports them.
 */
static void
deliver(int wd, uint32_t mask, const char *name, uint32_t mask2,
    const char *name2)
{
	struct notify_target *t;
	struct notify_watch *w;
	struct notify_link *l;
	struct notify_wd *nd;
	uint32_t action, filter, action2 = 0, filter2 = 0;
	size_t n, i;
	bool news;

	if ((nd = wd_find(wd)) == NULL)
		return;		/* removed since; nobody asks */
	/*
	 * A name no SMB client can carry is not reported (vfs_dir lists
	 * none either); half a rename is then a name leaving or arriving.
	 */
	if (name2 != NULL && !vfs_name_ok(name2)) {
		deliver(wd, mask, name, 0, NULL);
		return;
	}
	if (!vfs_name_ok(name)) {
		if (name2 != NULL)
			deliver(wd, mask2, name2, 0, NULL);
		return;
	}
	if (!notify_map(mask, name2 != NULL, &action, &filter) ||
	    (name2 != NULL && !notify_map(mask2, true, &action2, &filter2)))
		return;
	if (targets(nd, name, name2, &t, &n) == -1) {
		/* Cannot say to whom: everyone watching here lost it. */
		LIST_FOREACH(l, &nd->nd_links, nl_wd_entry) {
			if (!l->nl_watch->nw_lost) {
				watch_lose(l->nl_watch);
				l->nl_watch->nw_fn(l->nl_watch,
				    l->nl_watch->nw_arg);
			}
		}
		return;
	}
	for (i = 0; i < n; i++) {
		w = t[i].nt_watch;
		news = false;
		if (w->nw_filter & filter)
			news = watch_record(w, action, t[i].nt_path);
		if (name2 != NULL && (w->nw_filter & filter2))
			news = watch_record(w, action2, t[i].nt_path2) ||
			    news;
		if (w->nw_tree && (mask & IN_ISDIR)) {
			watch_follow(w, action, t[i].nt_path);
			if (name2 != NULL)
				watch_follow(w, action2, t[i].nt_path2);
		}
		if (news)
			w->nw_fn(w, w->nw_arg);
		free(t[i].nt_path);
		free(t[i].nt_path2);
	}
	free(t);
}

/* The directory of wd is gone, or its file system: drop its links. */
static void
wd_gone(int wd)
{
	struct notify_wd *nd;
	struct notify_link *l;
	bool last;

	if ((nd = wd_find(wd)) == NULL)
		return;
	/* The last link_free() frees nd too. */
	do {
		l = LIST_FIRST(&nd->nd_links);
		last = LIST_NEXT(l, nl_wd_entry) == NULL;
		link_free(l);
	} while (!last);
}

static void
held_release(void)
{
	if (!held.have)
		return;
	held.have = false;
	deliver(held.wd, held.mask, held.name, 0, NULL);
}

static void
lose_all(void)
{
	struct notify_watch *w;

	TAILQ_FOREACH(w, &notify_watches, nw_entry) {
		if (w->nw_lost)
			continue;
		watch_lose(w);
		w->nw_fn(w, w->nw_arg);
	}
}

static void
event(const struct inotify_event *ev)
{
	if (ev->mask & IN_Q_OVERFLOW) {
		/* The kernel dropped events: nobody can be told exactly. */
		held_release();
		log_info("notify: inotify queue overflow");
		lose_all();
		return;
	}
	if (held.have) {
		if ((ev->mask & IN_MOVED_TO) && ev->cookie == held.cookie &&
		    ev->wd == held.wd && ev->len > 0) {
			held.have = false;
			deliver(ev->wd, held.mask, held.name, ev->mask,
			    ev->name);
			return;
		}
		held_release();
	}
	if (ev->mask & IN_IGNORED) {
		wd_gone(ev->wd);
		return;
	}
	/* Events about the watched directory itself carry no name. */
	if (ev->len == 0 || ev->name[0] == '\0')
		return;
	if ((ev->mask & IN_MOVED_FROM) &&
	    strlen(ev->name) < sizeof(held.name)) {
		held.have = true;
		held.wd = ev->wd;
		held.mask = ev->mask;
		held.cookie = ev->cookie;
		memcpy(held.name, ev->name, strlen(ev->name) + 1);
		return;
	}
	deliver(ev->wd, ev->mask, ev->name, 0, NULL);
}

void
notify_poll(void)
{
	static char buf[65536]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	size_t off;

	if (in_fd == -1 || in_polling)
		return;
	in_polling = true;
	for (;;) {
		if ((n = read(in_fd, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				log_warn("notify: read");
			break;
		}
		if (n == 0)
			break;
		for (off = 0; off + sizeof(*ev) <= (size_t)n;
		    off += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(buf + off);
			event(ev);
		}
	}
	/* A FROM whose TO is not queued by now went out of sight. */
	held_release();
	in_polling = false;
}

static void
notify_io_cb(struct loop_io *io, uint32_t events, void *arg)
{
	(void)io;
	(void)events;
	(void)arg;
	notify_poll();
}

/* ---- watches ---- */

static int
notify_start(void)
{
	if (in_fd != -1)
		return 0;
	if ((in_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		return -1;
	loop_io_init(&in_io, in_fd, notify_io_cb, NULL);
	if (loop_io_add(&in_io, EPOLLIN) == -1) {
		close(in_fd);
		in_fd = -1;
		return -1;
	}
	return 0;
}

uint32_t
notify_watch_new(int dirfd, bool tree, uint32_t filter, uint32_t max,
    notify_fn fn, void *arg, struct notify_watch **out)
{
	struct notify_watch *w;
	uint32_t st;

	*out = NULL;
	if (notify_start() == -1) {
		log_warn("notify: inotify");
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	/* What is queued now happened before this watch: not its business. */
	notify_poll();
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	TAILQ_INIT(&w->nw_links);
	w->nw_dirfd = dirfd;
	w->nw_tree = tree;
	w->nw_filter = filter;
	w->nw_max = max < NOTIFY_KEEP_MAX ? max : NOTIFY_KEEP_MAX;
	w->nw_fn = fn;
	w->nw_arg = arg;
	TAILQ_INSERT_TAIL(&notify_watches, w, nw_entry);
	if ((st = watch_add_tree(w, "")) != STATUS_SUCCESS) {
		notify_watch_free(w);
		return st;
	}
	*out = w;
	return STATUS_SUCCESS;
}

void
notify_watch_free(struct notify_watch *w)
{
	struct notify_link *l;

	if (w == NULL)
		return;
	while ((l = TAILQ_FIRST(&w->nw_links)) != NULL)
		link_free(l);
	changes_clear(w);
	free(w->nw_changes);
	TAILQ_REMOVE(&notify_watches, w, nw_entry);
	free(w);
}

bool
notify_watch_ready(const struct notify_watch *w)
{
	return w->nw_lost || w->nw_nchanges > 0;
}

uint32_t
notify_watch_take(struct notify_watch *w, uint32_t max,
    struct msgbuf_wr *wr)
{
	uint32_t st;

	if (w->nw_lost) {
		w->nw_lost = false;
		return STATUS_NOTIFY_ENUM_DIR;
	}
	/*
	 * The first request's size bounds every answer (Samba; smbtorture
	 * smb2.notify.valid-req: "if the first notify returns
	 * NOTIFY_ENUM_DIR, all do").
	 */
	st = notify_encode(wr, w->nw_changes, w->nw_nchanges,
	    max < w->nw_max ? max : w->nw_max);
	/*
	 * Sent or not, they are forgotten: after an ENUM_DIR the client
	 * lists the directory anyway (smb2.notify.valid-req expects only
	 * the changes made after it).
	 */
	changes_clear(w);
	return st;
}

void
notify_shutdown(void)
{
	if (in_fd == -1)
		return;
	if (!TAILQ_EMPTY(&notify_watches)) {
		log_warnx("notify: watches left, inotify kept open");
		return;
	}
	held.have = false;
	loop_io_del(&in_io);
	close(in_fd);
	in_fd = -1;
	log_debug("notify: inotify closed");
}
