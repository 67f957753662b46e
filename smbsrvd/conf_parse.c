/*
 * conf_parse.c — the line reader of the configuration (see conf.h).
 *
 * Turns the text of smbsrvd.conf into section headers and "key = value"
 * pairs; what they mean is conf.c's business.  The rules follow smb.conf:
 *
 *   - a line is at most CONF_LINE_MAX bytes without its "\n" or "\r\n",
 *     holds valid UTF-8 and no control character but tab;
 *   - a line whose first non-blank character is '#' or ';' is a comment;
 *   - a line ending in a backslash (trailing blanks allowed) goes on with
 *     the next line, whose leading blanks are dropped; a comment line
 *     never continues, and a continuation line is never a comment;
 *   - "[name]" opens a section; after the ']' only blanks or a comment;
 *   - anything else is "key = value", split at the first '='.  There are
 *     no comments after a value: "comment = #1" means "#1".
 *
 * A UTF-8 byte order mark at the very start is skipped, as Windows editors
 * write one.  Errors name the physical line for byte-level problems and
 * the first line of the logical line for the others.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

void
conf_parse_init(struct conf_parser *cp, const char *buf, size_t len)
{
	memset(cp, 0, sizeof(*cp));
	cp->cp_buf = buf;
	cp->cp_len = buf == NULL ? 0 : len;
	if (cp->cp_len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		cp->cp_off = 3;
}

static enum conf_tok
fail(struct conf_parser *cp, int line, const char *msg)
{
	cp->cp_line = line;
	snprintf(cp->cp_err, sizeof(cp->cp_err), "%s", msg);
	return CONF_TOK_ERROR;
}

/* NULL if the bytes are acceptable, else what is wrong with them. */
static const char *
check_bytes(const unsigned char *p, size_t n, char *buf, size_t len)
{
	unsigned int c, u, min;
	size_t i, j, need;

	if (memchr(p, '\0', n) != NULL)
		return "NUL byte";
	for (i = 0; i < n; i += need + 1) {
		c = p[i];
		need = 0;
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				snprintf(buf, len, "control character 0x%02x",
				    c);
				return buf;
			}
			continue;
		}
		/*
		 * 0xc0, 0xc1 and 0xf5 up can only start overlong or
		 * out-of-range sequences.
		 */
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			min = 0x10000;
		} else
			return "invalid UTF-8";
		if (n - i - 1 < need)
			return "invalid UTF-8";
		u = c & (0x3fu >> need);
		for (j = 1; j <= need; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return "invalid UTF-8";
			u = (u << 6) | (p[i + j] & 0x3f);
		}
		if (u < min || u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff))
			return "invalid UTF-8";
	}
	return NULL;
}

/*
 * Reads the next physical line into (*p, *n), without its line end, and
 * checks it.  -1 (and cp_err) if it is not acceptable.
 */
static int
next_line(struct conf_parser *cp, const char **p, size_t *n)
{
	const char *start = cp->cp_buf + cp->cp_off, *nl;
	size_t len = cp->cp_len - cp->cp_off;
	const char *why;
	char buf[64];

	cp->cp_lineno++;
	if ((nl = memchr(start, '\n', len)) != NULL) {
		len = (size_t)(nl - start);
		cp->cp_off += len + 1;
	} else
		cp->cp_off = cp->cp_len;
	if (len > 0 && start[len - 1] == '\r')
		len--;
	if (len > CONF_LINE_MAX) {
		snprintf(buf, sizeof(buf), "line too long (more than %d bytes)",
		    CONF_LINE_MAX);
		fail(cp, cp->cp_lineno, buf);
		return -1;
	}
	if ((why = check_bytes((const unsigned char *)start, len, buf,
	    sizeof(buf))) != NULL) {
		fail(cp, cp->cp_lineno, why);
		return -1;
	}
	*p = start;
	*n = len;
	return 0;
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

static void
ltrim(const char **p, size_t *n)
{
	while (*n > 0 && blank(**p)) {
		(*p)++;
		(*n)--;
	}
}

static char *
trim(char *s)
{
	size_t n;

	while (blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Lower case (ASCII), blank runs made one space; trimmed already. */
static void
normalize_key(char *k)
{
	char *o = k;
	bool gap = false;

	for (; *k != '\0'; k++) {
		if (blank(*k)) {
			gap = true;
			continue;
		}
		if (gap)
			*o++ = ' ';
		gap = false;
		*o++ = (*k >= 'A' && *k <= 'Z') ? (char)(*k - 'A' + 'a') : *k;
	}
	*o = '\0';
}

/* Splits the logical line in cp_text into a header or a pair. */
static enum conf_tok
classify(struct conf_parser *cp)
{
	char *text = cp->cp_text, *close, *rest, *eq;

	if (text[0] == '[') {
		if ((close = strchr(text, ']')) == NULL)
			return fail(cp, cp->cp_line,
			    "missing \"]\" in section header");
		rest = close + 1;
		while (blank(*rest))
			rest++;
		if (*rest != '\0' && *rest != '#' && *rest != ';')
			return fail(cp, cp->cp_line,
			    "junk after section header");
		*close = '\0';
		cp->cp_name = trim(text + 1);
		cp->cp_value = NULL;
		return CONF_TOK_SECTION;
	}
	if ((eq = strchr(text, '=')) == NULL)
		return fail(cp, cp->cp_line,
		    "expected \"keyword = value\" or \"[section]\"");
	*eq = '\0';
	cp->cp_name = trim(text);
	if (cp->cp_name[0] == '\0')
		return fail(cp, cp->cp_line, "missing keyword before \"=\"");
	normalize_key(text);
	cp->cp_value = trim(eq + 1);
	return CONF_TOK_PAIR;
}

enum conf_tok
conf_parse_next(struct conf_parser *cp)
{
	const char *p;
	size_t n, tlen;
	bool more;

	for (;;) {
		if (cp->cp_off >= cp->cp_len)
			return CONF_TOK_END;
		if (next_line(cp, &p, &n) == -1)
			return CONF_TOK_ERROR;
		ltrim(&p, &n);
		if (n == 0 || p[0] == '#' || p[0] == ';')
			continue;
		break;
	}
	cp->cp_line = cp->cp_lineno;
	tlen = 0;
	for (;;) {
		while (n > 0 && blank(p[n - 1]))
			n--;
		if ((more = n > 0 && p[n - 1] == '\\'))
			n--;
		if (n > CONF_LINE_MAX - tlen) {
			char buf[64];

			snprintf(buf, sizeof(buf), "line too long (more "
			    "than %d bytes)", CONF_LINE_MAX);
			return fail(cp, cp->cp_lineno, buf);
		}
		memcpy(cp->cp_text + tlen, p, n);
		tlen += n;
		/* A backslash on the last line of the file joins nothing. */
		if (!more || cp->cp_off >= cp->cp_len)
			break;
		if (next_line(cp, &p, &n) == -1)
			return CONF_TOK_ERROR;
		ltrim(&p, &n);
	}
	while (tlen > 0 && blank(cp->cp_text[tlen - 1]))
		tlen--;
	cp->cp_text[tlen] = '\0';
	/*
	 * "x\\" followed by a blank line leaves a backslash at the end.  It
	 * could not be written back (it would continue the next line), so
	 * it is refused rather than kept.
	 */
	if (tlen > 0 && cp->cp_text[tlen - 1] == '\\')
		return fail(cp, cp->cp_line, "line ends in a backslash that "
		    "continues nothing");
	return classify(cp);
}
