/*
 * bench_opens.c — GET /api/v1/opens page time with 1 000, 10 000 and
 * 100 000 open records (issue 6), not pass/fail.
 *
 *   make bench-opens        (or: build/bench/bench_opens [-r REPS] [N...])
 *
 * Why not the real daemon: every open holds a descriptor, and where the
 * descriptor hard limit cannot be raised (no CAP_SYS_RESOURCE) the daemon
 * cannot hold 100 000 opens; tests/bench/bench_api.py measures it with as
 * many as the limit allows.  Here the daemon's own code runs in this
 * process, linked from the same optimized library as bin/smbsrvd: the
 * event loop, libmicrohttpd in its epoll mode on a Unix socket
 * (rpc/http.c), the route table and JSON encoding (rpc/ops.c, rpc/enc.c)
 * and admin.c's listing.  The opens are registered as a CREATE registers
 * them — ofile_open() on a real file of a real share, srvs and admin
 * index included — by sessions and tree connects made with session_new()
 * and tree_connect().  The one difference: each open gives its
 * descriptor back right after ofile_open() (of_fd -1, as
 * tests/unit/test_lifecycle.c does for its 100 000 opens).  Nothing on
 * the listing path reads of_fd (admin.c fill_open()), so the records, and
 * the work of listing them, are those of opens that keep theirs.
 *
 * The sizes are visited up and then down again (1 000, 10 000, 100 000,
 * 100 000, 10 000, 1 000: opens are closed to shrink the table), so each
 * size is measured twice around the same moment and a shared machine's
 * drifting load falls on all of them alike.
 *
 * A second thread is the client: libcurl on the Unix socket with one
 * kept-alive connection, as an admin poller would be, timing each whole
 * request (HTTP included).  Every answer is checked afterwards, untimed:
 * status 200, the number of items expected, and next_cursor.  The loop
 * thread (this one) does what the daemon's loop does.
 *
 * Layout of the opens: four sessions (alice, bob, carol, dave) take turns,
 * so user=bob matches one open in four; 1 000 files, and one open in
 * 1 000 is of rare/x.bin, so path=rare/ matches one in 1 000 and a page
 * of it walks the whole table (the filters are not indexed).
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "conf.h"
#include "conn.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "ntstatus.h"
#include "ofile.h"
#include "server.h"
#include "session.h"
#include "share.h"
#include "tree.h"

#define NUSERS		4
#define NFILES		1000
#define RARE_EVERY	1000
#define MAX_SIZES	8
#define MAX_ROWS	16
#define WALK_LIMIT	1000

static const char *const users[NUSERS] = { "alice", "bob", "carol", "dave" };

static char		 dir[64], share_dir[96], sock_path[128];
static struct conf	*cf;
static struct share	*data;
static struct conn	*c;
static int		 peer;
static struct session	*sess[NUSERS];
static struct tree	*trees[NUSERS];
static uint32_t		*ids;		/* FileGlobalId of open i */
static struct ofile	**ofs;		/* open i, while nopens > i */
static size_t		 nopens;

/* One kind of request, timed reps times at each size. */
struct row {
	const char	*label;
	char		 path[160];
	long		 expect_items;	/* -1: not a page */
	bool		 expect_more;
	double		*t[MAX_SIZES];	/* ms, every visit's */
	int		 nt[MAX_SIZES];
	size_t		 bytes[MAX_SIZES];	/* of the last answer */
};

static struct row	 rows[MAX_ROWS];
static int		 nrows;
static int		 reps = 30;

struct walk {
	size_t		 pages, items;	/* of one visit */
	double		 total_ms, max_ms;	/* of every visit */
	int		 visits;
};
static struct walk	 walks[MAX_SIZES];

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_opens: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- the server side (loop thread) ---- */

