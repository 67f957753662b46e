/*
 * output.c — how smbctl prints: aligned tables, records, JSON, impacts.
 *
 * Every value comes out of the API's JSON through out_member(), which
 * checks types; a member that is missing or of another type prints as
 * "-" rather than being guessed at.  Durations arrive in milliseconds
 * and sizes in bytes; tables show them readable.  Long paths are elided
 * in the middle, where they say least.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smbctl.h"

#define OUT_PATH_MAX	48	/* a path column wider than this is elided */

struct json_object *
out_member(struct json_object *o, const char *path)
{
	struct json_object *v;
	char key[64];
	const char *dot;
	size_t len;

	while (o != NULL && json_object_is_type(o, json_type_object)) {
		dot = strchr(path, '.');
		len = dot ? (size_t)(dot - path) : strlen(path);
		if (len >= sizeof(key))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		if (!json_object_object_get_ex(o, key, &v))
			return NULL;
		if (dot == NULL)
			return v;
		o = v;
		path = dot + 1;
	}
	return NULL;
}

const char *
out_string(struct json_object *o, const char *path)
{
	struct json_object *v = out_member(o, path);

	return v != NULL && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

bool
out_uint(struct json_object *o, const char *path, uint64_t *vp)
{
	struct json_object *v = out_member(o, path);

	if (v == NULL || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0)
		return false;
	*vp = json_object_get_uint64(v);
	return true;
}

/* "2d 3h", "4m 5s", "6.250s": two units are enough to read. */
void
out_duration(char *buf, size_t len, uint64_t ms)
{
	uint64_t s = ms / 1000, d = s / 86400, h = s / 3600 % 24,
	    m = s / 60 % 60;

	s %= 60;
	if (ms < 1000)
		snprintf(buf, len, "%llums", (unsigned long long)ms);
	else if (d > 0)
		snprintf(buf, len, "%llud %lluh", (unsigned long long)d,
		    (unsigned long long)h);
	else if (h > 0)
		snprintf(buf, len, "%lluh %llum", (unsigned long long)h,
		    (unsigned long long)m);
	else if (m > 0)
		snprintf(buf, len, "%llum %llus", (unsigned long long)m,
		    (unsigned long long)s);
	else
		snprintf(buf, len, "%llu.%01llus", (unsigned long long)s,
		    (unsigned long long)(ms % 1000 / 100));
}

void
out_size(char *buf, size_t len, uint64_t n)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB",
	    "PiB", "EiB" };
	double v = (double)n;
	int u = 0;

	if (n < 1024) {
		snprintf(buf, len, "%lluB", (unsigned long long)n);
		return;
	}
	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f%s", v, units[u]);
}

/* "…" in the middle of a path too long for its column. */
static void
out_elide(char *buf, size_t len, const char *s)
{
	size_t n = strlen(s), head, tail;

	if (n <= OUT_PATH_MAX || len < OUT_PATH_MAX + 4) {
		snprintf(buf, len, "%s", s);
		return;
	}
	/* Keep more of the end: the file name says most. */
	tail = OUT_PATH_MAX * 2 / 3;
	head = OUT_PATH_MAX - tail - 1;
	snprintf(buf, len, "%.*s\u2026%s", (int)head, s, s + n - tail);
}

void
out_format(char *buf, size_t len, struct json_object *v, enum out_fmt fmt)
{
	const char *s;
	size_t i, n, off;
	uint64_t u;

	if (v == NULL || json_object_is_type(v, json_type_null)) {
		snprintf(buf, len, "-");
		return;
	}
	switch (fmt) {
	case FMT_DURATION:
	case FMT_REMAINING:
	case FMT_SIZE:
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) < 0)
			break;
		u = json_object_get_uint64(v);
		if (fmt == FMT_SIZE)
			out_size(buf, len, u);
		else
			out_duration(buf, len, u);
		return;
	case FMT_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			break;
		snprintf(buf, len, "%s", json_object_get_boolean(v) ? "yes" :
		    "no");
		return;
	case FMT_TIME:
		/* 2026-11-18T11:06:40.250Z as 2026-11-18 11:06:40 */
		if (!json_object_is_type(v, json_type_string))
			break;
		s = json_object_get_string(v);
		if (strlen(s) >= 19 && s[10] == 'T') {
			snprintf(buf, len, "%.10s %.8s", s, s + 11);
			return;
		}
		break;
	case FMT_PATH:
		if (!json_object_is_type(v, json_type_string))
			break;
		out_elide(buf, len, json_object_get_string(v));
		return;
	case FMT_NAMES:
		if (!json_object_is_type(v, json_type_array))
			break;
		n = json_object_array_length(v);
		buf[0] = '\0';
		for (i = 0, off = 0; i < n && off < len; i++) {
			struct json_object *e = json_object_array_get_idx(v, i);
			int w;

			s = json_object_is_type(e, json_type_string) ?
			    json_object_get_string(e) : "?";
			/* The level's name says enough without its prefix. */
			if (strncmp(s, "SMB2_OPLOCK_LEVEL_", 18) == 0)
				s += 18;
			w = snprintf(buf + off, len - off, "%s%s", i ? "," :
			    "", s);
			if (w < 0)
				break;
			off += (size_t)w;
		}
		if (n == 0)
			snprintf(buf, len, "-");
		return;
	default:
		break;
	}
	if (json_object_is_type(v, json_type_string))
		snprintf(buf, len, "%s", json_object_get_string(v));
	else if (json_object_is_type(v, json_type_boolean))
		snprintf(buf, len, "%s", json_object_get_boolean(v) ? "yes" :
		    "no");
	else
		snprintf(buf, len, "%s", json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* -p: the value as the API gave it, for scripts. */
static void
out_raw(char *buf, size_t len, struct json_object *v, enum out_fmt fmt)
{
	if (v == NULL || json_object_is_type(v, json_type_null))
		snprintf(buf, len, "-");
	else if (json_object_is_type(v, json_type_array))
		out_format(buf, len, v, FMT_NAMES);
	else if (json_object_is_type(v, json_type_string))
		snprintf(buf, len, "%s", json_object_get_string(v));
	else if (fmt == FMT_BOOL || json_object_is_type(v, json_type_boolean))
		out_format(buf, len, v, FMT_BOOL);
	else
		snprintf(buf, len, "%s", json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN));
}

