/*
 * spnego.h — SPNEGO (RFC 4178 with the MS-SPNG extensions) around NTLMSSP
 * for SMB2 SESSION_SETUP (MS-SMB2 3.3.5.5.3).
 *
 * This file knows the negotiation, not the mechanism: mechanism tokens
 * are opaque bytes handed to and taken from the caller (ntlm.c), and the
 * mechListMIC is computed and checked by caller-supplied callbacks (NTLM
 * signing, MS-NLMP 3.4.4).  The only mechanism this server accepts is
 * NTLMSSP (1.3.6.1.4.1.311.2.2.10).
 *
 * Tokens on the wire:
 *   NEGOTIATE response   spnego_server_hint(): GSS-API InitialContextToken
 *                        (RFC 2743 3.1) around NegTokenInit2 (MS-SPNG
 *                        2.2.1) listing NTLMSSP and the negHints name
 *                        "not_defined_in_RFC4178@please_ignore".
 *   first client token   InitialContextToken around NegTokenInit
 *                        (RFC 4178 4.2.1), or a bare NTLMSSP message:
 *                        clients may skip SPNEGO, and then every reply
 *                        is bare NTLMSSP too.
 *   later tokens         NegTokenResp (RFC 4178 4.2.2), both directions.
 *
 * The mechListMIC (RFC 4178 5) is over the DER bytes of the MechTypeList
 * SEQUENCE exactly as the client sent it (tag and length included).  The
 * strict DER reader (der.h) guarantees those bytes are the one canonical
 * encoding, so they equal what the client signed.
 *
 * The per-session context, SPNEGO_ST_*:
 *
 *   START --input: NegTokenInit offering NTLMSSP--> MECH
 *   START --input: bare NTLMSSP--> MECH (sp_raw: no SPNEGO in replies)
 *   MECH  --reply: mechanism wants more--> MECH      (accept-incomplete;
 *                                        request-mic on a downgrade)
 *   MECH  --reply: mechanism done, no MIC owed or MIC checked--> DONE
 *   MECH  --reply: mechanism done, client MIC still owed--> MIC
 *   MIC   --input: NegTokenResp with only a mechListMIC,
 *           reply: MIC verified--> DONE
 *   any   --any error, a reject, or input in DONE--> FAILED
 *
 * FAILED is final: input fails with SPNEGO_E_STATE, reply writes a reject.
 * The caller creates one context per authentication (a re-authentication
 * on an existing session starts a new one).
 *
 * When is a mechListMIC required?  Only when the mechanism provides
 * integrity (NTLM with a session key; RFC 4178 5: "if the mechanism
 * selected by the negotiation does not support integrity protection, then
 * no mechlistMIC token is used"), and then if any of:
 *   a) NTLMSSP was not the client's first choice (RFC 4178 5: the acceptor
 *      answers request-mic and both sides MUST exchange MICs);
 *   b) the client sent a mechListMIC (RFC 4178 5: a received MIC is
 *      verified, and the acceptor answers with its own);
 *   c) the NTLM AUTHENTICATE message carried a MIC (MsvAvFlags bit 0x2,
 *      MS-NLMP 2.2.2.1 and 3.2.5.2.2).  Windows since Vista and Samba
 *      clients send a mechListMIC alongside such a message and check the
 *      server's; Samba's acceptor treats it the same way (its "new SPNEGO"
 *      feature).  A client that puts a MIC in AUTHENTICATE but no
 *      mechListMIC in the token gets accept-incomplete with the server's
 *      MIC and must answer with its own before the session is set up.
 * If the mechanism has no session key (anonymous), a client mechListMIC
 * cannot be checked and is ignored, as Samba does.
 *
 * MS-SPNG 3.3.5.1: with NTLM the RC4 sealing state used to verify the
 * client's mechListMIC must be restored afterwards, so that the first
 * signed application message uses the same state; that is the check_mic
 * callback's business (SMB2 signs with its own keys, so it rarely
 * matters), and is noted here so that ntlm.c gets it right.
 *
 * Errors: functions return SPNEGO_OK (0), SPNEGO_CONTINUE (1), or a
 * negative code: DER_E_* (der.h) for malformed DER, SPNEGO_E_* below.
 * Callers map them to NT status codes:
 *   DER_E_*, SPNEGO_E_NOTSPNEGO, SPNEGO_E_SYNTAX, SPNEGO_E_LIMIT,
 *   SPNEGO_E_NOMECH, SPNEGO_E_STATE    -> STATUS_INVALID_PARAMETER
 *   SPNEGO_E_MIC, SPNEGO_E_REJECT      -> STATUS_LOGON_FAILURE
 *   SPNEGO_E_NOMEM, DER_E_NOMEM        -> STATUS_INSUFFICIENT_RESOURCES
 * spnego_err_is_auth() tells the two main groups apart.
 */
