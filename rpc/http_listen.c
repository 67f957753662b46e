/*
 * http_listen.c — the REST API's listeners: libmicrohttpd inside our
 * event loop (see http.h).  What a request does is http.c's.
 *
 * Each listener is one MHD daemon in its "external epoll" mode: MHD keeps
 * its sockets in an epoll set of its own, whose fd is a loop_io in our
 * loop, and tells how long it may wait (MHD_get_timeout), which becomes a
 * loop timer.  Whenever either fires we call MHD_run(), which never
 * blocks, then re-arm the timer.  So every handler runs on the loop
 * thread, and MHD starts no threads.
 *
 * We make the listening sockets ourselves and hand them over with
 * MHD_OPTION_LISTEN_SOCKET: the Unix socket needs our stale-socket check
 * and mode 0660, and a reload must know what it is replacing.
 *
 * TLS ("admin tls certificate", TCP only) is MHD's own (GnuTLS): the
 * same external-epoll daemon started with MHD_USE_TLS and the PEM text in
 * memory, read and checked by tls.c first.  MHD copies the key into
 * GnuTLS while it starts, so our copy is wiped right after.  A TLS daemon
 * cannot change its certificate, so a reload that finds a changed pair
 * starts a second daemon on a duplicate of the same listening socket and
 * then retires the first: the port never stops accepting.
 *
 * Listener life: open (socket, MHD daemon, loop_io, timer) --> running
 * --> closed by http_stop() or replaced by http_reload().  MHD must not
 * be stopped from inside its own callbacks, so a close requested while
 * MHD_run() is on the stack (a handler asking for a reload) unhooks the
 * listener from the loop at once and stops the daemon from the loop's
 * before-sleep pass.
 */
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "enc.h"
#include "http.h"
#include "http_int.h"
#include "log.h"
#include "loop.h"
#include "ops.h"
#include "tls.h"

static struct http_listener	*http_unix;
static struct http_listener	*http_tcp;
static int			 http_in_mhd;	/* MHD_run() depth */

static void	http_close(struct http_listener *);

static void
http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct http_listener *hl = cls;
	char msg[512], safe[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_info("http %s: %s", hl->hl_name,
	    http_logsafe(msg, safe, sizeof(safe)));
}

/* Runs MHD until it has nothing to do now, then arms its timeout. */
static void
http_run(struct http_listener *hl)
{
	MHD_UNSIGNED_LONG_LONG ms;

	http_in_mhd++;
	if (MHD_run(hl->hl_mhd) == MHD_NO)
		log_warnx("http %s: MHD_run failed", hl->hl_name);
	http_in_mhd--;
	if (!hl->hl_io.io_added)
		return;		/* closed from a handler; stop is deferred */
	/*
	 * MHD_NO means no connection has a deadline and nothing is pending;
	 * 0 means MHD has more to do at once (its epoll is edge-triggered
	 * for connections, so readiness alone would not wake us).
	 */
	if (MHD_get_timeout(hl->hl_mhd, &ms) == MHD_YES) {
		if (loop_timer_after(&hl->hl_timer, (uint64_t)ms) == -1)
			log_warn("http %s: timer", hl->hl_name);
	} else
		loop_timer_cancel(&hl->hl_timer);
}

static void
http_io_cb(struct loop_io *io, uint32_t events, void *arg)
{
	(void)io;
	(void)events;
	http_run(arg);
}

static void
http_timer_cb(struct timer *t, void *arg)
{
	(void)t;
	http_run(arg);
}

/*
 * A token file that does not exist yet gets a fresh random token, written
 * to a temporary name with O_EXCL and mode 0600 and renamed into place,
 * so no reader ever sees it half-written or with looser permissions.
 */
static int
http_token_create(const char *path)
{
	unsigned char raw[HTTP_TOKEN_BYTES];
	char hex[2 * HTTP_TOKEN_BYTES + 2], tmp[PATH_MAX];
	size_t have = 0, i;
	ssize_t n;
	int fd, saved;

	while (have < sizeof(raw)) {
		n = getrandom(raw + have, sizeof(raw) - have, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		have += (size_t)n;
	}
	for (i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	hex[2 * HTTP_TOKEN_BYTES] = '\n';
	hex[2 * HTTP_TOKEN_BYTES + 1] = '\0';
	explicit_bzero(raw, sizeof(raw));

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path,
	    (long)getpid()) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		goto fail;
	/* The umask may have taken the owner's write bit; it needs none. */
	if (fchmod(fd, 0600) == -1 ||
	    write(fd, hex, strlen(hex)) != (ssize_t)strlen(hex) ||
	    fsync(fd) == -1) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		goto fail;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		goto fail;
	}
	explicit_bzero(hex, sizeof(hex));
	log_warnx("http: created admin token file %s (mode 0600)", path);
	return 0;
fail:
	explicit_bzero(hex, sizeof(hex));
	return -1;
}

