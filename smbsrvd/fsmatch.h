/*
 * fsmatch.h — file name wildcards, as [MS-FSA] 2.1.4.4 "Algorithm for
 * Determining if a FileName Is in an Expression" (FsRtlIsNameInExpression)
 * defines them.  QUERY_DIRECTORY (smb2_query_dir.c) filters its listing
 * with it.
 *
 * The wildcards of 2.1.4.3:
 *   *	zero or more characters.
 *   ?	exactly one character.
 *   <	DOS_STAR: zero or more characters, but never the last '.' of the
 *	name.  "<.txt" matches "a.b.txt" ('<' takes "a.b"); "<" alone
 *	matches "abc" but not "a.b"; "<b" does not match "a.b".
 *   >	DOS_QM: one character other than '.'.  At a '.' or at the end of
 *	the name it matches nothing and the pattern moves on, which is how
 *	a run of them matches "up to that many" characters: ">>>" matches
 *	"a", "abc" but not "abcd"; ">>>.txt" matches "ab.txt".
 *   "	DOS_DOT: a '.', or nothing at the end of the name.  "a\"" matches
 *	"a" and "a."; "a\"b" matches "a.b" only.
 * Windows (kernel32 FindFirstFile) rewrites Win32 patterns into these
 * before they reach the redirector: '?' becomes '>', a '.' before '?'
 * or '*' becomes '"', a final "*." becomes '<', and "*.*" becomes "*".
 * SMB clients that are not Windows (smbclient, impacket) send their
 * patterns as typed, so plain '*' and '?' are the common case.
 *
 * 2.1.4.4 part 1, kept as it is: "*" and "*.*" match every name (so
 * "*.*" matches "README" too, unlike the general rule that a literal
 * '.' needs a '.'); an empty pattern matches only an empty name (the
 * SMB2 layer turns an empty search pattern into "*" first, MS-FSA
 * 2.1.5.6); an empty name matches only the empty pattern.
 *
 * Case: ASCII letters match regardless of case, as Windows clients
 * expect (SMB2 opens are case-insensitive, so the server runs 2.1.4.4
 * with IgnoreCase TRUE).  Other characters compare by code point: there
 * is no Unicode case folding ("é" does not match "É").
 *
 * Strings are UTF-8.  One encoded character counts as one character for
 * '?' and '>' however many bytes it takes.  A byte that does not start
 * a valid UTF-8 sequence counts as one character that matches only the
 * same byte, so any input is safe.
 *
 * Cost: the pattern runs as a nondeterministic automaton over its
 * positions, without backtracking, the state set held as a bit vector:
 * O(name length × pattern length / 64) word operations, whatever the
 * pattern.  Patterns are limited to FSMATCH_PATTERN_MAX characters
 * (twice the longest file name component, MS-FSCC 2.1.5), which bounds
 * both that and the compiled pattern's memory.
 */
#ifndef SMBSRVD_FSMATCH_H
#define SMBSRVD_FSMATCH_H

#include <stdbool.h>

#define FSMATCH_PATTERN_MAX	510	/* characters */

struct fsmatch;

/*
 * Compiles a pattern (NUL-terminated UTF-8).  NULL with errno
 * ENAMETOOLONG past FSMATCH_PATTERN_MAX characters, ENOMEM.
 */
struct fsmatch	*fsmatch_compile(const char *pattern);
/*
 * Whether name (NUL-terminated UTF-8) matches.  Uses the compiled
 * pattern's scratch space: one match at a time per struct fsmatch.
 */
bool		 fsmatch_match(struct fsmatch *, const char *name);
void		 fsmatch_free(struct fsmatch *);
/* Compile, match, free: for one-off checks.  false if out of memory. */
bool		 fsmatch(const char *pattern, const char *name);

#endif
