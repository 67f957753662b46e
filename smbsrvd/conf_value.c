/*
 * conf_value.c — one configuration value: checked against its keyword's
 * type and range, converted and stored in the snapshot (the kw_set
 * handlers of conf.c's kw_table; see conf_int.h).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_int.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Values are quoted in errors cut short: a line may be 4 KiB long. */

const char *
conf_clip(const char *s, char *buf)
{
	size_t n = strlen(s);

	if (n < CONF_CLIP_MAX)
		return s;
	n = CONF_CLIP_MAX - 4;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;		/* not inside a UTF-8 sequence */
	memcpy(buf, s, n);
	memcpy(buf + n, "...", 4);
	return buf;
}

/*
 * Makes val absolute against base and normalizes it: no "//", no "."
 * component, no trailing slash.  ".." stays and symbolic links are not
 * followed: what the path means is left to the file system.
 */
char *
conf_path_resolve(const char *base, const char *val)
{
	char *in, *out, *o;
	const char *p, *e;

	if (val[0] == '/')
		in = strdup(val);
	else if (asprintf(&in, "%s/%s", base, val) == -1)
		in = NULL;
	if (in == NULL)
		return NULL;
	if ((out = malloc(strlen(in) + 2)) == NULL) {
		free(in);
		return NULL;
	}
	o = out;
	for (p = in; *p != '\0'; p = e) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		if ((e = strchr(p, '/')) == NULL)
			e = p + strlen(p);
		if (e - p == 1 && p[0] == '.')
			continue;
		*o++ = '/';
		memcpy(o, p, (size_t)(e - p));
		o += e - p;
	}
	if (o == out)
		*o++ = '/';
	*o = '\0';
	free(in);
	return out;
}

int
conf_set_path(struct conf_ctx *cx, const struct conf_kw *kw, void *obj,
    const char *val)
{
	char **dst = (char **)((char *)obj + kw->kw_off);
	char *p;
	size_t len;

	if (val[0] == '\0' && (kw->kw_flags & KW_OPTIONAL)) {
		free(*dst);
		*dst = NULL;
		return 0;
	}
	if ((p = conf_path_resolve(cx->cx_basedir, val)) == NULL)
		return conf_error(cx, "out of memory");
	if ((len = strlen(p)) > CONF_VALUE_MAX) {
		free(p);
		return conf_error(cx, "\"%s\": path too long (more than %d "
		    "bytes once absolute)", kw->kw_name, CONF_VALUE_MAX);
	}
	/*
	 * "/a /" and "/a\/." lose their slash and would end in a blank,
	 * which conf_print() cannot write back, or in a backslash, which
	 * would continue the printed line.
	 */
	if (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\\') {
		free(p);
		return conf_error(cx, "\"%s\": path may not end in a blank or a "
		    "backslash", kw->kw_name);
	}
	free(*dst);
	*dst = p;
	return 0;
}

int
conf_set_text(struct conf_ctx *cx, const struct conf_kw *kw, void *obj,
    const char *val)
{
	char **dst = (char **)((char *)obj + kw->kw_off);
	char *p;

	if ((p = strdup(val)) == NULL)
		return conf_error(cx, "out of memory");
	free(*dst);
	*dst = p;
	return 0;
}

int
conf_set_bool(struct conf_ctx *cx, const struct conf_kw *kw, void *obj,
    const char *val)
{
	static const struct {
		const char	*word;
		bool		 value;
	} words[] = {
		{ "yes", true }, { "no", false },
		{ "true", true }, { "false", false },
		{ "on", true }, { "off", false },
		{ "1", true }, { "0", false },
	};
	bool *dst = (bool *)((char *)obj + kw->kw_off);
	char buf[CONF_CLIP_MAX];
	size_t i;

	for (i = 0; i < nitems(words); i++) {
		if (strcasecmp(val, words[i].word) == 0) {
			*dst = words[i].value !=
			    ((kw->kw_flags & KW_INVERT) != 0);
			return 0;
		}
	}
	return conf_error(cx, "\"%s\": invalid boolean \"%s\" (use yes or no)",
	    kw->kw_name, conf_clip(val, buf));
}

/*
 * Whether val is word: ASCII case is ignored and, as in keywords, a run of
 * blanks counts as one space ("Bad  User" is "bad user").
 */
static bool
word_equal(const char *val, const char *word)
{
	unsigned char v, w;

	for (;;) {
		if (*word == ' ') {
			if (*val != ' ' && *val != '\t')
				return false;
			while (*val == ' ' || *val == '\t')
				val++;
			word++;
			continue;
		}
		v = (unsigned char)*val;
		w = (unsigned char)*word;
		if (v >= 'A' && v <= 'Z')
			v = (unsigned char)(v - 'A' + 'a');
		if (w >= 'A' && w <= 'Z')
			w = (unsigned char)(w - 'A' + 'a');
		if (v != w)
			return false;
		if (w == '\0')
			return true;
		val++;
		word++;
	}
}

