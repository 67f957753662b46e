/*
 * ucs2.h — UTF-8 <-> UTF-16LE conversion with strict validation.
 *
 * The wire carries UTF-16LE (NTLMSSP strings, SMB2 path names); the rest of
 * the server speaks UTF-8.  Both directions refuse what is not a sequence of
 * Unicode scalar values:
 *   - UTF-8 (RFC 3629; Unicode 15 table 3-7): overlong forms, encoded
 *     surrogates (U+D800..U+DFFF), values above U+10FFFF, stray or missing
 *     continuation bytes, the bytes C0, C1 and F5..FF;
 *   - UTF-16LE: an odd number of bytes, a high surrogate not followed by a
 *     low one, a low surrogate not preceded by a high one.
 * U+0000 is refused in both directions: every consumer treats these strings
 * as C strings (user names, paths), and an embedded NUL would silently cut
 * one short ("admin\0x" must not become "admin").
 *
 * Errors follow the system-helper convention: -1 with errno set to
 *   EILSEQ  the input is not valid (as above),
 *   E2BIG   the caller's buffer is too small (as iconv(3) says it),
 *   ENOMEM  an allocation failed.
 * On error nothing useful is left in the output.
 *
 * Case: ucs2_upper() implements only the simple uppercase mapping of the
 * scripts user names are written in here: ASCII, Latin-1 Supplement, Latin
 * Extended-A, basic Greek and basic Cyrillic.  That is enough for NTLMv2
 * (MS-NLMP 3.3.2 uppercases the user name), but it is a subset of the
 * Windows upcase table: a name using other cased scripts (Armenian,
 * Georgian, Latin Extended-B, ...) is compared as the client uppercased it
 * only if the client left those letters alone.  Do not use it for
 * case-insensitive path matching.
 */
#ifndef SMBSRVD_UCS2_H
#define SMBSRVD_UCS2_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/*
 * UTF-8 (src, srclen bytes, no terminator needed) to UTF-16LE in out[outsz].
 * Returns the number of bytes written (even), or -1.
 */
ssize_t		ucs2_from_utf8(const char *src, size_t srclen, uint8_t *out,
		    size_t outsz);
/*
 * The same into a new buffer (free() it); *outlen gets its length in bytes.
 * An empty input gives a valid, non-NULL buffer of length 0.
 */
int		ucs2_from_utf8_alloc(const char *src, size_t srclen,
		    uint8_t **out, size_t *outlen);
/*
 * UTF-16LE (src, srclen bytes) to a NUL-terminated UTF-8 string in
 * out[outsz].  Returns the string length (without the NUL), or -1.
 */
ssize_t		ucs2_to_utf8(const uint8_t *src, size_t srclen, char *out,
		    size_t outsz);
/* The same into a new string (free() it); outlen may be NULL. */
int		ucs2_to_utf8_alloc(const uint8_t *src, size_t srclen,
		    char **out, size_t *outlen);
/*
 * Bytes of UTF-16LE that src (UTF-8) converts to, or -1 (EILSEQ): for sizing
 * a buffer or checking a length limit before converting.
 */
ssize_t		ucs2_utf16_len(const char *src, size_t srclen);
/* Uppercases UTF-16LE text in place (see above for the scripts covered). */
void		ucs2_upper(uint8_t *buf, size_t len);
uint16_t	ucs2_upper_unit(uint16_t);

#endif