#ifndef SMBSRVD_SPNEGO_H
#define SMBSRVD_SPNEGO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "der.h"
#include "msgbuf.h"

#define SPNEGO_MAX_MECHS	16
/* The DER of a MechTypeList of SPNEGO_MAX_MECHS maximal OIDs. */
#define SPNEGO_MECHTYPES_MAX	(4 + SPNEGO_MAX_MECHS * (2 + DER_OID_MAX))
/* An NTLM signature is 16 bytes, a Kerberos MIC token 28. */
#define SPNEGO_MIC_MAX		64
#define SPNEGO_NTLMSSP_MAGIC	"NTLMSSP"	/* and its NUL: 8 bytes */

enum {
	SPNEGO_OK = 0,
	SPNEGO_CONTINUE = 1,
	SPNEGO_E_NOTSPNEGO = -20,	/* a GSS token of another mechanism */
	SPNEGO_E_SYNTAX = -21,		/* good DER, not SPNEGO's shape */
	SPNEGO_E_LIMIT = -22,		/* too many mechanisms, MIC too long */
	SPNEGO_E_NOMECH = -23,		/* NTLMSSP not offered */
	SPNEGO_E_STATE = -24,		/* token not expected now */
	SPNEGO_E_MIC = -25,		/* mechListMIC missing or wrong */
	SPNEGO_E_REJECT = -26,		/* the mechanism or the peer gave up */
	SPNEGO_E_NOMEM = -27
};

/* negState (RFC 4178 4.2.2). */
enum spnego_negstate {
	SPNEGO_NEGSTATE_ABSENT = -1,
	SPNEGO_ACCEPT_COMPLETED = 0,
	SPNEGO_ACCEPT_INCOMPLETE = 1,
	SPNEGO_REJECT = 2,
	SPNEGO_REQUEST_MIC = 3
};

extern const struct der_oid spnego_oid_spnego;	/* 1.3.6.1.5.5.2 */
extern const struct der_oid spnego_oid_ntlmssp;	/* 1.3.6.1.4.1.311.2.2.10 */
extern const struct der_oid spnego_oid_krb5;	/* 1.2.840.113554.1.2.2 */
extern const struct der_oid spnego_oid_mskrb5;	/* 1.2.840.48018.1.2.2 */
extern const struct der_oid spnego_oid_negoex;	/* 1.3.6.1.4.1.311.2.2.30 */

/*
 * The client's first token, decoded.  Pointers point into the input
 * buffer; a NULL pointer means the field was absent (present but empty
 * is a non-NULL pointer with length 0).
 */
struct spnego_init {
	bool		 si_raw;	/* bare NTLMSSP, no SPNEGO at all */
	struct der_oid	 si_mechs[SPNEGO_MAX_MECHS];	/* [0] preferred */
	size_t		 si_nmechs;
	int		 si_ntlmssp;	/* index in si_mechs, -1 if absent */
	const uint8_t	*si_mechtypes;	/* MechTypeList DER, for the MIC */
	size_t		 si_mechtypes_len;
	const uint8_t	*si_mechtoken;	/* the optimistic token */
	size_t		 si_mechtoken_len;
	const uint8_t	*si_mic;
	size_t		 si_mic_len;
	bool		 si_reqflags;	/* reqFlags was present (ignored) */
	bool		 si_neghints;	/* NegTokenInit2 negHints present */
};

/* A NegTokenResp, decoded (pointers as above) or to encode. */
struct spnego_resp {
	int		 sr_negstate;	/* enum spnego_negstate */
	bool		 sr_has_mech;
	struct der_oid	 sr_mech;	/* supportedMech */
	const uint8_t	*sr_token;	/* responseToken */
	size_t		 sr_token_len;
	const uint8_t	*sr_mic;	/* mechListMIC */
	size_t		 sr_mic_len;
};

/* Decoding: SPNEGO_OK or a negative code; *out is zeroed first. */
int		 spnego_parse_init(const uint8_t *, size_t,
		    struct spnego_init *);
int		 spnego_parse_resp(const uint8_t *, size_t,
		    struct spnego_resp *);

/* Encoding: appends to wr; SPNEGO_OK or SPNEGO_E_NOMEM (wr_err set). */
int		 spnego_server_hint(struct msgbuf_wr *);
int		 spnego_encode_resp(struct msgbuf_wr *,
		    const struct spnego_resp *);