/* The canonical word of value v, NULL if kw has none. */
const char *
conf_enum_word(const struct conf_kw *kw, int v)
{
	const struct conf_word *w;

	for (w = kw->kw_words; w->cw_word != NULL; w++)
		if (w->cw_value == v)
			return w->cw_word;
	return NULL;
}

static bool
enum_canonical(const struct conf_kw *kw, const struct conf_word *w)
{
	return conf_enum_word(kw, w->cw_value) == w->cw_word;
}

/* Writes kw's canonical words as "a, b or c", cut short if need be. */
static void
enum_choices(const struct conf_kw *kw, char *buf, size_t len)
{
	const struct conf_word *w, *last = NULL;
	size_t off = 0;
	int n;

	buf[0] = '\0';
	for (w = kw->kw_words; w->cw_word != NULL; w++)
		if (enum_canonical(kw, w))
			last = w;
	for (w = kw->kw_words; w->cw_word != NULL; w++) {
		if (!enum_canonical(kw, w))
			continue;
		n = snprintf(buf + off, len - off, "%s%s", off == 0 ? "" :
		    w == last ? " or " : ", ", w->cw_word);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
}

int
conf_set_enum(struct conf_ctx *cx, const struct conf_kw *kw, void *obj,
    const char *val)
{
	const struct conf_word *w;
	char buf[CONF_CLIP_MAX], choices[128];

	for (w = kw->kw_words; w->cw_word != NULL; w++) {
		if (word_equal(val, w->cw_word)) {
			*(int *)((char *)obj + kw->kw_off) = w->cw_value;
			return 0;
		}
	}
	enum_choices(kw, choices, sizeof(choices));
	return conf_error(cx, "\"%s\": invalid value \"%s\" (use %s)",
	    kw->kw_name, conf_clip(val, buf), choices);
}

/* Decimal digits only: 0, or -1 if not a number, -2 if above max. */
static int
parse_number(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0, d;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		d = (unsigned long)(*s - '0');
		if (d > max || v > (max - d) / 10)
			return -2;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int
conf_set_number(struct conf_ctx *cx, const struct conf_kw *kw, void *obj,
    const char *val)
{
	void *dst = (char *)obj + kw->kw_off;
	char buf[CONF_CLIP_MAX];
	unsigned long v;

	switch (parse_number(val, kw->kw_max, &v)) {
	case -1:
		return conf_error(cx, "\"%s\": invalid number \"%s\"",
		    kw->kw_name, conf_clip(val, buf));
	case -2:
		return conf_error(cx, "\"%s\": %s out of range (0 to %lu)",
		    kw->kw_name, conf_clip(val, buf), kw->kw_max);
	}
	if (kw->kw_type == KT_INT)
		*(int *)dst = (int)v;
	else
		*(unsigned int *)dst = (unsigned int)v;
	return 0;
}

/*
 * "ADDR:PORT" or "[ADDR6]:PORT", numeric only, into ca with its text
 * normalized.  Dotted quads only for IPv4: getaddrinfo() would also take
 * "127.1" and octal, which nobody means in a config file.
 */
static int
parse_addr(struct conf_ctx *cx, const struct conf_kw *kw, const char *val,
    struct conf_addr *ca)
{
	struct addrinfo hints, *res;
	struct in_addr in4;
	char host[sizeof(ca->ca_text)], hbuf[NI_MAXHOST], buf[CONF_CLIP_MAX];
	const char *written = val, *end, *port;
	unsigned long pnum;
	bool v6 = val[0] == '[';
	size_t hlen;
	int n;

	if (v6) {
		if ((end = strchr(val, ']')) == NULL || (end[1] != ':' &&
		    end[1] != '\0'))
			return conf_error(cx, "\"%s\": invalid address \"%s\"",
			    kw->kw_name, conf_clip(written, buf));
		port = end[1] == ':' ? end + 2 : NULL;
		val++;
	} else {
		if ((end = strrchr(val, ':')) != NULL &&
		    memchr(val, ':', (size_t)(end - val)) != NULL)
			return conf_error(cx, "\"%s\": IPv6 address must be in "
			    "brackets, as in \"[::1]:445\"", kw->kw_name);
		port = end != NULL ? end + 1 : NULL;
		if (end == NULL)
			end = val + strlen(val);
	}
	hlen = (size_t)(end - val);
	if (hlen >= sizeof(host))
		return conf_error(cx, "\"%s\": invalid address \"%s\"",
		    kw->kw_name, conf_clip(written, buf));
	memcpy(host, val, hlen);
	host[hlen] = '\0';
	if (port == NULL)
		return conf_error(cx, "\"%s\": missing port in \"%s\"",
		    kw->kw_name, conf_clip(written, buf));
	if (hlen == 0 || (!v6 && inet_pton(AF_INET, host, &in4) != 1))
		return conf_error(cx, "\"%s\": invalid address \"%s\"",
		    kw->kw_name, host);
	if (parse_number(port, 65535, &pnum) != 0 || pnum == 0)
		return conf_error(cx, "\"%s\": invalid port \"%s\"", kw->kw_name,
		    conf_clip(port, buf));

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = v6 ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return conf_error(cx, "\"%s\": invalid address \"%s\"",
		    kw->kw_name, host);
	memset(ca, 0, sizeof(*ca));
	if (res->ai_addrlen > sizeof(ca->ca_ss)) {
		freeaddrinfo(res);
		return conf_error(cx, "\"%s\": invalid address \"%s\"",
		    kw->kw_name, host);
	}
	memcpy(&ca->ca_ss, res->ai_addr, res->ai_addrlen);
	ca->ca_sslen = res->ai_addrlen;
	freeaddrinfo(res);
	if (getnameinfo((struct sockaddr *)&ca->ca_ss, ca->ca_sslen, hbuf,
	    sizeof(hbuf), NULL, 0, NI_NUMERICHOST) != 0)
		return conf_error(cx, "\"%s\": invalid address \"%s\"",
		    kw->kw_name, host);
	n = snprintf(ca->ca_text, sizeof(ca->ca_text), v6 ? "[%s]:%lu" :
	    "%s:%lu", hbuf, pnum);
	if (n < 0 || (size_t)n >= sizeof(ca->ca_text))
		return conf_error(cx, "\"%s\": invalid address \"%s\"",
		    kw->kw_name, host);
	return 0;
}

/*
 * Whether binding both would fail: the same family and port, and the same
 * address or a wildcard on either side.  (The server binds "[::]" with
 * IPV6_V6ONLY, so the families never overlap.)
 */
bool
conf_addr_overlap(const struct conf_addr *a, const struct conf_addr *b)
{
	const struct sockaddr_in *a4, *b4;
	const struct sockaddr_in6 *a6, *b6;

	if (a->ca_ss.ss_family != b->ca_ss.ss_family)
		return false;
	if (a->ca_ss.ss_family == AF_INET) {
		a4 = (const struct sockaddr_in *)&a->ca_ss;
		b4 = (const struct sockaddr_in *)&b->ca_ss;
		return a4->sin_port == b4->sin_port &&
		    (a4->sin_addr.s_addr == b4->sin_addr.s_addr ||
		    a4->sin_addr.s_addr == htonl(INADDR_ANY) ||
		    b4->sin_addr.s_addr == htonl(INADDR_ANY));
	}
	a6 = (const struct sockaddr_in6 *)&a->ca_ss;
	b6 = (const struct sockaddr_in6 *)&b->ca_ss;
	return a6->sin6_port == b6->sin6_port &&
	    (memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0 ||
	    IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr) ||
	    IN6_IS_ADDR_UNSPECIFIED(&b6->sin6_addr));
}

int
conf_set_listen(struct conf_ctx *cx, const struct conf_kw *kw, void *obj,
    const char *val)
{
	struct conf *cf = obj;
	struct conf_addr ca, *old;
	int i;

	if (parse_addr(cx, kw, val, &ca) == -1)
		return -1;
	for (i = 0; i < cf->cf_nsmb_listen; i++) {
		old = &cf->cf_smb_listen[i];
		if (strcmp(old->ca_text, ca.ca_text) == 0)
			return conf_error(cx, "\"%s\": duplicate address \"%s\" "
			    "(first on line %d)", kw->kw_name, ca.ca_text,
			    cx->cx_listen_line[i]);
		if (conf_addr_overlap(old, &ca))
			return conf_error(cx, "\"%s\": address \"%s\" overlaps "
			    "\"%s\" (line %d)", kw->kw_name, ca.ca_text,
			    old->ca_text, cx->cx_listen_line[i]);
	}
	if (cf->cf_nsmb_listen == CONF_MAX_LISTEN)
		return conf_error(cx, "\"%s\": too many addresses (at most %d)",
		    kw->kw_name, CONF_MAX_LISTEN);
	cx->cx_listen_line[cf->cf_nsmb_listen] = cx->cx_line;
	cf->cf_smb_listen[cf->cf_nsmb_listen++] = ca;
	return 0;
}

int
conf_set_admin_listen(struct conf_ctx *cx, const struct conf_kw *kw, void *obj,
    const char *val)
{
	struct conf *cf = obj;

	if (val[0] == '\0') {
		cf->cf_admin_listen_on = false;
		memset(&cf->cf_admin_listen, 0, sizeof(cf->cf_admin_listen));
		return 0;
	}
	if (parse_addr(cx, kw, val, &cf->cf_admin_listen) == -1)
		return -1;
	cf->cf_admin_listen_on = true;
	return 0;
}
