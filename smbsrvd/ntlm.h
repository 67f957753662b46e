/*
 * ntlm.h — the server side of NTLMSSP (MS-NLMP), NTLMv2 only.
 *
 * One struct ntlm_server carries one authentication exchange, driven by
 * the SESSION_SETUP (through SPNEGO) code:
 *
 *	ns = ntlm_server_new(&cfg);
 *	st = ntlm_server_negotiate(ns, neg, neglen, &chal, &challen);
 *		STATUS_MORE_PROCESSING_REQUIRED: send chal (free() it after)
 *	st = ntlm_server_authenticate(ns, auth, authlen, &res);
 *		STATUS_SUCCESS: res says who (user, guest or anonymous) and
 *		carries the session key
 *	ntlm_server_check_sign(ns, ...) / ntlm_server_sign(ns, ...)
 *		SPNEGO mechListMIC, client's and ours
 *	ntlm_server_free(ns);
 *
 * A known user must answer with NTLMv2: NTLMv1, LM and LMv2-only
 * responses are refused.  Clients must offer UNICODE,
 * EXTENDED_SESSIONSECURITY and 128-bit keys (every SMB2 client does); an
 * anonymous or guest AUTHENTICATE, which sets up no session security, may
 * drop the last two (Samba's does).  An unknown user becomes a guest if
 * the configuration allows, whatever the response.
 *
 * Status codes (MS-ERREF 2.3.1) are the ones Windows and Samba answer a
 * SESSION_SETUP with:
 *   STATUS_MORE_PROCESSING_REQUIRED  NEGOTIATE accepted, CHALLENGE built
 *   STATUS_SUCCESS                   AUTHENTICATE accepted
 *   STATUS_INVALID_PARAMETER         malformed message (a name that is
 *                                    not UTF-16 or holds a control
 *                                    character counts), or a call out of
 *                                    order (the exchange is then over)
 *   STATUS_NOT_SUPPORTED             flags below our floor (see above)
 *   STATUS_NAME_TOO_LONG (C0000106)  user, domain or workstation longer
 *                                    than NTLM_NAME_MAX UTF-16 units
 *   STATUS_LOGON_FAILURE             wrong password, NTLMv1/LM response,
 *                                    unknown user without guest, bad MIC
 *   STATUS_ACCOUNT_DISABLED          right password, disabled account
 *   STATUS_INTERNAL_ERROR            the user database failed
 *   STATUS_INSUFFICIENT_RESOURCES    out of memory, crypto unavailable
 *   STATUS_ACCESS_DENIED             a message signature does not verify
 *   STATUS_NO_USER_SESSION_KEY (C0000202)  signing without a session key
 *                                    (guest, anonymous, not yet done)
 * Every failure of negotiate or authenticate ends the exchange: later
 * calls answer STATUS_INVALID_PARAMETER and the caller frees the object.
 */
#ifndef SMBSRVD_NTLM_H
#define SMBSRVD_NTLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NTLM_NTHASH_LEN		16
#define NTLM_KEY_LEN		16
#define NTLM_SIG_LEN		16	/* MS-NLMP 2.2.2.9.2 */
#define NTLM_CHALLENGE_LEN	8
/* Longest user, domain or workstation name accepted, in UTF-16 units. */
#define NTLM_NAME_MAX		256
/* The same in UTF-8 bytes: one UTF-16 unit never needs more than three. */
#define NTLM_NAME_UTF8_MAX	(3 * NTLM_NAME_MAX)
/* SMB2 SecurityBufferLength is 16 bits; no NTLM message can be longer. */
#define NTLM_MSG_MAX		65535

/* NegotiateFlags (MS-NLMP 2.2.2.5). */
#define NTLMSSP_NEGOTIATE_UNICODE		0x00000001u
#define NTLMSSP_NEGOTIATE_OEM			0x00000002u
#define NTLMSSP_REQUEST_TARGET			0x00000004u
#define NTLMSSP_NEGOTIATE_SIGN			0x00000010u
#define NTLMSSP_NEGOTIATE_SEAL			0x00000020u
#define NTLMSSP_NEGOTIATE_DATAGRAM		0x00000040u
#define NTLMSSP_NEGOTIATE_LM_KEY		0x00000080u
#define NTLMSSP_NEGOTIATE_NTLM			0x00000200u
#define NTLMSSP_NEGOTIATE_ANONYMOUS		0x00000800u
#define NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED	0x00001000u
#define NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED 0x00002000u
#define NTLMSSP_NEGOTIATE_ALWAYS_SIGN		0x00008000u
#define NTLMSSP_TARGET_TYPE_DOMAIN		0x00010000u
#define NTLMSSP_TARGET_TYPE_SERVER		0x00020000u
#define NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY 0x00080000u
#define NTLMSSP_NEGOTIATE_IDENTIFY		0x00100000u
#define NTLMSSP_REQUEST_NON_NT_SESSION_KEY	0x00400000u
#define NTLMSSP_NEGOTIATE_TARGET_INFO		0x00800000u
#define NTLMSSP_NEGOTIATE_VERSION		0x02000000u
#define NTLMSSP_NEGOTIATE_128			0x20000000u
#define NTLMSSP_NEGOTIATE_KEY_EXCH		0x40000000u
#define NTLMSSP_NEGOTIATE_56			0x80000000u