/* Reads the bearer token; creates the file if missing.  0 or -1 (logged). */
static int
http_token_load(struct http_listener *hl, const char *path)
{
	char buf[HTTP_TOKEN_MAX + 2];
	struct stat st;
	ssize_t n;
	size_t len;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 && errno == ENOENT) {
		if (http_token_create(path) == -1) {
			log_warn("http: cannot create token file %s", path);
			return -1;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd == -1) {
		log_warn("http: token file %s", path);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		log_warn("http: token file %s", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		log_warnx("http: token file %s is not a regular file", path);
		close(fd);
		return -1;
	}
	if (st.st_mode & (S_IRGRP | S_IROTH)) {
		log_warnx("http: token file %s is readable by group or others "
		    "(mode %04o); chmod 600 it", path,
		    (unsigned int)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	do {
		n = read(fd, buf, sizeof(buf) - 1);
	} while (n == -1 && errno == EINTR);
	close(fd);
	if (n == -1) {
		log_warn("http: token file %s", path);
		return -1;
	}
	len = (size_t)n;
	while (len > 0 && strchr(" \t\r\n", buf[len - 1]) != NULL)
		len--;
	if (len == 0 || len > HTTP_TOKEN_MAX ||
	    memchr(buf, '\0', len) != NULL || strcspn(buf, " \t\r\n") < len) {
		log_warnx("http: token file %s must hold one token of 1 to %d "
		    "characters", path, HTTP_TOKEN_MAX);
		explicit_bzero(buf, sizeof(buf));
		return -1;
	}
	memcpy(hl->hl_token, buf, len);
	hl->hl_token[len] = '\0';
	hl->hl_token_len = len;
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/*
 * Binds the Unix socket.  A socket file already there is removed only if
 * nobody answers on it (ECONNREFUSED): a live daemon keeps its socket, and
 * something that is not a socket is never touched.
 */
static int
http_unix_socket(struct http_listener *hl)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, probe, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(hl->hl_path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, hl->hl_path, strlen(hl->hl_path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno != EADDRINUSE)
			goto fail;
		if (lstat(hl->hl_path, &st) == -1)
			goto fail;
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("http: %s exists and is not a socket",
			    hl->hl_path);
			errno = EEXIST;
			goto fail;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe == -1)
			goto fail;
		if (connect(probe, (struct sockaddr *)&sun,
		    sizeof(sun)) == 0) {
			close(probe);
			log_warnx("http: %s: another server answers there",
			    hl->hl_path);
			errno = EADDRINUSE;
			goto fail;
		}
		saved = errno;
		close(probe);
		if (saved != ECONNREFUSED) {
			errno = saved == EAGAIN ? EADDRINUSE : saved;
			goto fail;
		}
		log_info("http: removing stale socket %s", hl->hl_path);
		if (unlink(hl->hl_path) == -1 ||
		    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
			goto fail;
	}
	/*
	 * bind() made the file with the umask's mode; tighten it before
	 * listen() so nobody can connect in between.  Changing the umask
	 * instead would race with worker threads creating files.
	 */
	if (chmod(hl->hl_path, 0660) == -1 || stat(hl->hl_path, &st) == -1 ||
	    listen(fd, HTTP_BACKLOG) == -1) {
		saved = errno;
		unlink(hl->hl_path);
		errno = saved;
		goto fail;
	}
	hl->hl_dev = st.st_dev;
	hl->hl_ino = st.st_ino;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static int
http_tcp_socket(struct http_listener *hl)
{
	const struct sockaddr *sa = (struct sockaddr *)&hl->hl_addr.ca_ss;
	int fd, on = 1, saved;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	/* "[::]:port" means IPv6 only; IPv4 is a listener of its own. */
	if (sa->sa_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1)
		goto fail;
	if (bind(fd, sa, hl->hl_addr.ca_sslen) == -1 ||
	    listen(fd, HTTP_BACKLOG) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* Is fd still the socket we made (inode ino)?  See http_open(). */
static bool
http_fd_is(int fd, ino_t ino)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_ino == ino;
}

static void
http_free(struct http_listener *hl)
{
	if (hl == NULL)
		return;
	explicit_bzero(hl->hl_token, sizeof(hl->hl_token));
	free(hl->hl_path);
	free(hl->hl_token_file);
	free(hl->hl_tls_cert);
	free(hl->hl_tls_key);
	free(hl);
}

/*
 * Hands the listening socket fd to a new MHD daemon and hooks it in;
 * with pem (TCP only), the daemon speaks TLS with that pair.  The key
 * text in pem is the caller's to wipe, which it may do once this returns.
 */
static int
http_open(struct http_listener *hl, int fd, const struct tls_pem *pem)
{
	const union MHD_DaemonInfo *info;
	struct MHD_OptionItem tls[4];
	struct stat st;
	ino_t ino = 0;
	size_t n = 0;

	if (fstat(fd, &st) == 0)
		ino = st.st_ino;
	if (pem != NULL) {
		tls[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT,
		    0, pem->tp_cert };
		tls[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY,
		    0, pem->tp_key };
		tls[n++] = (struct MHD_OptionItem){
		    MHD_OPTION_HTTPS_PRIORITIES, 0,
		    (void *)(uintptr_t)HTTP_TLS_PRIORITIES };
	}
	tls[n] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	hl->hl_mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
	    MHD_USE_ERROR_LOG | (pem != NULL ? MHD_USE_TLS : 0), 0, NULL, NULL,
	    http_access, hl,
	    /* First, or MHD logs the options before it to stderr. */
	    MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, hl,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, hl,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_CONN_LIMIT,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_CONN_TIMEOUT,
	    MHD_OPTION_ARRAY, tls,
	    MHD_OPTION_END);
	if (hl->hl_mhd == NULL) {
		/*
		 * Whether MHD closed the socket on failure differs between
		 * versions; close it only if the number is still our socket.
		 */
		if (http_fd_is(fd, ino))
			close(fd);
		if (pem != NULL)
			log_warnx("http %s: cannot start the HTTPS server with "
			    "certificate %s and key %s (see the TLS library's "
			    "message above)", hl->hl_name, hl->hl_tls_cert,
			    hl->hl_tls_key);
		else
			log_warnx("http %s: cannot start the HTTP server",
			    hl->hl_name);
		return -1;
	}
	/* From here MHD owns fd and closes it in MHD_stop_daemon(). */
	info = MHD_get_daemon_info(hl->hl_mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL) {
		log_warnx("http %s: no epoll fd from MHD", hl->hl_name);
		goto fail;
	}
	loop_io_init(&hl->hl_io, info->epoll_fd, http_io_cb, hl);
	timer_init(&hl->hl_timer, http_timer_cb, hl);
	if (loop_io_add(&hl->hl_io, EPOLLIN) == -1) {
		log_warn("http %s: loop_io_add", hl->hl_name);
		goto fail;
	}
	http_run(hl);
	return 0;
fail:
	MHD_stop_daemon(hl->hl_mhd);
	hl->hl_mhd = NULL;
	return -1;
}

static struct http_listener *
http_open_unix(const char *path)
{
	struct http_listener *hl;
	int fd;

	if ((hl = calloc(1, sizeof(*hl))) == NULL ||
	    (hl->hl_path = strdup(path)) == NULL) {
		log_warn("http: %s", path);
		http_free(hl);
		return NULL;
	}
	hl->hl_kind = HTTP_UNIX;
	snprintf(hl->hl_name, sizeof(hl->hl_name), "%s", path);
	if ((fd = http_unix_socket(hl)) == -1) {
		log_warn("http: cannot listen on %s", path);
		http_free(hl);
		return NULL;
	}
	if (http_open(hl, fd, NULL) == -1) {
		unlink(hl->hl_path);
		http_free(hl);
		return NULL;
	}
	log_info("http: listening on %s", path);
	return hl;
}

/*
 * Reads cf's certificate and key into pem: 1 loaded, 0 none configured,
 * -1 (logged, naming the file).
 */
static int
http_tls_load(const struct conf *cf, struct tls_pem *pem)
{
	char err[2 * CONF_VALUE_MAX + 256];

	if (cf->cf_admin_tls_cert == NULL || cf->cf_admin_tls_key == NULL)
		return 0;
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		log_warnx("http: the installed libmicrohttpd was built without "
		    "TLS support, so \"admin tls certificate\" %s cannot be "
		    "served", cf->cf_admin_tls_cert);
		return -1;
	}
	if (tls_pem_load(pem, cf->cf_admin_tls_cert, cf->cf_admin_tls_key,
	    err, sizeof(err)) == -1) {
		log_warnx("http: %s", err);
		return -1;
	}
	return 1;
}

/* Says what certificate a new HTTPS listener runs, and if it is stale. */
static void
http_tls_announce(const struct http_listener *hl)
{
	char when[ENC_TIME_LEN], safe[sizeof(hl->hl_tls_subject)];
	struct timespec ts = { hl->hl_tls_not_after, 0 };
	time_t now = time(NULL);

	if (enc_time(when, sizeof(when), &ts) == -1)
		snprintf(when, sizeof(when), "?");
	http_logsafe(hl->hl_tls_subject, safe, sizeof(safe));
	log_info("http: listening on %s (HTTPS, certificate %s for \"%s\" "
	    "valid until %s; bearer token from %s)", hl->hl_name,
	    hl->hl_tls_cert, safe, when, hl->hl_token_file);
	if (hl->hl_tls_not_after < now)
		log_warnx("http %s: certificate %s expired on %s; clients "
		    "will refuse it", hl->hl_name, hl->hl_tls_cert, when);
	else if (hl->hl_tls_not_after - now < HTTP_TLS_SOON)
		log_warnx("http %s: certificate %s expires on %s",
		    hl->hl_name, hl->hl_tls_cert, when);
}

/*
 * The TCP listener of cf; with pem (loaded by http_tls_load()) it speaks
 * TLS.  fd is the listening socket to serve, which this takes over, or
 * -1 to make one.
 */
static struct http_listener *
http_open_tcp(const struct conf *cf, const struct tls_pem *pem, int fd)
{
	struct http_listener *hl;
	int saved;

	if (cf->cf_admin_token_file == NULL) {
		log_warnx("http: admin listen %s needs a token file",
		    cf->cf_admin_listen.ca_text);
		goto fail;
	}
	if ((hl = calloc(1, sizeof(*hl))) == NULL ||
	    (hl->hl_token_file = strdup(cf->cf_admin_token_file)) == NULL ||
	    (pem != NULL &&
	    ((hl->hl_tls_cert = strdup(cf->cf_admin_tls_cert)) == NULL ||
	    (hl->hl_tls_key = strdup(cf->cf_admin_tls_key)) == NULL))) {
		log_warn("http: %s", cf->cf_admin_listen.ca_text);
		http_free(hl);
		goto fail;
	}
	hl->hl_kind = HTTP_TCP;
	hl->hl_addr = cf->cf_admin_listen;
	snprintf(hl->hl_name, sizeof(hl->hl_name), "%s",
	    cf->cf_admin_listen.ca_text);
	if (pem != NULL) {
		hl->hl_tls = true;
		memcpy(hl->hl_tls_digest, pem->tp_digest,
		    sizeof(hl->hl_tls_digest));
		memcpy(hl->hl_tls_subject, pem->tp_subject,
		    sizeof(hl->hl_tls_subject));
		hl->hl_tls_not_after = pem->tp_not_after;
	}
	if (http_token_load(hl, hl->hl_token_file) == -1) {
		log_warnx("http: not listening on %s", hl->hl_name);
		http_free(hl);
		goto fail;
	}
	if (fd == -1 && (fd = http_tcp_socket(hl)) == -1) {
		saved = errno;
		log_warn("http: cannot listen on %s", hl->hl_name);
		http_free(hl);
		errno = saved;		/* http_reload_tcp() looks at it */
		return NULL;
	}
	if (http_open(hl, fd, pem) == -1) {
		http_free(hl);
		errno = 0;
		return NULL;
	}
	if (hl->hl_tls)
		http_tls_announce(hl);
	else
		log_info("http: listening on %s (bearer token from %s)",
		    hl->hl_name, hl->hl_token_file);
	return hl;
fail:
	if (fd != -1)
		close(fd);
	errno = 0;
	return NULL;
}

static void
http_stop_deferred(void *arg)
{
	struct http_listener *hl = arg;

	http_streams_end(hl);
	MHD_stop_daemon(hl->hl_mhd);
	http_free(hl);
}

static void
http_close(struct http_listener *hl)
{
	struct stat st;

	if (hl == NULL)
		return;
	loop_io_del(&hl->hl_io);
	loop_timer_cancel(&hl->hl_timer);
	/* Another server may have taken the path since; leave its socket. */
	if (hl->hl_kind == HTTP_UNIX && lstat(hl->hl_path, &st) == 0 &&
	    st.st_dev == hl->hl_dev && st.st_ino == hl->hl_ino &&
	    unlink(hl->hl_path) == -1)
		log_warn("http: unlink %s", hl->hl_path);
	log_info("http: closed %s", hl->hl_name);
	if (http_in_mhd > 0) {
		loop_defer(&hl->hl_stop, http_stop_deferred, hl);
		return;
	}
	http_streams_end(hl);
	MHD_stop_daemon(hl->hl_mhd);
	http_free(hl);
}

int
http_start(const struct conf *cf)
{
	struct tls_pem pem;
	int tls;

	if (http_unix != NULL || http_tcp != NULL) {
		log_warnx("http: already started");
		return -1;
	}
	ops_init();
	http_streams_init();
	/*
	 * The Unix socket last: once it exists, the token file does too,
	 * so scripts may wait for the socket alone.
	 */
	if (cf->cf_admin_listen_on) {
		if ((tls = http_tls_load(cf, &pem)) == -1) {
			log_warnx("http: not listening on %s",
			    cf->cf_admin_listen.ca_text);
			goto fail;
		}
		http_tcp = http_open_tcp(cf, tls == 1 ? &pem : NULL, -1);
		/* MHD holds its own copy of the key by now. */
		if (tls == 1)
			tls_pem_free(&pem);
		if (http_tcp == NULL)
			goto fail;
	}
	if (cf->cf_admin_socket != NULL &&
	    (http_unix = http_open_unix(cf->cf_admin_socket)) == NULL)
		goto fail;
	return 0;
fail:
	http_stop();
	return -1;
}

static bool
http_same_addr(const struct conf_addr *a, const struct conf_addr *b)
{
	return a->ca_sslen == b->ca_sslen &&
	    memcmp(&a->ca_ss, &b->ca_ss, a->ca_sslen) == 0;
}

static int
http_reload_unix(const struct conf *cf)
{
	struct http_listener *hl;

	if (cf->cf_admin_socket == NULL) {
		http_close(http_unix);
		http_unix = NULL;
		return 0;
	}
	if (http_unix != NULL && strcmp(http_unix->hl_path,
	    cf->cf_admin_socket) == 0)
		return 0;
	/* Open the new one first: on failure the old one stays. */
	if ((hl = http_open_unix(cf->cf_admin_socket)) == NULL)
		return -1;
	http_close(http_unix);
	http_unix = hl;
	return 0;
}

/* Keeps hl's TLS file names as cf writes them (for log lines, GET server). */
static void
http_tls_rename(struct http_listener *hl, const struct conf *cf)
{
	char *c, *k;

	if ((c = strdup(cf->cf_admin_tls_cert)) == NULL ||
	    (k = strdup(cf->cf_admin_tls_key)) == NULL) {
		free(c);
		log_warn("http %s: reload", hl->hl_name);
		return;
	}
	free(hl->hl_tls_cert);
	free(hl->hl_tls_key);
	hl->hl_tls_cert = c;
	hl->hl_tls_key = k;
}

/* Does hl run TLS exactly as pem (NULL: none) would have it? */
static bool
http_tls_same(const struct http_listener *hl, const struct tls_pem *pem)
{
	if (pem == NULL)
		return !hl->hl_tls;
	return hl->hl_tls && memcmp(hl->hl_tls_digest, pem->tp_digest,
	    sizeof(hl->hl_tls_digest)) == 0;
}

/*
 * Same address, new TLS settings: a new daemon on a duplicate of the
 * listening socket, then the old one quiesced (it lets go of the socket
 * without closing it) and stopped.  Connections to the old daemon end;
 * no connection attempt is refused.  On failure the old one stays.
 */
static int
http_retls_tcp(const struct conf *cf, const struct tls_pem *pem)
{
	const union MHD_DaemonInfo *info;
	struct http_listener *hl;
	MHD_socket ofd;
	int fd;

	info = MHD_get_daemon_info(http_tcp->hl_mhd,
	    MHD_DAEMON_INFO_LISTEN_FD);
	if (info == NULL || info->listen_fd == MHD_INVALID_SOCKET) {
		log_warnx("http %s: no listening socket from MHD",
		    http_tcp->hl_name);
		return -1;
	}
	if ((fd = fcntl(info->listen_fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		log_warn("http %s: dup", http_tcp->hl_name);
		return -1;
	}
	if ((hl = http_open_tcp(cf, pem, fd)) == NULL) {
		log_warnx("http %s: keeping the running listener",
		    http_tcp->hl_name);
		return -1;
	}
	if ((ofd = MHD_quiesce_daemon(http_tcp->hl_mhd)) != MHD_INVALID_SOCKET)
		close(ofd);
	log_info("http %s: %s now; connections to the previous server end",
	    hl->hl_name, pem != NULL ? "new TLS certificate or key" :
	    "plain HTTP");
	http_close(http_tcp);
	http_tcp = hl;
	return 0;
}

static int
http_reload_tcp(const struct conf *cf)
{
	struct http_listener *hl;
	struct tls_pem pem;
	const struct tls_pem *pp;
	char *tf;
	int tls, rv = 0;

	if (!cf->cf_admin_listen_on) {
		http_close(http_tcp);
		http_tcp = NULL;
		return 0;
	}
	/* Bad TLS files change nothing: the listener runs on as it is. */
	if ((tls = http_tls_load(cf, &pem)) == -1) {
		if (http_tcp != NULL)
			log_warnx("http %s: TLS files refused, the TCP "
			    "listener runs on unchanged", http_tcp->hl_name);
		return -1;
	}
	pp = tls == 1 ? &pem : NULL;
	if (http_tcp != NULL && http_same_addr(&http_tcp->hl_addr,
	    &cf->cf_admin_listen) && cf->cf_admin_token_file != NULL &&
	    !http_tls_same(http_tcp, pp)) {
		rv = http_retls_tcp(cf, pp);
		goto out;
	}
	if (http_tcp != NULL && http_same_addr(&http_tcp->hl_addr,
	    &cf->cf_admin_listen) && cf->cf_admin_token_file != NULL) {
		/*
		 * Same address and TLS: keep the socket and its connections,
		 * and read the token again, so a reload also rotates it.  A
		 * bad token file keeps the old token.
		 */
		if ((tf = strdup(cf->cf_admin_token_file)) == NULL) {
			log_warn("http: reload");
			rv = -1;
			goto out;
		}
		if (http_token_load(http_tcp, tf) == -1) {
			log_warnx("http %s: keeping the previous token",
			    http_tcp->hl_name);
			free(tf);
			rv = -1;
			goto out;
		}
		free(http_tcp->hl_token_file);
		http_tcp->hl_token_file = tf;
		snprintf(http_tcp->hl_name, sizeof(http_tcp->hl_name), "%s",
		    cf->cf_admin_listen.ca_text);
		/* The same pair may have moved to other paths. */
		if (pp != NULL)
			http_tls_rename(http_tcp, cf);
		goto out;
	}
	if ((hl = http_open_tcp(cf, pp, -1)) == NULL) {
		/*
		 * The new address may overlap the old one (0.0.0.0 and
		 * 127.0.0.1 on one port): let go of the old and try again.
		 */
		if (http_tcp == NULL || errno != EADDRINUSE) {
			rv = -1;
			goto out;
		}
		http_close(http_tcp);
		http_tcp = NULL;
		if ((http_tcp = http_open_tcp(cf, pp, -1)) == NULL)
			rv = -1;
		goto out;
	}
	http_close(http_tcp);
	http_tcp = hl;
out:
	if (tls == 1)
		tls_pem_free(&pem);
	return rv;
}

int
http_reload(const struct conf *cf)
{
	int rv = 0;

	if (http_reload_unix(cf) == -1)
		rv = -1;
	if (http_reload_tcp(cf) == -1)
		rv = -1;
	return rv;
}

void
http_tcp_info(struct http_tcp_info *hi)
{
	const struct http_listener *hl = http_tcp;

	memset(hi, 0, sizeof(*hi));
	if (hl == NULL)
		return;
	memcpy(hi->hi_listen, hl->hl_addr.ca_text, sizeof(hi->hi_listen));
	if (!hl->hl_tls)
		return;
	hi->hi_tls = true;
	snprintf(hi->hi_cert, sizeof(hi->hi_cert), "%s", hl->hl_tls_cert);
	memcpy(hi->hi_subject, hl->hl_tls_subject, sizeof(hi->hi_subject));
	hi->hi_not_after = hl->hl_tls_not_after;
}

void
http_stop(void)
{
	http_close(http_unix);
	http_close(http_tcp);
	http_unix = http_tcp = NULL;
	ops_free();
}