/* The initiator's NegTokenInit (RFC 4178 form, no negHints). */
int		 spnego_encode_init(struct msgbuf_wr *, const struct der_oid *,
		    size_t nmechs, const uint8_t *tok, size_t toklen,
		    const uint8_t *mic, size_t miclen);

/* A short name for logs ("ntlmssp", "krb5", ...) or NULL. */
const char	*spnego_mech_name(const struct der_oid *);
const char	*spnego_strerror(int);
/* True for errors that mean "authentication failed" (LOGON_FAILURE). */
bool		 spnego_err_is_auth(int);

/*
 * MIC callbacks, supplied by the caller (the NTLM context).  data/len is
 * always the MechTypeList DER.  check_mic returns 0 if mic is right;
 * make_mic writes at most *miclen bytes (SPNEGO_MIC_MAX on entry) and
 * sets *miclen, returning 0 on success.
 */
struct spnego_mic_ops {
	int	(*check_mic)(void *arg, const uint8_t *data, size_t len,
		    const uint8_t *mic, size_t miclen);
	int	(*make_mic)(void *arg, const uint8_t *data, size_t len,
		    uint8_t *mic, size_t *miclen);
	void	*arg;
};

enum spnego_state {
	SPNEGO_ST_START,
	SPNEGO_ST_MECH,
	SPNEGO_ST_MIC,
	SPNEGO_ST_DONE,
	SPNEGO_ST_FAILED
};

/* What the mechanism made of the token spnego_ctx_input() handed out. */
enum spnego_mech_result {
	SPNEGO_MECH_CONTINUE,	/* more round trips (NTLM CHALLENGE sent) */
	SPNEGO_MECH_DONE,	/* authenticated (NTLM AUTHENTICATE good) */
	SPNEGO_MECH_FAILED	/* refused */
};

struct spnego_mech_out {
	enum spnego_mech_result	 mo_result;
	const uint8_t		*mo_token;	/* NULL: none */
	size_t			 mo_token_len;
	/* Only read with SPNEGO_MECH_DONE: */
	bool			 mo_integ;	/* can sign (has a key) */
	bool			 mo_auth_mic;	/* AUTHENTICATE had a MIC */
};

struct spnego_ctx {
	enum spnego_state	 sp_state;
	bool			 sp_raw;	/* bare NTLMSSP both ways */
	bool			 sp_downgraded;	/* NTLMSSP was not first */
	bool			 sp_replied;	/* first reply sent */
	bool			 sp_client_mic;	/* client sent a MIC */
	bool			 sp_mic_pending; /* not yet checked */
	bool			 sp_mic_checked;
	bool			 sp_mic_sent;
	bool			 sp_mech_done;
	bool			 sp_integ;	/* mechanism can sign */
	bool			 sp_auth_mic;	/* AUTHENTICATE had a MIC */
	int			 sp_ntlmssp;	/* index in the client list */
	size_t			 sp_nmechs;
	struct der_oid		 sp_preferred;	/* client's first */
	uint8_t			 sp_mechtypes[SPNEGO_MECHTYPES_MAX];
	size_t			 sp_mechtypes_len;
	/* The client's mechListMIC, until checked. */
	uint8_t			 sp_mic[SPNEGO_MIC_MAX];
	size_t			 sp_mic_len;
};

void		 spnego_ctx_init(struct spnego_ctx *);
/*
 * Takes a client token.  On SPNEGO_OK, *tok and *toklen are the mechanism
 * token for ntlm.c, or NULL when there is none to process: after a
 * downgrade (the optimistic token was for another mechanism) and in
 * SPNEGO_ST_MIC.  A client mechListMIC is kept for spnego_ctx_reply().
 */
int		 spnego_ctx_input(struct spnego_ctx *, const uint8_t *in,
		    size_t inlen, const uint8_t **tok, size_t *toklen);
/*
 * Builds the reply to send after the mechanism has seen the token.  mo
 * is NULL when spnego_ctx_input() handed out no token (the mechanism was
 * not consulted).  Returns SPNEGO_OK when authentication is complete,
 * SPNEGO_CONTINUE when the client must send another token, or an error
 * after which out holds a negState reject token (nothing in the bare
 * NTLMSSP dialect) that the caller may send or drop.
 */
int		 spnego_ctx_reply(struct spnego_ctx *,
		    const struct spnego_mech_out *mo,
		    const struct spnego_mic_ops *, struct msgbuf_wr *out);
/*
 * Whether a mechListMIC exchange is required by the rules above.  Until
 * the mechanism is done its ability to sign is not known and is assumed.
 */
bool		 spnego_ctx_mic_required(const struct spnego_ctx *);

#endif
