/*
 * server.c — the global server object: start-up, reload and shutdown.
 */
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "conn.h"
#include "events.h"
#include "http.h"
#include "listen.h"
#include "log.h"
#include "notify.h"
#include "ofile.h"
#include "server.h"
#include "share.h"
#include "smb2_dispatch.h"
#include "smb3_crypt.h"
#include "smb3_kdf.h"
#include "smb3_sign.h"
#include "ntlm.h"
#include "srvs.h"
#include "userdb.h"

struct server	server;

void
server_init(void)
{
	memset(&server, 0, sizeof(server));
	TAILQ_INIT(&server.sv_conns);
	LIST_INIT(&server.sv_listeners);
	TAILQ_INIT(&server.sv_shares);
	TAILQ_INIT(&server.sv_sessions);
	idtab_init(&server.sv_session_ids);
	TAILQ_INIT(&server.sv_opens);
	idtab_init(&server.sv_open_ids);
	server.sv_pid_fd = -1;
	clock_real(&server.sv_start_real);
	server.sv_start_mono = clock_mono_ms();
	if (getrandom(server.sv_guid, sizeof(server.sv_guid), 0) !=
	    (ssize_t)sizeof(server.sv_guid))
		fatal("getrandom");
	/* RFC 4122 version 4 layout, as Windows shows server GUIDs. */
	server.sv_guid[7] = (server.sv_guid[7] & 0x0f) | 0x40;
	server.sv_guid[8] = (server.sv_guid[8] & 0x3f) | 0x80;
	conn_set_handlers(smb2_conn_input, smb2_conn_gone);
	srvs_init(server.sv_start_real.tv_sec);
}

int
server_load_users(const struct conf *cf)
{
	struct userdb *db;
	char err[512];

	if ((db = userdb_load(cf->cf_user_db, err, sizeof(err))) == NULL) {
		log_warnx("user database: %s%s", err, server.sv_users != NULL ?
		    " (keeping the one loaded before)" : "");
		return -1;
	}
	userdb_free(server.sv_users);
	server.sv_users = db;
	log_info("user database %s: %zu user(s)", cf->cf_user_db,
	    userdb_count(db));
	return 0;
}

/* mkdir -p; an existing directory is fine, anything else an error. */
static int
mkdirs(const char *path, mode_t mode)
{
	char buf[4096], *p;
	struct stat st;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, mode) == -1 && errno != EEXIST)
			return -1;
		*p = c;
		if (c == '\0')
			break;
	}
	if (stat(path, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static bool
path_inside(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '/' || n == 1);
}

/*
 * Share folders inside the state directory are ours and are created; a
 * share elsewhere must exist already (an administrator's folder is never
 * made up by a typo), and a missing one is reported.
 */
static void
server_check_shares(const struct conf *cf)
{
	struct conf_share *sh;
	struct stat st;

	TAILQ_FOREACH(sh, &cf->cf_shares, sh_entry) {
		if (path_inside(sh->sh_path, cf->cf_state_dir) &&
		    mkdirs(sh->sh_path, 0755) == -1)
			log_warn("share [%s]: cannot create %s", sh->sh_name,
			    sh->sh_path);
		else if (stat(sh->sh_path, &st) == -1)
			log_warn("share [%s]: %s", sh->sh_name, sh->sh_path);
		else if (!S_ISDIR(st.st_mode))
			log_warnx("share [%s]: %s is not a directory",
			    sh->sh_name, sh->sh_path);
	}
}

static int
server_lock_pid(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1) {
		log_warn("pid file %s", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		log_warnx("already running (pid file %s locked, pid %s)", path,
		    buf[0] != '\0' ? buf : "unknown");
		close(fd);
		return -1;
	}
	server.sv_pid_fd = fd;
	return 0;
}

int
server_write_pid(void)
{
	char buf[32];
	int n;

	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(server.sv_pid_fd, 0) == -1 ||
	    pwrite(server.sv_pid_fd, buf, (size_t)n, 0) != n) {
		log_warn("pid file %s", server.sv_conf->cf_pid_file);
		return -1;
	}
	return 0;
}

