/*
 * notify.h — changes to an open directory, for CHANGE_NOTIFY: inotify
 * watches owned by the loop, the changes recorded for one open between
 * requests, and their FILE_NOTIFY_INFORMATION form (MS-FSCC 2.7.1).
 *
 * One inotify descriptor (IN_NONBLOCK | IN_CLOEXEC) serves the process.
 * It is made at the first notify_watch_new() and added to the loop as a
 * struct loop_io; only the loop thread reads it.  A struct notify_watch
 * belongs to one open (smb2_notify.c): made at the open's first
 * CHANGE_NOTIFY, freed when the open closes.  It watches the open's
 * directory and, for WATCH_TREE, the directories beneath it, each named
 * by a path relative to the open.  inotify hands out one watch
 * descriptor per directory, so watches of several opens on the same
 * directory share it; notify.c counts the users and removes the
 * descriptor with the last one.
 *
 * A watch records the changes that pass its CompletionFilter, bounded
 * (the first request's OutputBufferLength, at most NOTIFY_KEEP_MAX
 * bytes); when they would not fit, or inotify itself lost events, it
 * forgets them and remembers only that something was lost, which the
 * next request answers with STATUS_NOTIFY_ENUM_DIR.  Identical changes
 * in a row are kept once (a write, its times and its close are one
 * MODIFIED), as Samba does.  Each time something is recorded the
 * watch's function runs; it may take the changes (notify_watch_take())
 * but must not free the watch or send anything: it runs inside the
 * inotify callback.
 *
 * What inotify cannot see, and so a client is not told (smbsrvd(8)
 * should say it):
 *   - changes that do not pass through this host's kernel: made by other
 *     hosts on a network file system under the share (NFS, SMB, and
 *     FUSE file systems whose server changes files itself), or made to
 *     an overlayfs lower directory directly.  Changes through any other
 *     local mount of the same file system are seen: inotify watches
 *     inodes, not paths;
 *   - a file system mounted over a watched directory after the watch
 *     was set up: the watch stays on the covered directory;
 *   - under WATCH_TREE, more than NOTIFY_TREE_MAX directories per open,
 *     or beyond the system's fs.inotify.max_user_watches (both logged);
 *     directories are added as they appear, so a file created in a new
 *     directory before its watch is in place is not reported;
 *   - which attribute changed: inotify reports one IN_ATTRIB for mode,
 *     owner, times and extended attributes alike, so a change of any of
 *     them is MODIFIED for any of FILE_NOTIFY_CHANGE_ATTRIBUTES,
 *     LAST_WRITE, LAST_ACCESS, CREATION, EA and SECURITY;
 *   - writes through a shared memory mapping (no IN_MODIFY; IN_CLOSE_WRITE
 *     is not watched, see notify.c), and reads (IN_ACCESS would report
 *     every one): FILE_NOTIFY_CHANGE_LAST_ACCESS sees only times set
 *     explicitly;
 *   - named streams (STREAM_NAME, STREAM_SIZE, STREAM_WRITE): none exist.
 */
#ifndef SMBSRVD_NOTIFY_H
#define SMBSRVD_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msgbuf.h"

/* MS-SMB2 2.2.35 CompletionFilter. */
#define FILE_NOTIFY_CHANGE_FILE_NAME	0x00000001
#define FILE_NOTIFY_CHANGE_DIR_NAME	0x00000002
#define FILE_NOTIFY_CHANGE_ATTRIBUTES	0x00000004
#define FILE_NOTIFY_CHANGE_SIZE		0x00000008
#define FILE_NOTIFY_CHANGE_LAST_WRITE	0x00000010
#define FILE_NOTIFY_CHANGE_LAST_ACCESS	0x00000020
#define FILE_NOTIFY_CHANGE_CREATION	0x00000040
#define FILE_NOTIFY_CHANGE_EA		0x00000080
#define FILE_NOTIFY_CHANGE_SECURITY	0x00000100
#define FILE_NOTIFY_CHANGE_STREAM_NAME	0x00000200
#define FILE_NOTIFY_CHANGE_STREAM_SIZE	0x00000400
#define FILE_NOTIFY_CHANGE_STREAM_WRITE	0x00000800
#define FILE_NOTIFY_VALID_MASK		0x00000fff