/* Display width of UTF-8 text: code points, not bytes. */
static int
out_width(const char *s)
{
	int w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

int
out_table(const struct smbctl *sc, const struct out_opts *oo,
    const struct out_col *cols, size_t ncols, struct json_object *items)
{
	size_t sel[32], nsel = 0, i, j, k, nrows;
	int width[32];
	char cell[512], *fields = NULL, *tok, *save;
	struct json_object *row;

	if (ncols > 32)
		ncols = 32;
	if (oo->oo_fields != NULL) {
		if ((fields = strdup(oo->oo_fields)) == NULL)
			return SMBCTL_ERR;
		for (tok = strtok_r(fields, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			for (j = 0; j < ncols; j++)
				if (strcasecmp(cols[j].oc_name, tok) == 0)
					break;
			if (j == ncols) {
				fprintf(stderr, "%s: -o: no column \"%s\"; "
				    "there are:", smbctl_prog(), tok);
				for (j = 0; j < ncols; j++)
					fprintf(stderr, " %s",
					    cols[j].oc_name);
				fputc('\n', stderr);
				free(fields);
				return SMBCTL_USAGE;
			}
			if (nsel < 32)
				sel[nsel++] = j;
		}
		free(fields);
	} else
		for (nsel = 0; nsel < ncols; nsel++)
			sel[nsel] = nsel;

	nrows = json_object_array_length(items);
	for (k = 0; k < nsel; k++)
		width[k] = oo->oo_noheader ? 0 :
		    out_width(cols[sel[k]].oc_name);
	for (i = 0; i < nrows && !oo->oo_parsable; i++) {
		row = json_object_array_get_idx(items, i);
		for (k = 0; k < nsel; k++) {
			out_format(cell, sizeof(cell), out_member(row,
			    cols[sel[k]].oc_key), cols[sel[k]].oc_fmt);
			if (out_width(cell) > width[k])
				width[k] = out_width(cell);
		}
	}
	if (!oo->oo_noheader) {
		if (sc->sc_color && !oo->oo_parsable)
			fputs("\033[1m", stdout);
		for (k = 0; k < nsel; k++) {
			for (j = 0; cols[sel[k]].oc_name[j]; j++)
				putchar(cols[sel[k]].oc_name[j] >= 'a' &&
				    cols[sel[k]].oc_name[j] <= 'z' ?
				    cols[sel[k]].oc_name[j] - 'a' + 'A' :
				    cols[sel[k]].oc_name[j]);
			if (k + 1 < nsel && oo->oo_parsable)
				putchar('\t');
			else if (k + 1 < nsel)
				printf("%*s", width[k] - out_width(
				    cols[sel[k]].oc_name) + 2, "");
		}
		if (sc->sc_color && !oo->oo_parsable)
			fputs("\033[0m", stdout);
		putchar('\n');
	}
	for (i = 0; i < nrows; i++) {
		row = json_object_array_get_idx(items, i);
		for (k = 0; k < nsel; k++) {
			if (oo->oo_parsable)
				out_raw(cell, sizeof(cell), out_member(row,
				    cols[sel[k]].oc_key), cols[sel[k]].oc_fmt);
			else
				out_format(cell, sizeof(cell), out_member(row,
				    cols[sel[k]].oc_key), cols[sel[k]].oc_fmt);
			fputs(cell, stdout);
			if (k + 1 < nsel && oo->oo_parsable)
				putchar('\t');
			else if (k + 1 < nsel)
				printf("%*s", width[k] - out_width(cell) + 2,
				    "");
		}
		putchar('\n');
	}
	return SMBCTL_OK;
}

/* "uptime_ms" reads as "uptime". */
static void
out_label(char *buf, size_t len, const char *key)
{
	size_t n, i;

	snprintf(buf, len, "%s", key);
	n = strlen(buf);
	if (n > 3 && strcmp(buf + n - 3, "_ms") == 0)
		buf[n - 3] = '\0';
	for (i = 0; buf[i] != '\0'; i++)
		if (buf[i] == '_')
			buf[i] = ' ';
}

static enum out_fmt
out_guess(const char *key)
{
	size_t n = strlen(key);

	if (n > 3 && strcmp(key + n - 3, "_ms") == 0)
		return FMT_DURATION;
	if (strncmp(key, "bytes", 5) == 0)
		return FMT_SIZE;
	if (strcmp(key, "created") == 0 || strcmp(key, "time") == 0 ||
	    (n > 5 && strcmp(key + n - 5, "_time") == 0) ||
	    strcmp(key, "deadline") == 0)
		return FMT_TIME;
	if (n > 6 && strcmp(key + n - 6, "_names") == 0)
		return FMT_NAMES;
	return FMT_STR;
}

void
out_record(FILE *f, struct json_object *o, int indent)
{
	char label[128], val[1024];
	int width = 0, n;

	if (!json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, k1, v1) {
		(void)v1;
		out_label(label, sizeof(label), k1);
		if ((n = (int)strlen(label)) > width)
			width = n;
	}
	json_object_object_foreach(o, key, v) {
		out_label(label, sizeof(label), key);
		if (json_object_is_type(v, json_type_object)) {
			fprintf(f, "%*s%s:\n", indent, "", label);
			out_record(f, v, indent + 2);
			continue;
		}
		fprintf(f, "%*s%s:%*s", indent, "", label,
		    width - (int)strlen(label), "");
		if (json_object_is_type(v, json_type_array) &&
		    json_object_array_length(v) > 0 &&
		    json_object_is_type(json_object_array_get_idx(v, 0),
		    json_type_object)) {
			size_t i, len = json_object_array_length(v);

			fputc('\n', f);
			for (i = 0; i < len; i++) {
				fprintf(f, "%*s- \n", indent + 2, "");
				out_record(f, json_object_array_get_idx(v, i),
				    indent + 4);
			}
			continue;
		}
		out_format(val, sizeof(val), v, json_object_is_type(v,
		    json_type_array) ? FMT_NAMES : out_guess(key));
		fprintf(f, " %s\n", val);
	}
}

void
out_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* "2 opens (7, 9)" */
static void
out_impact_kind(struct json_object *impact, const char *kind,
    const char *one, const char *many, bool *first)
{
	struct json_object *ids = out_member(impact, kind);
	uint64_t count = 0;
	char path[64];
	size_t i, n;

	snprintf(path, sizeof(path), "counts.%s", kind);
	if (!out_uint(impact, path, &count) || count == 0)
		return;
	printf("%s%llu %s", *first ? "" : ", ", (unsigned long long)count,
	    count == 1 ? one : many);
	*first = false;
	if (ids == NULL || !json_object_is_type(ids, json_type_array))
		return;
	n = json_object_array_length(ids);
	printf(" (");
	for (i = 0; i < n && i < 20; i++) {
		struct json_object *id = json_object_array_get_idx(ids, i);

		printf("%s%s", i ? " " : "", json_object_is_type(id,
		    json_type_string) ? json_object_get_string(id) : "?");
	}
	printf("%s)", n > 20 || count > n ? " \u2026" : "");
}

void
out_impact(struct json_object *res, const char *what)
{
	struct json_object *impact = out_member(res, "impact"), *dry;
	bool dry_run = false, first = true;
	uint64_t kept = 0;

	dry = out_member(res, "dry_run");
	if (dry != NULL && json_object_is_type(dry, json_type_boolean))
		dry_run = json_object_get_boolean(dry);
	printf("%s %s", what, dry_run ? "(dry run): would close " :
	    "closed: ");
	if (impact == NULL || !json_object_is_type(impact,
	    json_type_object)) {
		printf("the server did not say what\n");
		return;
	}
	out_impact_kind(impact, "connections", "connection", "connections", &first);
	out_impact_kind(impact, "sessions", "session", "sessions", &first);
	out_impact_kind(impact, "trees", "tree", "trees", &first);
	out_impact_kind(impact, "opens", "open", "opens", &first);
	printf("%s\n", first ? "nothing" : "");
	/* keep_durable: opens detached for the scavenger, not closed. */
	first = true;
	if (out_uint(impact, "counts.kept", &kept) && kept > 0) {
		printf("%s %s", what, dry_run ? "(dry run): would keep " :
		    "kept for the scavenger: ");
		out_impact_kind(impact, "kept", "open", "opens", &first);
		printf("\n");
	}
}
