/*
 * sse.c — server-sent events framing (WHATWG HTML, 9.2.6), as "events
 * --follow" reads them.
 *
 * Bytes arrive in whatever pieces the transport gives; they are split
 * into lines at LF (a CR before it is dropped; smbsrvd sends no bare
 * CR), the "data:" lines of one event are joined with LF, and a blank
 * line hands the event's data to the callback.  Comments (":"), "id:",
 * "event:" and "retry:" lines are read and dropped: the data carries
 * the seq.  A line longer than SSE_LINE_MAX is dropped whole, and the
 * event it belonged to with it, rather than cut.
 */
#include <stdlib.h>
#include <string.h>

#include "smbctl.h"

void
sse_init(struct sse *s, int (*fn)(const char *, size_t, void *), void *arg)
{
	memset(s, 0, sizeof(*s));
	s->ss_fn = fn;
	s->ss_arg = arg;
}

void
sse_free(struct sse *s)
{
	free(s->ss_line);
	free(s->ss_data);
	memset(s, 0, sizeof(*s));
}

static int
sse_line(struct sse *s, const char *line, size_t len)
{
	const char *v;
	size_t vlen;
	char *nd;
	int rv;

	if (len == 0) {
		if (s->ss_dlen == 0 && !s->ss_have) {
			s->ss_bad = false;
			return 0;
		}
		rv = 0;
		if (!s->ss_bad)
			rv = s->ss_fn(s->ss_data ? s->ss_data : "",
			    s->ss_dlen, s->ss_arg);
		s->ss_dlen = 0;
		s->ss_have = false;
		s->ss_bad = false;
		return rv;
	}
	if (len < 5 || memcmp(line, "data", 4) != 0 ||
	    (line[4] != ':'))
		return 0;	/* a comment, id:, event:, retry: */
	v = line + 5;
	if (*v == ' ')
		v++;
	vlen = len - (size_t)(v - line);
	if (s->ss_dlen + vlen + 2 > SSE_LINE_MAX) {
		s->ss_bad = true;
		return 0;
	}
	if ((nd = realloc(s->ss_data, s->ss_dlen + vlen + 2)) == NULL)
		return -1;
	s->ss_data = nd;
	if (s->ss_have)
		nd[s->ss_dlen++] = '\n';
	memcpy(nd + s->ss_dlen, v, vlen);
	s->ss_dlen += vlen;
	nd[s->ss_dlen] = '\0';
	s->ss_have = true;
	return 0;
}

int
sse_feed(struct sse *s, const char *p, size_t len)
{
	size_t i;
	char *nl;

	if (s->ss_line == NULL && (s->ss_line = malloc(SSE_LINE_MAX)) ==
	    NULL)
		return -1;
	for (i = 0; i < len; i++) {
		if (p[i] != '\n') {
			if (s->ss_len + 1 >= SSE_LINE_MAX)
				s->ss_toolong = true;
			else
				s->ss_line[s->ss_len++] = p[i];
			continue;
		}
		if (s->ss_len > 0 && s->ss_line[s->ss_len - 1] == '\r')
			s->ss_len--;
		s->ss_line[s->ss_len] = '\0';
		nl = s->ss_line;
		if (s->ss_toolong) {
			/* Drop the line, and the event it was part of. */
			s->ss_toolong = false;
			s->ss_bad = true;
			s->ss_len = 0;
			continue;
		}
		if (sse_line(s, nl, s->ss_len) == -1) {
			s->ss_len = 0;
			return -1;
		}
		s->ss_len = 0;
	}
	return 0;
}