int
server_start(struct conf *cf)
{
	server.sv_conf = cf;
	if (!log_level_pinned())
		log_setlevel(cf->cf_log_level);
	if (mkdirs(cf->cf_state_dir, 0755) == -1) {
		log_warn("state directory %s", cf->cf_state_dir);
		return -1;
	}
	/*
	 * Our pid goes in before any listener opens, so whoever sees the
	 * socket sees the pid too; daemon() rewrites it for the child.
	 */
	if (server_lock_pid(cf->cf_pid_file) == -1 ||
	    server_write_pid() == -1)
		return -1;
	server_check_shares(cf);
	/* Fetch every algorithm now, so a missing one fails the start. */
	if (smb3_kdf_init() == -1 || smb3_sign_init() == -1 ||
	    smb3_crypt_init() == -1 || ntlm_init() == -1) {
		log_warnx("cryptography unavailable (OpenSSL providers)");
		return -1;
	}
	/* A database that cannot be read leaves only guests: say so. */
	(void)server_load_users(cf);
	if (share_apply(cf) == -1)
		return -1;
	if (listen_apply(cf) == -1)
		return -1;
	if (http_start(cf) == -1)
		return -1;
	log_info("started %s with %d share(s)", cf->cf_file != NULL ?
	    cf->cf_file : "the embedded default configuration",
	    cf->cf_nshares);
	return 0;
}

/* Keeps settings that only a restart can change, and says so. */
static void
server_keep_restart_only(struct conf *ncf, const struct conf *ocf)
{
	char **np[] = { &ncf->cf_state_dir, &ncf->cf_pid_file };
	char *const *op[] = { &ocf->cf_state_dir, &ocf->cf_pid_file };
	const char *names[] = { "state directory", "pid file" };
	size_t i;

	for (i = 0; i < sizeof(np) / sizeof(np[0]); i++) {
		char *keep;

		if (strcmp(*np[i], *op[i]) == 0)
			continue;
		if ((keep = strdup(*op[i])) == NULL)
			continue;
		log_warnx("reload: \"%s\" changes only at restart, keeping %s",
		    names[i], keep);
		free(*np[i]);
		*np[i] = keep;
	}
}

void
server_reload(struct conf *cf)
{
	struct conf *old = server.sv_conf;
	struct event ev;
	int failed = 0;

	server_keep_restart_only(cf, old);
	server.sv_conf = cf;
	if (!log_level_pinned())
		log_setlevel(cf->cf_log_level);
	server_check_shares(cf);
	/* Each part that fails keeps what it had and logs why. */
	failed += server_load_users(cf) == -1;
	failed += share_apply(cf) == -1;
	failed += listen_apply(cf) == -1;
	failed += http_reload(cf) == -1;
	server.sv_reloads++;
	conf_free(old);
	if (failed)
		log_warnx("configuration reloaded (%d share(s)), but %d part(s) "
		    "kept their old state: see the messages above",
		    cf->cf_nshares, failed);
	else
		log_info("configuration reloaded (%d share(s))",
		    cf->cf_nshares);
	memset(&ev, 0, sizeof(ev));
	ev.ev_type = EV_SERVER_RELOADED;
	snprintf(ev.ev_by, sizeof(ev.ev_by), "SIGHUP");
	events_append(&ev);
}

void
server_apply_shares(struct conf *cf)
{
	struct conf *old = server.sv_conf;

	server_keep_restart_only(cf, old);
	server.sv_conf = cf;
	server_check_shares(cf);
	(void)share_apply(cf);
	conf_free(old);
}

void
server_shutdown(void)
{
	server.sv_stopping = true;
	listen_close_all();
	conn_close_all();
	/*
	 * The connections took their sessions and live opens with them;
	 * durable and resilient ones left for the scavenger close now, and
	 * with no watch left the inotify descriptor goes.
	 */
	ofile_close_all();
	notify_shutdown();
	http_stop();
	share_clear();
	idtab_free(&server.sv_session_ids);
	idtab_free(&server.sv_open_ids);
	userdb_free(server.sv_users);
	server.sv_users = NULL;
	smb3_crypt_cleanup();
	smb3_sign_cleanup();
	smb3_kdf_cleanup();
	if (server.sv_pid_fd != -1) {
		if (server.sv_conf != NULL)
			(void)unlink(server.sv_conf->cf_pid_file);
		close(server.sv_pid_fd);
		server.sv_pid_fd = -1;
	}
	conf_free(server.sv_conf);
	server.sv_conf = NULL;
}