static void
setup(void)
{
	struct sockaddr_storage ss;
	char text[1024], err[256], name[160];
	int sv[2], n, i, fd;

	snprintf(dir, sizeof(dir), "/tmp/bench_opens.XXXXXX");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp: %s", strerror(errno));
	snprintf(share_dir, sizeof(share_dir), "%s/data", dir);
	snprintf(sock_path, sizeof(sock_path), "%s/smbsrvd.sock", dir);
	if (mkdir(share_dir, 0700) == -1)
		die("%s: %s", share_dir, strerror(errno));
	for (i = 0; i <= NFILES; i++) {
		if (i == NFILES) {
			snprintf(name, sizeof(name), "%s/rare", share_dir);
			if (mkdir(name, 0700) == -1)
				die("%s: %s", name, strerror(errno));
			snprintf(name, sizeof(name), "%s/rare/x.bin",
			    share_dir);
		} else
			snprintf(name, sizeof(name), "%s/f%03d.bin",
			    share_dir, i);
		if ((fd = open(name, O_CREAT | O_WRONLY | O_CLOEXEC,
		    0600)) == -1)
			die("%s: %s", name, strerror(errno));
		close(fd);
	}
	log_init("bench_opens", 1, LOG_LVL_ERR);
	if (loop_init() == -1)
		die("loop_init");
	server_init();
	n = snprintf(text, sizeof(text),
	    "[global]\n\tsmb listen = 127.0.0.1:1\n"
	    "\tstate directory = %s\n\tadmin socket = %s\n"
	    "[data]\n\tpath = %s\n\tread only = no\n",
	    dir, sock_path, share_dir);
	if (n < 0 || (size_t)n >= sizeof(text))
		die("configuration too long");
	if ((cf = conf_parse(text, (size_t)n, "bench.conf", "/", err,
	    sizeof(err))) == NULL)
		die("configuration: %s", err);
	server.sv_conf = cf;
	if (share_apply(cf) == -1 || (data = share_lookup("data")) == NULL)
		die("share");
	if (http_start(cf) == -1)
		die("http_start");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == -1)
		die("socketpair: %s", strerror(errno));
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	if ((c = conn_accept(sv[0], &ss, sizeof(sa_family_t))) == NULL)
		die("conn_accept");
	c->c_dialect = 0x0311;
	/*
	 * As when its first message arrives (conn.c): else the connection
	 * is dropped after CONN_FIRST_MSG_MS, and every open with it.
	 */
	loop_timer_cancel(&c->c_first_msg);
	peer = sv[1];
	for (i = 0; i < NUSERS; i++) {
		struct session *s;

		if ((s = session_new(c)) == NULL)
			die("session_new");
		s->s_authenticated = true;
		snprintf(s->s_user, sizeof(s->s_user), "%s", users[i]);
		snprintf(s->s_client, sizeof(s->s_client),
		    "192.0.2.%d:%d", 10 + i, 50000 + i);
		session_set_state(s, SESSION_VALID);
		if (tree_connect(s, data, &trees[i]) != STATUS_SUCCESS)
			die("tree_connect");
		sess[i] = s;
	}
}

/* Registers opens until there are n, as successful CREATEs would. */
static void
grow(size_t n)
{
	struct ofile *of, **nofs;
	char path[32];
	uint32_t *nids;
	size_t i;
	int fd, u;

	if (n <= nopens) {
		/* Shrink: the newest go, as CLOSE would take them. */
		while (nopens > n)
			ofile_close(ofs[--nopens]);
		return;
	}
	if ((nids = realloc(ids, n * sizeof(*ids))) == NULL ||
	    (ids = nids, (nofs = realloc(ofs, n * sizeof(*ofs))) == NULL))
		die("out of memory");
	ofs = nofs;
	for (i = nopens; i < n; i++) {
		u = (int)(i % NUSERS);
		if (i % RARE_EVERY == RARE_EVERY - 1)
			snprintf(path, sizeof(path), "rare/x.bin");
		else
			snprintf(path, sizeof(path), "f%03zu.bin",
			    (i / NUSERS) % NFILES);
		if ((fd = openat(trees[u]->t_root, path,
		    O_RDONLY | O_CLOEXEC)) == -1)
			die("%s: %s", path, strerror(errno));
		if (ofile_open(sess[u], trees[u], fd, path, path, false,
		    FILE_READ_DATA | FILE_READ_ATTRIBUTES,
		    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
		    0, &of) != STATUS_SUCCESS)
			die("ofile_open %zu", i);
		/* See the top of the file: the listing never reads it. */
		close(of->of_fd);
		of->of_fd = -1;
		ids[i] = of->of_global_id;
		ofs[i] = of;
	}
	nopens = n;
}

