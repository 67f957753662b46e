/*
 * enc.c — admin records to json-c, problem+json, errno to HTTP status
 * (see enc.h).
 *
 * The errno table is the only place an admin_*() error becomes an HTTP
 * status, so every route answers the same failure the same way.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enc.h"

/*
 * admin_*() return errno values (STYLE.md).  "Bad input" that the HTTP
 * layer itself finds (a body that is not JSON) is answered 400 there; an
 * admin function that rejects a value it understood says EINVAL, which is
 * the 422 of DESIGN.md.
 */
static const struct {
	int	err;
	int	status;
} enc_errtab[] = {
	{ 0,		200 },
	{ EBADMSG,	400 },	/* malformed request */
	{ EPROTO,	400 },
	{ EPERM,	403 },
	{ EACCES,	403 },
	{ ENOENT,	404 },	/* unknown id or name */
	{ ESRCH,	404 },
	{ EEXIST,	409 },	/* conflict with the current state */
	{ EBUSY,	409 },
	{ EALREADY,	409 },
	{ ENOTEMPTY,	409 },
	{ EFBIG,	413 },
	{ E2BIG,	413 },
	{ EMSGSIZE,	413 },
	{ EINVAL,	422 },	/* a value that is understood but invalid */
	{ ERANGE,	422 },
	{ EDOM,		422 },
	{ ENAMETOOLONG,	422 },
	{ ENOTSUP,	501 },
	{ ENOSYS,	501 },
	{ ENOMEM,	503 },
	{ EAGAIN,	503 },
	{ ENOSPC,	507 },
	{ EDQUOT,	507 },
};

static const struct {
	int		 status;
	const char	*title;
} enc_titletab[] = {
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 204, "No Content" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" },
	{ 409, "Conflict" },
	{ 411, "Length Required" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" },
	{ 429, "Too Many Requests" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 503, "Service Unavailable" },
	{ 507, "Insufficient Storage" },
};

int
enc_time(char *buf, size_t len, const struct timespec *ts)
{
	struct tm tm;
	int n;

	if (gmtime_r(&ts->tv_sec, &tm) == NULL)
		return -1;
	/* RFC 3339 has four-digit years only. */
	if (tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
		return -1;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)(ts->tv_nsec / 1000000) % 1000);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return 0;
}

struct json_object *
enc_time_json(const struct timespec *ts)
{
	char buf[ENC_TIME_LEN];

	if (enc_time(buf, sizeof(buf), ts) == -1)
		return NULL;
	return json_object_new_string(buf);
}

struct json_object *
enc_id(uint64_t id)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)id);
	return json_object_new_string(buf);
}

int
enc_status(int err)
{
	size_t i;

	for (i = 0; i < sizeof(enc_errtab) / sizeof(enc_errtab[0]); i++)
		if (enc_errtab[i].err == err)
			return enc_errtab[i].status;
	return 500;
}

const char *
enc_status_title(int status)
{
	size_t i;

	for (i = 0; i < sizeof(enc_titletab) / sizeof(enc_titletab[0]); i++)
		if (enc_titletab[i].status == status)
			return enc_titletab[i].title;
	return status >= 500 ? "Server Error" : "Client Error";
}

/*
 * RFC 9457: "about:blank" says the status alone explains the problem, and
 * then the title must be the status's reason phrase.  Routes that need a
 * finer distinction can add their own type URIs later.
 */