/* MS-FSCC 2.7.1 FILE_NOTIFY_INFORMATION Action. */
#define FILE_ACTION_ADDED		1
#define FILE_ACTION_REMOVED		2
#define FILE_ACTION_MODIFIED		3
#define FILE_ACTION_RENAMED_OLD_NAME	4
#define FILE_ACTION_RENAMED_NEW_NAME	5

/* Directories one WATCH_TREE watch covers, its own included. */
#define NOTIFY_TREE_MAX		1024
/* Bytes of FILE_NOTIFY_INFORMATION one open keeps between requests. */
#define NOTIFY_KEEP_MAX		65536

/* One change: what happened to which name. */
struct notify_change {
	uint32_t	 nc_action;	/* FILE_ACTION_* */
	uint8_t		*nc_name;	/* UTF-16LE, '\' between names */
	size_t		 nc_len;	/* bytes */
};

/*
 * The change an inotify event (mask: IN_* bits of struct inotify_event)
 * stands for: *action and the FILE_NOTIFY_CHANGE_* bits of which any
 * one in a CompletionFilter asks for it.  paired: an IN_MOVED_FROM or
 * IN_MOVED_TO whose other half (same cookie) came for the same
 * directory, a rename (RENAMED_OLD_NAME, RENAMED_NEW_NAME); unpaired they
 * are a name leaving or arriving (REMOVED, ADDED), as Windows reports a
 * move between directories.  false for an event that is no change to a
 * name in the directory.
 */
bool		 notify_map(uint32_t mask, bool paired, uint32_t *action,
		    uint32_t *filter);
/*
 * Bytes that changes take as a FILE_NOTIFY_INFORMATION chain: each entry
 * 12 + its name, padded to 4 before the next one (NextEntryOffset must
 * be a multiple of 4), nothing after the last.
 */
size_t		 notify_size(const struct notify_change *, size_t n);
/*
 * Appends that chain to wr, or nothing and STATUS_NOTIFY_ENUM_DIR if it
 * would be longer than max bytes (MS-FSA 2.1.5.11.1).
 */
uint32_t	 notify_encode(struct msgbuf_wr *, const struct notify_change *,
		    size_t n, uint32_t max);

struct notify_watch;
typedef void	(*notify_fn)(struct notify_watch *, void *);

/*
 * Watches the directory open as dirfd (borrowed: the caller keeps it
 * open until notify_watch_free()) and, if tree, the directories beneath
 * it, for the changes of filter; keeps at most max bytes of them
 * (NOTIFY_KEEP_MAX if more).  Events already waiting in inotify are read
 * first, so nothing from before the call is recorded.  fn(watch, arg)
 * runs each time a change (or a loss) is recorded.
 * STATUS_INSUFFICIENT_RESOURCES when inotify refuses (no memory, too
 * many watches or instances; logged), else what opening dirfd's
 * directory again gives.
 */
uint32_t	 notify_watch_new(int dirfd, bool tree, uint32_t filter,
		    uint32_t max, notify_fn fn, void *arg,
		    struct notify_watch **);
void		 notify_watch_free(struct notify_watch *);
/* true if notify_watch_take() has something to give. */
bool		 notify_watch_ready(const struct notify_watch *);
/*
 * Appends the recorded changes to wr as notify_encode() does, within max
 * bytes (and the watch's own bound), and forgets them: STATUS_SUCCESS,
 * or STATUS_NOTIFY_ENUM_DIR with nothing appended when they do not fit
 * or some were lost.
 */
uint32_t	 notify_watch_take(struct notify_watch *, uint32_t max,
		    struct msgbuf_wr *);
/*
 * Reads and records whatever inotify holds now.  The loop calls it when
 * the descriptor is readable; a request calls it first so that every
 * change made before it arrived is recorded by the time it looks.
 */
void		 notify_poll(void);
/* Closes the inotify descriptor once no watch is left (tests, exit). */
void		 notify_shutdown(void);

#endif