static void
teardown(void)
{
	char name[160];
	int i;

	ofile_close_all();
	conn_close_all();
	loop_once(0);
	http_stop();
	share_clear();
	share_rele(data);
	conf_free(cf);
	server.sv_conf = NULL;
	close(peer);
	loop_free();
	free(ids);
	free(ofs);
	for (i = 0; i < NFILES; i++) {
		snprintf(name, sizeof(name), "%s/f%03d.bin", share_dir, i);
		(void)unlink(name);
	}
	snprintf(name, sizeof(name), "%s/rare/x.bin", share_dir);
	(void)unlink(name);
	snprintf(name, sizeof(name), "%s/rare", share_dir);
	(void)rmdir(name);
	(void)rmdir(share_dir);
	(void)rmdir(dir);
}

/* ---- the rows, set for each size ---- */

static struct row *
row(int i, const char *label)
{
	if (i >= MAX_ROWS)
		die("too many rows");
	if (i >= nrows)
		nrows = i + 1;
	rows[i].label = label;
	return &rows[i];
}

static void
page_row(int i, const char *label, const char *query, long items, bool more)
{
	struct row *r = row(i, label);

	snprintf(r->path, sizeof(r->path), "/api/v1/opens?%s", query);
	r->expect_items = items;
	r->expect_more = more;
}

/* The query of the page of limit opens in the middle of n. */
static void
middle(char *q, size_t len, size_t n, size_t limit)
{
	size_t start = (n - limit) / 2;

	if (start == 0)
		snprintf(q, len, "limit=%zu", limit);
	else
		snprintf(q, len, "limit=%zu&cursor=%u", limit, ids[start - 1]);
}

static void
set_rows(size_t n)
{
	char q[128];
	size_t mid = n / 2, rare = n / RARE_EVERY;
	int i = 0;

	page_row(i++, "opens first page, limit=100", "limit=100", 100, true);
	page_row(i++, "opens first page, limit=1000", "limit=1000", 1000,
	    n > 1000);
	middle(q, sizeof(q), n, 100);
	page_row(i++, "opens middle page (cursor), limit=100", q, 100, true);
	middle(q, sizeof(q), n, 1000);
	page_row(i++, "opens middle page (cursor), limit=1000", q, 1000,
	    n > 1000);
	snprintf(q, sizeof(q), "limit=100&cursor=%u", ids[n - 101]);
	page_row(i++, "opens last page (cursor), limit=100", q, 100, false);
	/* bob holds opens 1, 5, 9 ...: one in four. */
	page_row(i++, "opens user=bob (1 in 4), limit=100",
	    "user=bob&limit=100", 100, true);
	snprintf(q, sizeof(q), "user=bob&limit=100&cursor=%u", ids[mid - 1]);
	page_row(i++, "opens user=bob, middle page, limit=100", q, 100, true);
	page_row(i++, "opens path=rare/ (1 in 1000), limit=100",
	    "path=rare/&limit=100", (long)(rare < 100 ? rare : 100),
	    rare > 100);
	{
		struct row *r = row(i++, "one open, GET opens/{id}");

		snprintf(r->path, sizeof(r->path), "/api/v1/opens/%u",
		    ids[mid]);
		r->expect_items = -1;
	}
	{
		struct row *r = row(i++, "GET statistics");

		snprintf(r->path, sizeof(r->path), "/api/v1/statistics");
		r->expect_items = -1;
	}
}

/* ---- the client (its own thread) ---- */

struct body {
	char	*buf;
	size_t	 len, size;
};

static size_t
body_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb;

	if (b->len + n + 1 > b->size) {
		size_t ns = (b->len + n + 1) * 2;
		char *nb = realloc(b->buf, ns);

		if (nb == NULL)
			return 0;
		b->buf = nb;
		b->size = ns;
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return n;
}

/* One GET; its time in ms.  The answer stays in b. */
static double
fetch(CURL *h, struct body *b, const char *path)
{
	char url[256];
	long code = 0;
	double t;

	snprintf(url, sizeof(url), "http://localhost%s", path);
	b->len = 0;
	curl_easy_setopt(h, CURLOPT_URL, url);
	t = now_ms();
	if (curl_easy_perform(h) != CURLE_OK)
		die("GET %s failed", path);
	t = now_ms() - t;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200)
		die("GET %s: HTTP %ld: %.200s", path, code,
		    b->buf != NULL ? b->buf : "");
	return t;
}

