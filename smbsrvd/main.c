/*
 * main.c — smbsrvd: arguments, signals, start the loop.  Nothing else.
 */
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <termios.h>

#include <openssl/crypto.h>

#include "conf.h"
#include "conn.h"
#include "ntlm.h"
#include "userdb.h"
#include "log.h"
#include "loop.h"
#include "server.h"
#include "web.h"

static struct loop_io	sig_io;

/*
 * A password from the terminal (twice, without echo) or one line of
 * standard input.  0, or -1 with a message on stderr.
 */
static int
read_password(char *buf, size_t size)
{
	struct termios old, quiet;
	char again[256];
	bool tty = isatty(STDIN_FILENO);
	int rc = -1;

	if (tty) {
		if (tcgetattr(STDIN_FILENO, &old) == -1)
			return -1;
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		fputs("New password: ", stderr);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(buf, (int)size, stdin) == NULL)
		goto out;
	buf[strcspn(buf, "\r\n")] = '\0';
	if (tty) {
		fputs("\nRetype new password: ", stderr);
		if (fgets(again, sizeof(again), stdin) == NULL)
			goto out;
		again[strcspn(again, "\r\n")] = '\0';
		if (strcmp(buf, again) != 0) {
			fputs("\nsmbsrvd: passwords do not match\n", stderr);
			goto out;
		}
	}
	rc = 0;
out:
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		if (rc == 0)
			fputc('\n', stderr);
	}
	OPENSSL_cleanse(again, sizeof(again));
	if (rc == -1 && !tty)
		fputs("smbsrvd: no password on standard input\n", stderr);
	return rc;
}

/*
 * --add-user NAME: adds a user (or sets the password of an existing one)
 * in the configured user database, storing only the NT hash.  A running
 * daemon picks the change up on SIGHUP.
 */
static int
add_user(const struct conf *cf, const char *name)
{
	struct userdb *db;
	char err[512], pw[256];
	uint8_t hash[USERDB_HASH_LEN];
	const char *why;
	int rc = 1, e;

	if ((why = userdb_name_check(name)) != NULL) {
		fprintf(stderr, "smbsrvd: %s: %s\n", name, why);
		return 1;
	}
	if ((db = userdb_load(cf->cf_user_db, err, sizeof(err))) == NULL) {
		fprintf(stderr, "smbsrvd: %s\n", err);
		return 1;
	}
	if (read_password(pw, sizeof(pw)) == -1)
		goto out;
	if (pw[0] == '\0') {
		fputs("smbsrvd: empty password refused\n", stderr);
		goto out;
	}
	if (ntlm_nthash(pw, hash) == -1) {
		fputs("smbsrvd: password is not valid UTF-8\n", stderr);
		goto out;
	}
	e = userdb_add(db, name, hash, true);
	if (e == EEXIST)
		e = userdb_set_hash(db, name, hash);
	if (e != 0) {
		fprintf(stderr, "smbsrvd: %s: %s\n", name, strerror(e));
		goto out;
	}
	if (userdb_save(db, cf->cf_user_db) == -1) {
		fprintf(stderr, "smbsrvd: %s: %s\n", cf->cf_user_db,
		    strerror(errno));
		goto out;
	}
	fprintf(stderr, "smbsrvd: user %s saved in %s\n", name,
	    cf->cf_user_db);
	rc = 0;
out:
	OPENSSL_cleanse(pw, sizeof(pw));
	OPENSSL_cleanse(hash, sizeof(hash));
	userdb_free(db);
	return rc;
}

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: smbsrvd [-fnv] [-c file] [-d level]\n"
	    "  -c, --config FILE   configuration file (default: the embedded "
	    "default)\n"
	    "  -d, --debug LEVEL   log level 0-10 (overrides \"log level\")\n"
	    "  -f, --foreground    stay in the foreground, log to stderr\n"
	    "  -n, --check         check the configuration and exit\n"
	    "  -v, --verbose       with -n: print the configuration "
	    "normalized\n"
	    "      --add-user NAME add a user or set its password (read from\n"
	    "                      the terminal or one line of standard input)\n"
	    "      --version       print the version and exit\n"
	    "      --help          print this help and exit\n");
	exit(status);
}

static void
reload(void)
{
	const char *file = server.sv_conf->cf_file;
	struct conf *cf;
	char err[512];

	log_info("reloading %s", file != NULL ? file :
	    "the embedded default configuration");
	if ((cf = conf_load(file, err, sizeof(err))) == NULL) {
		log_warnx("reload failed, keeping the running configuration: "
		    "%s", err);
		return;
	}
	server_reload(cf);
}