/* What the user lookup callback returns. */
enum ntlm_lookup {
	NTLM_LOOKUP_OK = 0,		/* nthash filled */
	NTLM_LOOKUP_UNKNOWN = -1,	/* no such user */
	NTLM_LOOKUP_DISABLED = -2,	/* exists, disabled; nthash filled */
	NTLM_LOOKUP_ERROR = -3		/* the database could not answer */
};

/*
 * The lookup gets the names as the client sent them (UTF-8): matching case
 * and mapping the domain (ours, empty, or a client's own idea) is the
 * database's business.  For a disabled account it still fills nthash: the
 * exchange answers STATUS_ACCOUNT_DISABLED only to a client that proved
 * the password, and STATUS_LOGON_FAILURE otherwise, as Windows and Samba
 * do, so that the account state is not told to whoever asks.
 */
typedef int	(*ntlm_lookup_fn)(void *arg, const char *user,
		    const char *domain, uint8_t nthash[NTLM_NTHASH_LEN]);

struct ntlm_config {
	const char	*nc_netbios_name;	/* this server: "FILESRV" */
	const char	*nc_netbios_domain;	/* e.g. "WORKGROUP" */
	const char	*nc_dns_name;		/* NULL: the NetBIOS name */
	const char	*nc_dns_domain;		/* NULL: empty */
	bool		 nc_guest_ok;		/* unknown users are guests */
	ntlm_lookup_fn	 nc_lookup;
	void		*nc_lookup_arg;		/* must outlive the exchange */
	/* NULL in the daemon: a fixed ServerChallenge for test vectors. */
	const uint8_t	*nc_challenge;
};

/*
 * The outcome of ntlm_server_authenticate.  After a failure the names are
 * filled if they could be decoded (for the caller's log line) and nothing
 * else is meaningful.
 */
struct ntlm_result {
	char		nr_user[NTLM_NAME_UTF8_MAX + 1];	/* as sent */
	char		nr_domain[NTLM_NAME_UTF8_MAX + 1];
	char		nr_workstation[NTLM_NAME_UTF8_MAX + 1];
	bool		nr_anonymous;	/* MS-SMB2 SESSION_FLAG_IS_NULL */
	bool		nr_guest;	/* MS-SMB2 SESSION_FLAG_IS_GUEST */
	bool		nr_have_key;	/* false for guest and anonymous */
	/*
	 * The client sent an NTLM MIC (MsvAvFlags 0x2), and it verified.
	 * SPNEGO then requires the mechListMIC (Samba calls this
	 * "new_spnego").
	 */
	bool		nr_mic;
	uint32_t	nr_flags;	/* negotiated NegotiateFlags */
	/* ExportedSessionKey (MS-NLMP 3.2.5.1.2), the SMB2 session key. */
	uint8_t		nr_session_key[NTLM_KEY_LEN];
};

struct ntlm_server;

/*
 * Loads OpenSSL's "default" and "legacy" providers and fetches MD4, MD5,
 * RC4 and HMAC, once.  Everything here calls it; main() may call it first
 * to fail at start-up.  0, or -1 (logged) if the algorithms are missing.
 */
int		 ntlm_init(void);
/* NTOWFv1: MD4(UTF-16LE(password)) (MS-NLMP 3.3.1).  0, or -1 with errno. */
int		 ntlm_nthash(const char *password,
		    uint8_t out[NTLM_NTHASH_LEN]);

/* NULL (errno, logged) if the configuration is unusable or no memory. */
struct ntlm_server *ntlm_server_new(const struct ntlm_config *);
/* Accepts NULL; wipes the keys. */
void		 ntlm_server_free(struct ntlm_server *);
/*
 * Takes a NEGOTIATE_MESSAGE, builds the CHALLENGE_MESSAGE into *chal (the
 * caller frees it).  STATUS_MORE_PROCESSING_REQUIRED on success.
 */
uint32_t	 ntlm_server_negotiate(struct ntlm_server *, const uint8_t *msg,
		    size_t len, uint8_t **chal, size_t *challen);
/* Takes the AUTHENTICATE_MESSAGE and decides.  STATUS_SUCCESS or a failure. */
uint32_t	 ntlm_server_authenticate(struct ntlm_server *,
		    const uint8_t *msg, size_t len, struct ntlm_result *);

/*
 * Session security with extended session security (MS-NLMP 3.4.4.2),
 * available after a successful authenticate of a real user.  Each
 * direction has its own keys, RC4 handle and sequence number (starting at
 * 0): sign and seal use the server-to-client ones, check_sign and unseal
 * the client-to-server ones.  A failed check leaves that direction out of
 * step: the caller ends the session.
 */
uint32_t	 ntlm_server_sign(struct ntlm_server *, const uint8_t *msg,
		    size_t len, uint8_t sig[NTLM_SIG_LEN]);
uint32_t	 ntlm_server_check_sign(struct ntlm_server *,
		    const uint8_t *msg, size_t len, const uint8_t *sig,
		    size_t siglen);
/* SEAL (3.4.3): encrypts msg in place and signs the plaintext. */
uint32_t	 ntlm_server_seal(struct ntlm_server *, uint8_t *msg,
		    size_t len, uint8_t sig[NTLM_SIG_LEN]);
/* Decrypts msg in place and checks sig over the plaintext. */
uint32_t	 ntlm_server_unseal(struct ntlm_server *, uint8_t *msg,
		    size_t len, const uint8_t *sig, size_t siglen);

#endif