/* A page as expected, or die; its next_cursor (NULL: last) copied. */
static void
check_page(const struct body *b, const char *path, long items, bool more,
    char *next, size_t nextlen)
{
	struct json_object *o, *it, *nc;
	size_t n;

	if ((o = json_tokener_parse(b->buf)) == NULL ||
	    !json_object_object_get_ex(o, "items", &it) ||
	    !json_object_is_type(it, json_type_array) ||
	    !json_object_object_get_ex(o, "next_cursor", &nc))
		die("GET %s: not a page", path);
	n = json_object_array_length(it);
	if (items >= 0 && (long)n != items)
		die("GET %s: %zu items, expected %ld: %.300s", path, n, items,
		    b->buf);
	if (items >= 0 && (nc != NULL) != more)
		die("GET %s: next_cursor %s, expected %s", path,
		    nc != NULL ? "set" : "null", more ? "set" : "null");
	if (next != NULL) {
		snprintf(next, nextlen, "%s", nc != NULL ?
		    json_object_get_string(nc) : "");
	}
	json_object_put(o);
}

/* GET statistics says n opens, or die. */
static void
check_count(const struct body *b, size_t n)
{
	struct json_object *o, *v;

	if ((o = json_tokener_parse(b->buf)) == NULL ||
	    !json_object_object_get_ex(o, "opens", &v) ||
	    json_object_get_int64(v) != (int64_t)n)
		die("GET statistics: not %zu opens: %.300s", n, b->buf);
	json_object_put(o);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median and p95 of a row's samples at one size (sorts them). */
static void
stats(struct row *r, int s, double *med, double *p95)
{
	double *t = r->t[s];
	int n = r->nt[s], k;

	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	*med = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	k = (n * 95 + 99) / 100 - 1;
	*p95 = t[k < 0 ? 0 : k];
}

static void
stop_loop(void *arg)
{
	(void)arg;
	loop_break();
}

struct client_arg {
	int		 size_ix;
	size_t		 n;
};

static void *
client(void *arg)
{
	struct client_arg *ca = arg;
	struct body b = { NULL, 0, 0 };
	double m;
	char path[160], next[32];
	struct walk *w = &walks[ca->size_ix];
	CURL *h;
	int i, k;

	if ((h = curl_easy_init()) == NULL)
		die("client setup");
	curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, sock_path);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	for (i = 0; i < nrows; i++) {
		struct row *r = &rows[i];
		double *t;

		if (r->t[ca->size_ix] == NULL && (r->t[ca->size_ix] =
		    calloc(2 * (size_t)reps, sizeof(double))) == NULL)
			die("out of memory");
		t = r->t[ca->size_ix] + r->nt[ca->size_ix];
		r->nt[ca->size_ix] += reps;
		/* One untimed request warms the connection and checks. */
		(void)fetch(h, &b, r->path);
		if (r->expect_items >= 0)
			check_page(&b, r->path, r->expect_items,
			    r->expect_more, NULL, 0);
		for (k = 0; k < reps; k++)
			t[k] = fetch(h, &b, r->path);
		if (r->expect_items >= 0)
			check_page(&b, r->path, r->expect_items,
			    r->expect_more, NULL, 0);
		r->bytes[ca->size_ix] = b.len;
	}
	/* The server still holds every open: statistics agree. */
	(void)fetch(h, &b, "/api/v1/statistics");
	check_count(&b, ca->n);
	/* Every page at limit=1000, following next_cursor to the end. */
	w->pages = w->items = 0;
	w->visits++;
	snprintf(path, sizeof(path), "/api/v1/opens?limit=%d", WALK_LIMIT);
	for (;;) {
		size_t left = ca->n - w->items;
		long want = (long)(left < WALK_LIMIT ? left : WALK_LIMIT);

		m = fetch(h, &b, path);
		w->total_ms += m;
		if (m > w->max_ms)
			w->max_ms = m;
		w->pages++;
		check_page(&b, path, want, left > WALK_LIMIT, next,
		    sizeof(next));
		w->items += (size_t)want;
		if (next[0] == '\0')
			break;
		snprintf(path, sizeof(path),
		    "/api/v1/opens?limit=%d&cursor=%s", WALK_LIMIT, next);
	}
	if (w->items != ca->n)
		die("walk saw %zu opens of %zu", w->items, ca->n);
	curl_easy_cleanup(h);
	free(b.buf);
	if (loop_post(stop_loop, NULL) == -1)
		die("loop_post");
	return NULL;
}