static void
signal_cb(struct loop_io *io, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)arg;
	while (read(io->io_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("%s received, shutting down",
			    si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			loop_break();
			break;
		case SIGHUP:
			reload();
			break;
		case SIGUSR1:
		case SIGUSR2:
			/* An explicit change wins over the foreground floor. */
			log_setfloor(0);
			log_setlevel_pinned(log_getlevel() +
			    (si.ssi_signo == SIGUSR1 ? 1 : -1));
			log_warnx("log level now %d", log_getlevel());
			break;
		}
	}
}

static int
signals_setup(void)
{
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		return -1;
	loop_io_init(&sig_io, fd, signal_cb, NULL);
	return loop_io_add(&sig_io, EPOLLIN);
}

/*
 * Message buffers go up to CONN_MAX_MSG (8 MiB and a little): a READ
 * response is built, chained and queued in buffers that size, and a
 * WRITE arrives in one.  glibc serves blocks that large with a fresh
 * mmap() each and unmaps them on free(), so every 8 MiB READ touched
 * thousands of new zero pages, one page fault each; in a virtual machine
 * that cost some 100 ms a READ (smbclient get: 70 MiB/s against 750).
 * Kept in the heap instead, a freed buffer is the next one's warm
 * memory.  Twice CONN_MAX_MSG covers a message buffer grown by doubling
 * and stays under glibc's ceiling for the threshold (32 MiB).  The trim
 * threshold lets the heap keep a few such buffers free at its top rather
 * than give them back and fault them in again.  Both are fixed values,
 * so glibc's own adjusting of them stops too.
 */
static void
malloc_tune(void)
{
	if (mallopt(M_MMAP_THRESHOLD, 2 * CONN_MAX_MSG) != 1 ||
	    mallopt(M_TRIM_THRESHOLD, 8 * CONN_MAX_MSG) != 1)
		log_warnx("mallopt failed: large messages will be slower");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "debug",	required_argument,	NULL, 'd' },
		{ "foreground",	no_argument,		NULL, 'f' },
		{ "check",	no_argument,		NULL, 'n' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "version",	no_argument,		NULL, 'V' },
		{ "add-user",	required_argument,	NULL, 'U' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	const char *file = NULL, *newuser = NULL;
	int ch, foreground = 0, check = 0, verbose = 0, level = -1;
	struct conf *cf;
	char err[512], *end;
	long l;

	while ((ch = getopt_long(argc, argv, "c:d:fnv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'd':
			errno = 0;
			l = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg ||
			    l < 0 || l > LOG_LVL_MAX) {
				fprintf(stderr, "smbsrvd: -d: log level must "
				    "be 0-%d\n", LOG_LVL_MAX);
				return 1;
			}
			level = (int)l;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'U':
			newuser = optarg;
			break;
		case 'V':
			printf("smbsrvd %s\n", SMBSRVD_VERSION);
			return 0;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);

	log_init("smbsrvd", 1, level >= 0 ? level : LOG_LVL_WARN);
	if ((cf = conf_load(file, err, sizeof(err))) == NULL) {
		fprintf(stderr, "smbsrvd: %s\n", err);
		return 1;
	}
	if (newuser != NULL) {
		int rc;

		/* The state directory holds the database: make sure it exists. */
		if (mkdir(cf->cf_state_dir, 0755) == -1 && errno != EEXIST) {
			fprintf(stderr, "smbsrvd: %s: %s\n", cf->cf_state_dir,
			    strerror(errno));
			conf_free(cf);
			return 1;
		}
		rc = add_user(cf, newuser);
		conf_free(cf);
		return rc;
	}
	if (check) {
		if (verbose)
			conf_print(stdout, cf);
		fprintf(stderr, "smbsrvd: configuration OK (%s)\n",
		    file != NULL ? file : "embedded default");
		conf_free(cf);
		return 0;
	}
	if (level >= 0)
		log_setlevel_pinned(level);
	else if (foreground)
		log_setfloor(LOG_LVL_INFO);

	malloc_tune();
	server_init();
	if (loop_init() == -1)
		fatal("event loop");
	if (signals_setup() == -1)
		fatal("signals");
	if (server_start(cf) == -1) {
		server_shutdown();
		loop_free();
		return 1;
	}
	/* The web UI's sign-in link shows only on the terminal, never in logs. */
	if (isatty(STDERR_FILENO))
		web_signin_print(stderr, cf);
	if (!foreground) {
		/* Keep the directory: the embedded default is relative. */
		if (daemon(1, 0) == -1)
			fatal("daemon");
		log_init("smbsrvd", 0, log_getlevel());
		if (server_write_pid() == -1) {
			server_shutdown();
			loop_free();
			return 1;
		}
	}
	log_warnx("smbsrvd %s ready", SMBSRVD_VERSION);
	if (loop_run() == -1)
		log_warnx("event loop failed");
	server_shutdown();
	loop_io_del(&sig_io);
	close(sig_io.io_fd);
	loop_free();
	log_warnx("stopped");
	log_close();
	return 0;
}