struct json_object *
enc_problem(int status, const char *detail)
{
	struct json_object *o;
	const char *title = enc_status_title(status);

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(o, "type",
	    json_object_new_string("about:blank")) != 0 ||
	    json_object_object_add(o, "title",
	    json_object_new_string(title)) != 0 ||
	    json_object_object_add(o, "status",
	    json_object_new_int(status)) != 0 ||
	    json_object_object_add(o, "detail",
	    json_object_new_string(detail != NULL ? detail : title)) != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* An empty string in a record means "none", which JSON says as null. */
static struct json_object *
enc_str_or_null(const char *s)
{
	return s[0] == '\0' ? NULL : json_object_new_string(s);
}

struct json_object *
enc_server(const struct admin_server *as)
{
	struct json_object *o, *a, *t;
	int i, bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if ((a = json_object_new_array()) == NULL) {
		json_object_put(o);
		return NULL;
	}
	for (i = 0; i < as->nsmb_listen && i < ADMIN_MAX_LISTEN; i++)
		bad |= json_object_array_add(a,
		    json_object_new_string(as->smb_listen[i]));
	if ((t = enc_time_json(&as->start)) == NULL)
		bad = 1;

	/* json_object_object_add() takes the value even when it fails. */
	bad |= json_object_object_add(o, "name",
	    json_object_new_string(as->name));
	bad |= json_object_object_add(o, "version",
	    json_object_new_string(as->version));
	bad |= json_object_object_add(o, "guid",
	    json_object_new_string(as->guid));
	bad |= json_object_object_add(o, "start_time", t);
	bad |= json_object_object_add(o, "uptime_ms",
	    json_object_new_uint64(as->uptime_ms));
	bad |= json_object_object_add(o, "config_file",
	    enc_str_or_null(as->config_file));
	bad |= json_object_object_add(o, "state_directory",
	    json_object_new_string(as->state_dir));
	bad |= json_object_object_add(o, "smb_listen", a);
	bad |= json_object_object_add(o, "admin_socket",
	    enc_str_or_null(as->admin_socket));
	bad |= json_object_object_add(o, "admin_listen",
	    enc_str_or_null(as->admin_listen));
	bad |= json_object_object_add(o, "log_level",
	    json_object_new_int(as->log_level));
	bad |= json_object_object_add(o, "connections",
	    json_object_new_uint64(as->nconnections));
	bad |= json_object_object_add(o, "shares",
	    json_object_new_uint64(as->nshares));
	bad |= json_object_object_add(o, "reloads",
	    json_object_new_uint64(as->reloads));
	bad |= json_object_object_add(o, "durable_timeout_ms",
	    json_object_new_uint64(as->durable_timeout_ms));
	bad |= json_object_object_add(o, "durable_timeout_max_ms",
	    json_object_new_uint64(as->durable_timeout_max_ms));
	bad |= json_object_object_add(o, "resilient_timeout_ms",
	    json_object_new_uint64(as->resilient_timeout_ms));
	bad |= json_object_object_add(o, "resilient_timeout_max_ms",
	    json_object_new_uint64(as->resilient_timeout_max_ms));
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
enc_server_tcp(struct json_object *o, const struct http_tcp_info *hi)
{
	struct json_object *t = NULL, *when;
	struct timespec ts = { hi->hi_not_after, 0 };
	char url[sizeof(hi->hi_listen) + 16];
	int bad = 0;

	snprintf(url, sizeof(url), "%s://%s", hi->hi_tls ? "https" : "http",
	    hi->hi_listen);
	if (hi->hi_tls) {
		if ((t = json_object_new_object()) == NULL)
			return -1;
		if ((when = enc_time_json(&ts)) == NULL)
			bad = 1;
		bad |= json_object_object_add(t, "certificate",
		    json_object_new_string(hi->hi_cert));
		bad |= json_object_object_add(t, "subject",
		    json_object_new_string(hi->hi_subject));
		bad |= json_object_object_add(t, "not_after", when);
	}
	bad |= json_object_object_add(o, "admin_url",
	    hi->hi_listen[0] != '\0' ? json_object_new_string(url) : NULL);
	bad |= json_object_object_add(o, "admin_tls", t);
	return bad ? -1 : 0;
}

/* An id of 0 means "none". */
static struct json_object *
enc_id_or_null(uint64_t id)
{
	return id == 0 ? NULL : enc_id(id);
}

struct enc_bit {
	uint32_t	 bit;
	const char	*name;
};

static const struct enc_bit enc_access_bits[] = {
	{ 0x00000001, "FILE_READ_DATA" },
	{ 0x00000002, "FILE_WRITE_DATA" },
	{ 0x00000004, "FILE_APPEND_DATA" },
	{ 0x00000008, "FILE_READ_EA" },
	{ 0x00000010, "FILE_WRITE_EA" },
	{ 0x00000020, "FILE_EXECUTE" },
	{ 0x00000040, "FILE_DELETE_CHILD" },
	{ 0x00000080, "FILE_READ_ATTRIBUTES" },
	{ 0x00000100, "FILE_WRITE_ATTRIBUTES" },
	{ 0x00010000, "DELETE" },
	{ 0x00020000, "READ_CONTROL" },
	{ 0x00040000, "WRITE_DAC" },
	{ 0x00080000, "WRITE_OWNER" },
	{ 0x00100000, "SYNCHRONIZE" },
	{ 0x01000000, "ACCESS_SYSTEM_SECURITY" },
	{ 0x02000000, "MAXIMUM_ALLOWED" },
	{ 0x10000000, "GENERIC_ALL" },
	{ 0x20000000, "GENERIC_EXECUTE" },
	{ 0x40000000, "GENERIC_WRITE" },
	{ 0x80000000, "GENERIC_READ" },
};

static const struct enc_bit enc_share_access_bits[] = {
	{ 0x00000001, "FILE_SHARE_READ" },
	{ 0x00000002, "FILE_SHARE_WRITE" },
	{ 0x00000004, "FILE_SHARE_DELETE" },
};

static const struct enc_bit enc_oplock_values[] = {
	{ 0x00, "SMB2_OPLOCK_LEVEL_NONE" },
	{ 0x01, "SMB2_OPLOCK_LEVEL_II" },
	{ 0x08, "SMB2_OPLOCK_LEVEL_EXCLUSIVE" },
	{ 0x09, "SMB2_OPLOCK_LEVEL_BATCH" },
	{ 0xff, "SMB2_OPLOCK_LEVEL_LEASE" },
};

static const struct enc_bit enc_stype_values[] = {
	{ 0x00000000, "STYPE_DISKTREE" },
	{ 0x00000001, "STYPE_PRINTQ" },
	{ 0x00000002, "STYPE_DEVICE" },
	{ 0x00000003, "STYPE_IPC" },
};

static const struct enc_bit enc_stype_bits[] = {
	{ 0x02000000, "STYPE_CLUSTER_FS" },
	{ 0x04000000, "STYPE_CLUSTER_SOFS" },
	{ 0x08000000, "STYPE_CLUSTER_DFS" },
	{ 0x40000000, "STYPE_TEMPORARY" },
	{ 0x80000000, "STYPE_SPECIAL" },
};

static const struct enc_bit enc_lease_bits[] = {
	{ 0x00000001, "SMB2_LEASE_READ_CACHING" },
	{ 0x00000002, "SMB2_LEASE_HANDLE_CACHING" },
	{ 0x00000004, "SMB2_LEASE_WRITE_CACHING" },
};

static const struct enc_bit enc_user_flag_bits[] = {
	{ 0x00000001, "SESS_GUEST" },
	{ 0x00000002, "SESS_NOENCRYPTION" },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * A mask is a value part (one of a list, under value_mask) and flag bits;
 * OplockLevel is all value, the share type both, the rest all bits.
 */
static const struct {
	uint32_t		 value_mask;
	const struct enc_bit	*values;
	size_t			 nvalues;
	const struct enc_bit	*bits;
	size_t			 nbits;
	int			 width;		/* hex digits */
} enc_masks[] = {
	[ENC_MASK_ACCESS] = { 0, NULL, 0,
	    enc_access_bits, NELEM(enc_access_bits), 8 },
	[ENC_MASK_SHARE_ACCESS] = { 0, NULL, 0,
	    enc_share_access_bits, NELEM(enc_share_access_bits), 8 },
	[ENC_MASK_OPLOCK] = { 0xff, enc_oplock_values,
	    NELEM(enc_oplock_values), NULL, 0, 2 },
	[ENC_MASK_STYPE] = { 0xff, enc_stype_values, NELEM(enc_stype_values),
	    enc_stype_bits, NELEM(enc_stype_bits), 8 },
	[ENC_MASK_USER_FLAGS] = { 0, NULL, 0,
	    enc_user_flag_bits, NELEM(enc_user_flag_bits), 8 },
	[ENC_MASK_LEASE] = { 0, NULL, 0,
	    enc_lease_bits, NELEM(enc_lease_bits), 8 },
};

static int
enc_hex_name(struct json_object *a, uint32_t v, int width)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%0*x", width, (unsigned int)v);
	return json_object_array_add(a, json_object_new_string(buf));
}

int
enc_mask(struct json_object *o, const char *key, enum enc_mask_kind kind,
    uint32_t v)
{
	struct json_object *names;
	char nkey[64], hex[16];
	uint32_t left = v, val, b;
	size_t i;
	int bad = 0, found;

	if ((unsigned int)kind >= NELEM(enc_masks))
		return -1;
	if ((names = json_object_new_array()) == NULL)
		return -1;
	if (enc_masks[kind].value_mask != 0) {
		val = v & enc_masks[kind].value_mask;
		left &= ~enc_masks[kind].value_mask;
		found = 0;
		for (i = 0; i < enc_masks[kind].nvalues; i++) {
			if (enc_masks[kind].values[i].bit != val)
				continue;
			bad |= json_object_array_add(names,
			    json_object_new_string(
			    enc_masks[kind].values[i].name));
			found = 1;
		}
		if (!found)
			bad |= enc_hex_name(names, val,
			    enc_masks[kind].width);
	}
	for (i = 0; i < enc_masks[kind].nbits; i++) {
		b = enc_masks[kind].bits[i].bit;
		if ((left & b) != b)
			continue;
		bad |= json_object_array_add(names, json_object_new_string(
		    enc_masks[kind].bits[i].name));
		left &= ~b;
	}
	for (b = 1; left != 0 && b != 0; b <<= 1) {
		if (left & b) {
			bad |= enc_hex_name(names, b, 8);
			left &= ~b;
		}
	}
	snprintf(hex, sizeof(hex), "0x%0*x", enc_masks[kind].width,
	    (unsigned int)v);
	snprintf(nkey, sizeof(nkey), "%s_names", key);
	/* json_object_object_add() takes the value even when it fails. */
	bad |= json_object_object_add(o, key, json_object_new_string(hex));
	bad |= json_object_object_add(o, nkey, names);
	return bad ? -1 : 0;
}

/* Adds one member; the value is taken even when adding fails. */
#define ADD(o, k, v)	json_object_object_add((o), (k), (v))

static struct json_object *enc_lease(const struct admin_open *);

static struct json_object *
enc_done(struct json_object *o, int bad)
{
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* A time that must be there; a record without it is not built. */
static int
enc_add_time(struct json_object *o, const char *k, const struct timespec *ts)
{
	struct json_object *t;

	if ((t = enc_time_json(ts)) == NULL)
		return -1;
	return ADD(o, k, t);
}

struct json_object *
enc_statistics(const struct admin_stats *st)
{
	struct json_object *o, *d;
	struct timespec start = { (time_t)st->start, 0 };
	int bad = 0, i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	/* STAT_SERVER_0 as NetrServerStatisticsGet gives it: DWORDs. */
	bad |= ADD(o, "sts0_start", json_object_new_uint64(
	    (uint32_t)st->start));
	bad |= ADD(o, "sts0_fopens", json_object_new_uint64(
	    (uint32_t)st->fopens));
	bad |= ADD(o, "sts0_devopens", json_object_new_uint64(
	    (uint32_t)st->devopens));
	bad |= ADD(o, "sts0_jobsqueued", json_object_new_uint64(
	    (uint32_t)st->jobsqueued));
	bad |= ADD(o, "sts0_sopens", json_object_new_uint64(
	    (uint32_t)st->sopens));
	bad |= ADD(o, "sts0_stimedout", json_object_new_uint64(
	    (uint32_t)st->stimedout));
	bad |= ADD(o, "sts0_serrorout", json_object_new_uint64(
	    (uint32_t)st->serrorout));
	bad |= ADD(o, "sts0_pwerrors", json_object_new_uint64(
	    (uint32_t)st->pwerrors));
	bad |= ADD(o, "sts0_permerrors", json_object_new_uint64(
	    (uint32_t)st->permerrors));
	bad |= ADD(o, "sts0_syserrors", json_object_new_uint64(
	    (uint32_t)st->syserrors));
	bad |= ADD(o, "sts0_bytessent_low", json_object_new_uint64(
	    (uint32_t)st->bytessent));
	bad |= ADD(o, "sts0_bytessent_high", json_object_new_uint64(
	    (uint32_t)(st->bytessent >> 32)));
	bad |= ADD(o, "sts0_bytesrcvd_low", json_object_new_uint64(
	    (uint32_t)st->bytesrcvd));
	bad |= ADD(o, "sts0_bytesrcvd_high", json_object_new_uint64(
	    (uint32_t)(st->bytesrcvd >> 32)));
	bad |= ADD(o, "sts0_avresponse", json_object_new_uint64(
	    (uint32_t)st->avresponse));
	bad |= ADD(o, "sts0_reqbufneed", json_object_new_uint64(
	    (uint32_t)st->reqbufneed));
	bad |= ADD(o, "sts0_bigbufneed", json_object_new_uint64(
	    (uint32_t)st->bigbufneed));

	/* Ours, not MS-SRVS: whole counters and current counts. */
	bad |= enc_add_time(o, "start_time", &start);
	bad |= ADD(o, "bytes_sent", json_object_new_uint64(st->bytessent));
	bad |= ADD(o, "bytes_received", json_object_new_uint64(
	    st->bytesrcvd));
	bad |= ADD(o, "connections", json_object_new_uint64(st->connections));
	bad |= ADD(o, "sessions", json_object_new_uint64(st->sessions));
	if ((d = json_object_new_object()) == NULL)
		bad = 1;
	for (i = 0; d != NULL && i < ADMIN_NDIALECTS; i++)
		bad |= ADD(d, admin_dialect_name(i), json_object_new_uint64(
		    st->sessions_by_dialect[i]));
	bad |= ADD(o, "sessions_by_dialect", d);
	bad |= ADD(o, "trees", json_object_new_uint64(st->trees));
	bad |= ADD(o, "opens", json_object_new_uint64(st->opens));
	bad |= ADD(o, "events_last_seq", json_object_new_uint64(
	    st->events_last_seq));
	return enc_done(o, bad);
}

struct json_object *
enc_conn(const struct admin_conn *ac)
{
	struct json_object *o;
	int bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	bad |= ADD(o, "id", enc_id(ac->id));
	bad |= ADD(o, "client", json_object_new_string(ac->client));
	bad |= ADD(o, "server", json_object_new_string(ac->server));
	bad |= ADD(o, "dialect", enc_str_or_null(ac->dialect));
	bad |= ADD(o, "state", json_object_new_string(ac->closing ?
	    "closing" : "live"));
	bad |= enc_add_time(o, "created", &ac->since);
	bad |= ADD(o, "connected_ms", json_object_new_uint64(ac->age_ms));
	bad |= ADD(o, "messages_in", json_object_new_uint64(
	    ac->messages_in));
	bad |= ADD(o, "output_queued_bytes", json_object_new_uint64(
	    ac->output_queued));
	bad |= ADD(o, "sessions", json_object_new_uint64(ac->nsessions));
	return enc_done(o, bad);
}

struct json_object *
enc_session(const struct admin_session *as)
{
	struct json_object *o;
	int bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	bad |= ADD(o, "id", enc_id(as->id));
	bad |= ADD(o, "smb_session_id", enc_id(as->smb_id));
	bad |= ADD(o, "connection_id", enc_id_or_null(as->conn_id));
	bad |= ADD(o, "state", json_object_new_string(as->state));
	bad |= ADD(o, "user", enc_str_or_null(as->user));
	bad |= ADD(o, "domain", enc_str_or_null(as->domain));
	bad |= ADD(o, "client", json_object_new_string(as->client));
	bad |= ADD(o, "dialect", json_object_new_string(as->dialect));
	bad |= ADD(o, "transport", json_object_new_string(as->transport));
	bad |= ADD(o, "opens", json_object_new_uint64(as->nopens));
	bad |= ADD(o, "trees", json_object_new_uint64(as->ntrees));
	bad |= ADD(o, "channels", json_object_new_uint64(as->nchannels));
	bad |= enc_add_time(o, "created", &as->since);
	bad |= ADD(o, "connected_ms", json_object_new_uint64(
	    as->connected_ms));
	bad |= ADD(o, "idle_ms", json_object_new_uint64(as->idle_ms));
	bad |= ADD(o, "guest", json_object_new_boolean(as->guest));
	bad |= ADD(o, "anonymous", json_object_new_boolean(as->anonymous));
	bad |= ADD(o, "encrypted", json_object_new_boolean(as->encrypted));
	bad |= ADD(o, "signing_required", json_object_new_boolean(
	    as->signing));
	bad |= enc_mask(o, "user_flags", ENC_MASK_USER_FLAGS, as->user_flags);
	return enc_done(o, bad);
}

struct json_object *
enc_tree(const struct admin_tree *at)
{
	struct json_object *o;
	int bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	bad |= ADD(o, "id", enc_id(at->id));
	bad |= ADD(o, "session_id", enc_id_or_null(at->session_id));
	bad |= ADD(o, "smb_tree_id", json_object_new_uint64(at->smb_id));
	bad |= ADD(o, "share", json_object_new_string(at->share));
	bad |= enc_mask(o, "share_type", ENC_MASK_STYPE, at->share_type);
	bad |= ADD(o, "opens", json_object_new_uint64(at->nopens));
	bad |= ADD(o, "users", json_object_new_int(1));
	bad |= ADD(o, "user", enc_str_or_null(at->user));
	bad |= ADD(o, "client", enc_str_or_null(at->client));
	bad |= enc_add_time(o, "created", &at->since);
	bad |= ADD(o, "connected_ms", json_object_new_uint64(
	    at->connected_ms));
	bad |= enc_mask(o, "maximal_access", ENC_MASK_ACCESS,
	    at->maximal_access);
	bad |= ADD(o, "encrypted", json_object_new_boolean(at->encrypted));
	return enc_done(o, bad);
}

struct json_object *
enc_open(const struct admin_open *ao)
{
	struct json_object *o, *fid;
	int bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if ((fid = json_object_new_object()) == NULL)
		bad = 1;
	else {
		bad |= ADD(fid, "persistent", enc_id(ao->persistent));
		bad |= ADD(fid, "volatile", enc_id(ao->volatile_id));
	}
	bad |= ADD(o, "id", enc_id(ao->id));
	bad |= ADD(o, "session_id", enc_id_or_null(ao->session_id));
	bad |= ADD(o, "tree_id", enc_id_or_null(ao->tree_id));
	bad |= ADD(o, "state", json_object_new_string(ao->detached ?
	    "detached" : "active"));
	bad |= ADD(o, "smb_file_id", fid);
	bad |= ADD(o, "path", json_object_new_string(ao->path));
	bad |= ADD(o, "local_path", enc_str_or_null(ao->local_path));
	bad |= ADD(o, "share", enc_str_or_null(ao->share));
	bad |= ADD(o, "user", enc_str_or_null(ao->user));
	bad |= ADD(o, "client", enc_str_or_null(ao->client));
	bad |= ADD(o, "directory", json_object_new_boolean(ao->is_directory));
	bad |= enc_mask(o, "permissions", ENC_MASK_ACCESS, ao->access);
	bad |= enc_mask(o, "share_access", ENC_MASK_SHARE_ACCESS,
	    ao->share_access);
	bad |= enc_mask(o, "oplock_level", ENC_MASK_OPLOCK, ao->oplock);
	bad |= ADD(o, "locks", json_object_new_uint64(ao->nlocks));
	bad |= ADD(o, "delete_on_close", json_object_new_boolean(
	    ao->delete_on_close));
	bad |= enc_add_time(o, "created", &ao->since);
	bad |= ADD(o, "open_ms", json_object_new_uint64(ao->open_ms));
	bad |= ADD(o, "lease", enc_lease(ao));
	bad |= ADD(o, "durability", enc_str_or_null(ao->durability));
	bad |= ADD(o, "durable_timeout_ms", ao->durability[0] != '\0' ?
	    json_object_new_uint64(ao->durable_timeout_ms) : NULL);
	return enc_done(o, bad);
}

/* Open.Lease: null, or {key, version, state, breaking, break_to, epoch}. */
static struct json_object *
enc_lease(const struct admin_open *ao)
{
	struct json_object *o;
	int bad = 0;

	if (!ao->has_lease || (o = json_object_new_object()) == NULL)
		return NULL;
	bad |= ADD(o, "key", json_object_new_string(ao->lease_key));
	bad |= ADD(o, "version", json_object_new_int(ao->lease_version));
	bad |= enc_mask(o, "state", ENC_MASK_LEASE, ao->lease_state);
	bad |= ADD(o, "breaking", json_object_new_boolean(ao->lease_breaking));
	bad |= enc_mask(o, "break_to", ENC_MASK_LEASE, ao->lease_break_to);
	bad |= ADD(o, "epoch", json_object_new_int(ao->lease_epoch));
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *
enc_share(const struct admin_share *ash)
{
	struct json_object *o;
	int bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	bad |= ADD(o, "name", json_object_new_string(ash->name));
	bad |= enc_mask(o, "type", ENC_MASK_STYPE, ash->type);
	bad |= ADD(o, "comment", json_object_new_string(ash->comment));
	bad |= ADD(o, "path", enc_str_or_null(ash->path));
	bad |= ADD(o, "read_only", json_object_new_boolean(ash->read_only));
	bad |= ADD(o, "guest_ok", json_object_new_boolean(ash->guest_ok));
	bad |= ADD(o, "encrypt", json_object_new_boolean(ash->encrypt));
	/* shi502_max_uses 0xFFFFFFFF: unlimited, which JSON says as null. */
	bad |= ADD(o, "max_uses", ash->max_uses == 0xffffffffu ? NULL :
	    json_object_new_uint64(ash->max_uses));
	bad |= ADD(o, "current_uses", json_object_new_uint64(
	    ash->current_uses));
	bad |= ADD(o, "durable_timeout_ms", json_object_new_uint64(
	    ash->durable_timeout_ms));
	return enc_done(o, bad);
}

struct json_object *
enc_user(const struct admin_user *au)
{
	struct json_object *o;
	int bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	bad |= ADD(o, "name", json_object_new_string(au->name));
	bad |= ADD(o, "enabled", json_object_new_boolean(au->enabled));
	return enc_done(o, bad);
}

struct json_object *
enc_scav(const struct admin_scav *sc)
{
	struct json_object *o;
	int bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	bad |= ADD(o, "id", enc_id(sc->id));
	bad |= ADD(o, "path", json_object_new_string(sc->path));
	bad |= ADD(o, "share", enc_str_or_null(sc->share));
	bad |= ADD(o, "reason", json_object_new_string(sc->reason));
	bad |= ADD(o, "timeout_ms", json_object_new_uint64(sc->timeout_ms));
	bad |= ADD(o, "deadline", enc_time_json(&sc->deadline));
	bad |= ADD(o, "remaining_ms", json_object_new_uint64(
	    sc->remaining_ms));
	bad |= ADD(o, "disconnected", enc_time_json(&sc->disconnected));
	bad |= ADD(o, "client", enc_str_or_null(sc->client));
	bad |= ADD(o, "client_guid", json_object_new_string(
	    sc->client_guid));
	bad |= ADD(o, "user", enc_str_or_null(sc->user));
	bad |= ADD(o, "create_guid", enc_str_or_null(sc->create_guid));
	return enc_done(o, bad);
}

struct json_object *
enc_scav_timer(const struct admin_scav_timer *t)
{
	struct json_object *o;
	int bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	bad |= ADD(o, "pending", json_object_new_uint64(t->pending));
	bad |= ADD(o, "next_expiry", t->running ? enc_time_json(&t->next) :
	    NULL);
	bad |= ADD(o, "remaining_ms", t->running ?
	    json_object_new_uint64(t->remaining_ms) : NULL);
	return enc_done(o, bad);
}

struct json_object *
enc_event(const struct event *ev)
{
	struct json_object *o, *ids;
	const char *type = events_type_name(ev->ev_type);
	int bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if ((ids = json_object_new_object()) == NULL)
		bad = 1;
	else {
		/* Only the ids the event concerns. */
		if (ev->ev_session != 0)
			bad |= ADD(ids, "session", enc_id(ev->ev_session));
		if (ev->ev_tree != 0)
			bad |= ADD(ids, "tree", enc_id(ev->ev_tree));
		if (ev->ev_open != 0)
			bad |= ADD(ids, "open", enc_id(ev->ev_open));
		if (ev->ev_conn != 0)
			bad |= ADD(ids, "connection", enc_id(ev->ev_conn));
	}
	bad |= ADD(o, "seq", json_object_new_uint64(ev->ev_seq));
	bad |= enc_add_time(o, "time", &ev->ev_time);
	bad |= ADD(o, "type", json_object_new_string(type != NULL ? type :
	    "unknown"));
	bad |= ADD(o, "ids", ids);
	bad |= ADD(o, "share", enc_str_or_null(ev->ev_share));
	bad |= ADD(o, "user", enc_str_or_null(ev->ev_user));
	bad |= ADD(o, "client", enc_str_or_null(ev->ev_client));
	bad |= ADD(o, "path", enc_str_or_null(ev->ev_path));
	bad |= ADD(o, "by", enc_str_or_null(ev->ev_by));
	return enc_done(o, bad);
}

/*
 * json-c's strict mode still reads NaN and Infinity, which no JSON text
 * can carry; refuse them rather than let a handler meet one.
 */
static bool
enc_json_finite(struct json_object *o)
{
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_double:
		return isfinite(json_object_get_double(o));
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (!enc_json_finite(json_object_array_get_idx(o, i)))
				return false;
		return true;
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			(void)key;
			if (!enc_json_finite(val))
				return false;
		}
		return true;
	}
	default:
		return true;
	}
}

int
enc_json_parse(const char *buf, size_t len, struct json_object **out,
    char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *o = NULL;
	enum json_tokener_error jerr;
	size_t end;

	*out = NULL;
	/* json-c would stop at a NUL and call the rest trailing garbage. */
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(err, errlen, "body contains a NUL byte");
		return -1;
	}
	if (len > INT32_MAX) {
		snprintf(err, errlen, "body too large");
		return -1;
	}
	if ((tok = json_tokener_new_ex(ENC_JSON_DEPTH)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_ALLOW_TRAILING_CHARS | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (o == NULL) {
		snprintf(err, errlen, "body is not JSON: %s",
		    jerr == json_tokener_continue ? "unexpected end" :
		    json_tokener_error_desc(jerr));
		return -1;
	}
	for (; end < len; end++) {
		if (strchr(" \t\r\n", buf[end]) == NULL) {
			snprintf(err, errlen, "body has data after the JSON "
			    "object, at byte %zu", end);
			json_object_put(o);
			return -1;
		}
	}
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "body is not a JSON object");
		json_object_put(o);
		return -1;
	}
	if (!enc_json_finite(o)) {
		snprintf(err, errlen, "body has a number JSON cannot hold");
		json_object_put(o);
		return -1;
	}
	*out = o;
	return 0;
}

char *
enc_text(struct json_object *o, size_t *lenp)
{
	const char *s;
	size_t len;
	char *buf;

	s = json_object_to_json_string_length(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL || (buf = malloc(len + 2)) == NULL)
		return NULL;
	memcpy(buf, s, len);
	buf[len] = '\n';
	buf[len + 1] = '\0';
	*lenp = len + 1;
	return buf;
}