/* ---- main ---- */

static void
usage(void)
{
	fprintf(stderr, "usage: bench_opens [-r reps] [opens ...]\n"
	    "  default: -r 30 1000 10000 100000\n");
	exit(2);
}

static long
number(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		usage();
	return v;
}

int
main(int argc, char **argv)
{
	size_t sizes[MAX_SIZES] = { 1000, 10000, 100000 };
	int nsizes = 3, ch, i, s, v;
	double med[MAX_SIZES], p95;
	pthread_t th;
	struct client_arg ca;
	double t;

	while ((ch = getopt(argc, argv, "r:")) != -1) {
		if (ch == 'r')
			reps = (int)number(optarg, 1, 100000);
		else
			usage();
	}
	if (optind < argc) {
		nsizes = 0;
		for (i = optind; i < argc; i++) {
			if (nsizes == MAX_SIZES)
				usage();
			sizes[nsizes++] = (size_t)number(argv[i], 1000,
			    10000000);
		}
	}
	for (i = 1; i < nsizes; i++)
		if (sizes[i] <= sizes[i - 1])
			die("sizes must grow");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		die("curl_global_init");
	setup();
	for (v = 0; v < 2 * nsizes; v++) {
		s = v < nsizes ? v : 2 * nsizes - 1 - v;
		t = now_ms();
		grow(sizes[s]);
		fprintf(stderr, "bench_opens: %zu opens (%.0f ms to get there)"
		    "\n", sizes[s], now_ms() - t);
		set_rows(sizes[s]);
		ca.size_ix = s;
		ca.n = sizes[s];
		if (pthread_create(&th, NULL, client, &ca) != 0)
			die("pthread_create");
		if (loop_run() == -1)
			die("loop_run");
		pthread_join(th, NULL);
	}

	printf("\nGET /api/v1/opens through the daemon's code (rpc/http.c "
	    "libmicrohttpd on a Unix\nsocket, libcurl client, keep-alive), "
	    "%d timed requests per cell (two visits):\nmedian / p95 ms\n\n",
	    2 * reps);
	printf("%-40s", "request");
	for (s = 0; s < nsizes; s++) {
		char h[32];

		snprintf(h, sizeof(h), "%zu opens", sizes[s]);
		printf(" %15s", h);
	}
	printf(" %8s %9s\n", "growth", "body KiB");
	printf("%-40s", "");
	for (s = 0; s < nsizes; s++)
		printf(" %15s", "");
	printf(" %8s %9s\n", "", "(largest)");
	for (i = 0; i < nrows; i++) {
		printf("%-40s", rows[i].label);
		for (s = 0; s < nsizes; s++) {
			char cell[32];

			stats(&rows[i], s, &med[s], &p95);
			snprintf(cell, sizeof(cell), "%.2f / %.2f", med[s],
			    p95);
			printf(" %15s", cell);
			free(rows[i].t[s]);
		}
		printf(" %7.1fx %9.1f\n", med[nsizes - 1] / med[0],
		    (double)rows[i].bytes[nsizes - 1] / 1024);
	}
	printf("%-40s", "every page at limit=1000: mean total ms");
	for (s = 0; s < nsizes; s++) {
		char cell[32];

		snprintf(cell, sizeof(cell), "%.0f (%zu pg)",
		    walks[s].total_ms / walks[s].visits, walks[s].pages);
		printf(" %15s", cell);
	}
	printf("\n%-40s", "  ... per page: mean / max ms");
	for (s = 0; s < nsizes; s++) {
		char cell[32];

		snprintf(cell, sizeof(cell), "%.2f / %.2f",
		    walks[s].total_ms / walks[s].visits /
		    (double)walks[s].pages, walks[s].max_ms);
		printf(" %15s", cell);
	}
	printf("\n\ngrowth = median at %zu opens / median at %zu.  "
	    "The path filter is not\nindexed: its page walks the table "
	    "until it has 100 matches.\n", sizes[nsizes - 1], sizes[0]);
	teardown();
	curl_global_cleanup();
	return 0;
}
