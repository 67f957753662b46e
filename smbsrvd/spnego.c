/*
 * spnego.c — SPNEGO tokens and the acceptor's negotiation state
 * (RFC 4178, MS-SPNG; see spnego.h for the state machine and MIC rules).
 */
#include <string.h>

#include "der.h"
#include "log.h"
#include "spnego.h"

/* MS-SPNG 2.2.1: the hintName Windows sends, which clients ignore. */
#define SPNEGO_HINT_NAME	"not_defined_in_RFC4178@please_ignore"
#define NTLMSSP_MAGIC_LEN	8

const struct der_oid spnego_oid_spnego = {
	6, { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02 }
};
const struct der_oid spnego_oid_ntlmssp = {
	10, { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a }
};
const struct der_oid spnego_oid_krb5 = {
	9, { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02 }
};
const struct der_oid spnego_oid_mskrb5 = {
	9, { 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02 }
};
const struct der_oid spnego_oid_negoex = {
	10, { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x1e }
};

static const struct {
	const struct der_oid	*mn_oid;
	const char		*mn_name;
} spnego_mech_names[] = {
	{ &spnego_oid_ntlmssp,	"ntlmssp" },
	{ &spnego_oid_krb5,	"krb5" },
	{ &spnego_oid_mskrb5,	"ms-krb5" },
	{ &spnego_oid_negoex,	"negoex" },
	{ &spnego_oid_spnego,	"spnego" },
};

const char *
spnego_mech_name(const struct der_oid *oid)
{
	size_t i;

	for (i = 0; i < sizeof(spnego_mech_names) /
	    sizeof(spnego_mech_names[0]); i++)
		if (der_oid_eq(oid, spnego_mech_names[i].mn_oid))
			return spnego_mech_names[i].mn_name;
	return NULL;
}

const char *
spnego_strerror(int rc)
{
	switch (rc) {
	case SPNEGO_OK:
		return "ok";
	case SPNEGO_CONTINUE:
		return "more processing required";
	case SPNEGO_E_NOTSPNEGO:
		return "not a SPNEGO token";
	case SPNEGO_E_SYNTAX:
		return "malformed SPNEGO token";
	case SPNEGO_E_LIMIT:
		return "SPNEGO token exceeds a limit";
	case SPNEGO_E_NOMECH:
		return "NTLMSSP not offered";
	case SPNEGO_E_STATE:
		return "token not expected now";
	case SPNEGO_E_MIC:
		return "mechListMIC missing or wrong";
	case SPNEGO_E_REJECT:
		return "negotiation rejected";
	case SPNEGO_E_NOMEM:
		return "out of memory";
	}
	return der_strerror(rc);
}

bool
spnego_err_is_auth(int rc)
{
	return rc == SPNEGO_E_MIC || rc == SPNEGO_E_REJECT;
}

static bool
is_ntlmssp(const uint8_t *p, size_t len)
{
	return len >= NTLMSSP_MAGIC_LEN &&
	    memcmp(p, SPNEGO_NTLMSSP_MAGIC, NTLMSSP_MAGIC_LEN) == 0;
}

/* [n] EXPLICIT OCTET STRING, the shape of mechToken and mechListMIC. */
static int
get_explicit_octets(struct der_rd *seq, unsigned int n, const uint8_t **p,
    size_t *len)
{
	struct der_rd wrap;
	int rc;

	if ((rc = der_enter(seq, DER_CONTEXT(n), &wrap, NULL)) != DER_OK)
		return rc;
	if ((rc = der_get_bytes(&wrap, DER_OCTET_STRING, p, len)) != DER_OK)
		return rc;
	return der_end(&wrap);
}

/*
 * mechTypes [0] MechTypeList, MechTypeList ::= SEQUENCE OF MechType.
 * The SEQUENCE's own bytes are what the mechListMIC covers.
 */
static int
parse_mechtypes(struct der_rd *seq, struct spnego_init *si)
{
	struct der_rd wrap, list;
	struct der_tlv t;
	struct der_oid *oid;
	int rc;

	if ((rc = der_enter(seq, DER_CONTEXT(0), &wrap, NULL)) != DER_OK)
		return rc;
	if ((rc = der_enter(&wrap, DER_SEQUENCE, &list, &t)) != DER_OK)
		return rc;
	if ((rc = der_end(&wrap)) != DER_OK)
		return rc;
	while (der_more(&list)) {
		if (si->si_nmechs == SPNEGO_MAX_MECHS)
			return SPNEGO_E_LIMIT;
		oid = &si->si_mechs[si->si_nmechs];
		if ((rc = der_get_oid(&list, oid)) != DER_OK)
			return rc;
		if (si->si_ntlmssp < 0 && der_oid_eq(oid, &spnego_oid_ntlmssp))
			si->si_ntlmssp = (int)si->si_nmechs;
		si->si_nmechs++;
	}
	if (si->si_nmechs == 0)
		return SPNEGO_E_NOMECH;
	if (t.dt_rawlen > SPNEGO_MECHTYPES_MAX)
		return SPNEGO_E_LIMIT;
	si->si_mechtypes = t.dt_raw;
	si->si_mechtypes_len = t.dt_rawlen;
	return DER_OK;
}

/* reqFlags [1] ContextFlags (a BIT STRING); MS-SPNG 2.2.1: ignored. */
static int
parse_reqflags(struct der_rd *seq, struct spnego_init *si)
{
	struct der_rd wrap;
	const uint8_t *bits;
	size_t nbytes;
	unsigned int unused;
	int rc;

	if ((rc = der_enter(seq, DER_CONTEXT(1), &wrap, NULL)) != DER_OK)
		return rc;
	if ((rc = der_get_bits(&wrap, &bits, &nbytes, &unused)) != DER_OK)
		return rc;
	si->si_reqflags = true;
	return der_end(&wrap);
}

/*
 * NegHints ::= SEQUENCE { hintName [0] GeneralString OPTIONAL,
 * hintAddress [1] OCTET STRING OPTIONAL } (MS-SPNG 2.2.1), inside an
 * already opened [3].  Only checked for shape; its contents mean nothing.
 */
static int
parse_neghints(struct der_rd *wrap, struct spnego_init *si)
{
	struct der_rd seq, f;
	const uint8_t *p;
	size_t len;
	int rc;

	if ((rc = der_enter(wrap, DER_SEQUENCE, &seq, NULL)) != DER_OK)
		return rc;
	if (der_peek(&seq) == DER_CONTEXT(0)) {
		rc = der_enter(&seq, DER_CONTEXT(0), &f, NULL);
		if (rc == DER_OK)
			rc = der_get_bytes(&f, DER_GENERAL_STRING, &p, &len);
		if (rc == DER_OK)
			rc = der_end(&f);
		if (rc != DER_OK)
			return rc;
	}
	if (der_peek(&seq) == DER_CONTEXT(1)) {
		if ((rc = get_explicit_octets(&seq, 1, &p, &len)) != DER_OK)
			return rc;
	}
	if ((rc = der_end(&seq)) != DER_OK)
		return rc == DER_E_TRAILING ? SPNEGO_E_SYNTAX : rc;
	si->si_neghints = true;
	return DER_OK;
}

/*
 * Field [3] is mechListMIC in RFC 4178's NegTokenInit and negHints in
 * MS-SPNG's NegTokenInit2, which shares the [0] CHOICE arm; the inner tag
 * tells them apart.
 */
static int
parse_field3(struct der_rd *seq, struct spnego_init *si)
{
	struct der_rd wrap;
	int rc;

	if ((rc = der_enter(seq, DER_CONTEXT(3), &wrap, NULL)) != DER_OK)
		return rc;
	if (der_peek(&wrap) == DER_OCTET_STRING)
		rc = der_get_bytes(&wrap, DER_OCTET_STRING, &si->si_mic,
		    &si->si_mic_len);
	else if (der_peek(&wrap) == DER_SEQUENCE)
		rc = parse_neghints(&wrap, si);
	else
		rc = DER_E_TAG;
	if (rc != DER_OK)
		return rc;
	return der_end(&wrap);
}

/*
 * The NegTokenInit SEQUENCE's fields.  DER puts them in tag order and
 * each at most once (X.690 10.3 for SEQUENCE: declaration order); an
 * unknown field is refused, as Samba does, rather than skipped.
 */
static int
parse_init_fields(struct der_rd *seq, struct spnego_init *si)
{
	int tag, n, last = -1, rc;

	while (der_more(seq)) {
		tag = der_peek(seq);
		if ((tag & 0xe0) != DER_CONTEXT(0))
			return SPNEGO_E_SYNTAX;
		n = tag & 0x1f;
		if (n <= last)
			return SPNEGO_E_SYNTAX;
		last = n;
		switch (n) {
		case 0:
			rc = parse_mechtypes(seq, si);
			break;
		case 1:
			rc = parse_reqflags(seq, si);
			break;
		case 2:
			rc = get_explicit_octets(seq, 2, &si->si_mechtoken,
			    &si->si_mechtoken_len);
			break;
		case 3:
			rc = parse_field3(seq, si);
			break;
		case 4:
			/* NegTokenInit2's mechListMIC, after negHints. */
			if (si->si_mic != NULL)
				return SPNEGO_E_SYNTAX;
			rc = get_explicit_octets(seq, 4, &si->si_mic,
			    &si->si_mic_len);
			break;
		default:
			return SPNEGO_E_SYNTAX;
		}
		if (rc != DER_OK)
			return rc;
	}
	/* Optional in NegTokenInit2, required in a client's NegTokenInit. */
	if (si->si_mechtypes == NULL)
		return SPNEGO_E_SYNTAX;
	return SPNEGO_OK;
}

int
spnego_parse_init(const uint8_t *buf, size_t len, struct spnego_init *si)
{
	struct der_rd top, app, choice, seq;
	struct der_oid oid;
	int rc;

	memset(si, 0, sizeof(*si));
	si->si_ntlmssp = -1;
	if (buf == NULL)
		return DER_E_TRUNCATED;
	if (is_ntlmssp(buf, len)) {
		si->si_raw = true;
		si->si_mechs[0] = spnego_oid_ntlmssp;
		si->si_nmechs = 1;
		si->si_ntlmssp = 0;
		si->si_mechtoken = buf;
		si->si_mechtoken_len = len;
		return SPNEGO_OK;
	}
	/*
	 * RFC 2743 3.1: InitialContextToken ::= [APPLICATION 0] IMPLICIT
	 * SEQUENCE { thisMech MechType, innerContextToken ANY }, and for
	 * SPNEGO the inner token is NegotiationToken's negTokenInit [0].
	 */
	der_rd_init(&top, buf, len);
	if ((rc = der_enter(&top, DER_APPLICATION(0), &app, NULL)) != DER_OK ||
	    (rc = der_end(&top)) != DER_OK)
		return rc;
	if ((rc = der_get_oid(&app, &oid)) != DER_OK)
		return rc;
	if (!der_oid_eq(&oid, &spnego_oid_spnego))
		return SPNEGO_E_NOTSPNEGO;
	if ((rc = der_enter(&app, DER_CONTEXT(0), &choice, NULL)) != DER_OK ||
	    (rc = der_end(&app)) != DER_OK)
		return rc;
	if ((rc = der_enter(&choice, DER_SEQUENCE, &seq, NULL)) != DER_OK ||
	    (rc = der_end(&choice)) != DER_OK)
		return rc;
	return parse_init_fields(&seq, si);
}

int
spnego_parse_resp(const uint8_t *buf, size_t len, struct spnego_resp *sr)
{
	struct der_rd top, choice, seq, wrap;
	uint32_t v;
	int tag, n, last = -1, rc;

	memset(sr, 0, sizeof(*sr));
	sr->sr_negstate = SPNEGO_NEGSTATE_ABSENT;
	/* RFC 4178 4.2: later tokens are NegotiationToken, not framed. */
	der_rd_init(&top, buf, len);
	if ((rc = der_enter(&top, DER_CONTEXT(1), &choice, NULL)) != DER_OK ||
	    (rc = der_end(&top)) != DER_OK)
		return rc;
	if ((rc = der_enter(&choice, DER_SEQUENCE, &seq, NULL)) != DER_OK ||
	    (rc = der_end(&choice)) != DER_OK)
		return rc;
	while (der_more(&seq)) {
		tag = der_peek(&seq);
		if ((tag & 0xe0) != DER_CONTEXT(0))
			return SPNEGO_E_SYNTAX;
		n = tag & 0x1f;
		if (n <= last)
			return SPNEGO_E_SYNTAX;
		last = n;
		switch (n) {
		case 0:
			if ((rc = der_enter(&seq, DER_CONTEXT(0), &wrap,
			    NULL)) != DER_OK ||
			    (rc = der_get_uint(&wrap, DER_ENUMERATED, &v)) !=
			    DER_OK || (rc = der_end(&wrap)) != DER_OK)
				return rc;
			if (v > SPNEGO_REQUEST_MIC)
				return SPNEGO_E_SYNTAX;
			sr->sr_negstate = (int)v;
			break;
		case 1:
			if ((rc = der_enter(&seq, DER_CONTEXT(1), &wrap,
			    NULL)) != DER_OK ||
			    (rc = der_get_oid(&wrap, &sr->sr_mech)) != DER_OK ||
			    (rc = der_end(&wrap)) != DER_OK)
				return rc;
			sr->sr_has_mech = true;
			break;
		case 2:
			if ((rc = get_explicit_octets(&seq, 2, &sr->sr_token,
			    &sr->sr_token_len)) != DER_OK)
				return rc;
			break;
		case 3:
			if ((rc = get_explicit_octets(&seq, 3, &sr->sr_mic,
			    &sr->sr_mic_len)) != DER_OK)
				return rc;
			break;
		default:
			return SPNEGO_E_SYNTAX;
		}
	}
	return SPNEGO_OK;
}

static void
put_explicit_octets(struct msgbuf_wr *wr, unsigned int n, const uint8_t *p,
    size_t len)
{
	size_t mark;

	mark = der_put_begin(wr, DER_CONTEXT(n));
	der_put_prim(wr, DER_OCTET_STRING, p, len);
	der_put_end(wr, mark);
}

/*
 * NEGOTIATE's SecurityBuffer (MS-SMB2 2.2.4, 3.3.5.4), byte for byte what
 * Samba and Windows send when NTLMSSP is the only mechanism:
 *   60 48                       [APPLICATION 0]
 *     06 06 2b06010505 02         OID 1.3.6.1.5.5.2 (SPNEGO)
 *     a0 3e                       [0] NegTokenInit2
 *       30 3c                       SEQUENCE
 *         a0 0e 30 0c                 mechTypes [0] SEQUENCE OF
 *           06 0a 2b06010401823702020a  OID NTLMSSP
 *         a3 2a 30 28                 negHints [3] SEQUENCE
 *           a0 26 1b 24 "not_defined_in_RFC4178@please_ignore"
 */
int
spnego_server_hint(struct msgbuf_wr *wr)
{
	size_t app, init, seq, mt, list, nh, hseq, hname;

	app = der_put_begin(wr, DER_APPLICATION(0));
	der_put_oid(wr, &spnego_oid_spnego);
	init = der_put_begin(wr, DER_CONTEXT(0));
	seq = der_put_begin(wr, DER_SEQUENCE);
	mt = der_put_begin(wr, DER_CONTEXT(0));
	list = der_put_begin(wr, DER_SEQUENCE);
	der_put_oid(wr, &spnego_oid_ntlmssp);
	der_put_end(wr, list);
	der_put_end(wr, mt);
	nh = der_put_begin(wr, DER_CONTEXT(3));
	hseq = der_put_begin(wr, DER_SEQUENCE);
	hname = der_put_begin(wr, DER_CONTEXT(0));
	der_put_prim(wr, DER_GENERAL_STRING, SPNEGO_HINT_NAME,
	    sizeof(SPNEGO_HINT_NAME) - 1);
	der_put_end(wr, hname);
	der_put_end(wr, hseq);
	der_put_end(wr, nh);
	der_put_end(wr, seq);
	der_put_end(wr, init);
	der_put_end(wr, app);
	return msgbuf_wr_ok(wr) ? SPNEGO_OK : SPNEGO_E_NOMEM;
}

int
spnego_encode_resp(struct msgbuf_wr *wr, const struct spnego_resp *sr)
{
	size_t choice, seq, f;

	if (sr->sr_negstate < SPNEGO_NEGSTATE_ABSENT ||
	    sr->sr_negstate > SPNEGO_REQUEST_MIC)
		return SPNEGO_E_SYNTAX;
	choice = der_put_begin(wr, DER_CONTEXT(1));
	seq = der_put_begin(wr, DER_SEQUENCE);
	if (sr->sr_negstate != SPNEGO_NEGSTATE_ABSENT) {
		f = der_put_begin(wr, DER_CONTEXT(0));
		der_put_uint(wr, DER_ENUMERATED, (uint32_t)sr->sr_negstate);
		der_put_end(wr, f);
	}
	if (sr->sr_has_mech) {
		f = der_put_begin(wr, DER_CONTEXT(1));
		der_put_oid(wr, &sr->sr_mech);
		der_put_end(wr, f);
	}
	if (sr->sr_token != NULL)
		put_explicit_octets(wr, 2, sr->sr_token, sr->sr_token_len);
	if (sr->sr_mic != NULL)
		put_explicit_octets(wr, 3, sr->sr_mic, sr->sr_mic_len);
	der_put_end(wr, seq);
	der_put_end(wr, choice);
	return msgbuf_wr_ok(wr) ? SPNEGO_OK : SPNEGO_E_NOMEM;
}

int
spnego_encode_init(struct msgbuf_wr *wr, const struct der_oid *mechs,
    size_t nmechs, const uint8_t *tok, size_t toklen, const uint8_t *mic,
    size_t miclen)
{
	size_t app, init, seq, mt, list, i;

	app = der_put_begin(wr, DER_APPLICATION(0));
	der_put_oid(wr, &spnego_oid_spnego);
	init = der_put_begin(wr, DER_CONTEXT(0));
	seq = der_put_begin(wr, DER_SEQUENCE);
	mt = der_put_begin(wr, DER_CONTEXT(0));
	list = der_put_begin(wr, DER_SEQUENCE);
	for (i = 0; i < nmechs; i++)
		der_put_oid(wr, &mechs[i]);
	der_put_end(wr, list);
	der_put_end(wr, mt);
	if (tok != NULL)
		put_explicit_octets(wr, 2, tok, toklen);
	if (mic != NULL)
		put_explicit_octets(wr, 3, mic, miclen);
	der_put_end(wr, seq);
	der_put_end(wr, init);
	der_put_end(wr, app);
	return msgbuf_wr_ok(wr) ? SPNEGO_OK : SPNEGO_E_NOMEM;
}

void
spnego_ctx_init(struct spnego_ctx *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->sp_state = SPNEGO_ST_START;
	sp->sp_ntlmssp = -1;
}

static int
ctx_fail(struct spnego_ctx *sp, int rc)
{
	sp->sp_state = SPNEGO_ST_FAILED;
	return rc;
}

static int
ctx_keep_mic(struct spnego_ctx *sp, const uint8_t *mic, size_t len)
{
	if (mic == NULL)
		return SPNEGO_OK;
	if (len > SPNEGO_MIC_MAX)
		return SPNEGO_E_LIMIT;
	memcpy(sp->sp_mic, mic, len);
	sp->sp_mic_len = len;
	sp->sp_client_mic = true;
	sp->sp_mic_pending = true;
	return SPNEGO_OK;
}

static int
ctx_input_first(struct spnego_ctx *sp, const uint8_t *in, size_t inlen,
    const uint8_t **tok, size_t *toklen)
{
	struct spnego_init si;
	char pref[64];
	int rc;

	if ((rc = spnego_parse_init(in, inlen, &si)) != SPNEGO_OK)
		return rc;
	if (si.si_raw) {
		sp->sp_raw = true;
		sp->sp_ntlmssp = 0;
		sp->sp_nmechs = 1;
		sp->sp_preferred = spnego_oid_ntlmssp;
		*tok = in;
		*toklen = inlen;
		sp->sp_state = SPNEGO_ST_MECH;
		return SPNEGO_OK;
	}
	sp->sp_nmechs = si.si_nmechs;
	sp->sp_preferred = si.si_mechs[0];
	sp->sp_ntlmssp = si.si_ntlmssp;
	log_debug("spnego: client offers %zu mechanisms, prefers %s, "
	    "ntlmssp at %d", si.si_nmechs, der_oid_fmt(&si.si_mechs[0], pref,
	    sizeof(pref)), si.si_ntlmssp);
	if (si.si_ntlmssp < 0)
		return SPNEGO_E_NOMECH;
	/* parse_mechtypes() bounded it by SPNEGO_MECHTYPES_MAX. */
	memcpy(sp->sp_mechtypes, si.si_mechtypes, si.si_mechtypes_len);
	sp->sp_mechtypes_len = si.si_mechtypes_len;
	/*
	 * A mechListMIC in the initial token cannot be checked (no context
	 * yet exists to check it with) and is ignored, as Samba does.
	 */
	if (si.si_ntlmssp > 0) {
		/*
		 * RFC 4178 5: not the initiator's first choice.  Its
		 * optimistic token belongs to that first choice and is
		 * dropped; the first reply says request-mic.
		 */
		sp->sp_downgraded = true;
		*tok = NULL;
		*toklen = 0;
	} else {
		*tok = si.si_mechtoken;
		*toklen = si.si_mechtoken_len;
	}
	sp->sp_state = SPNEGO_ST_MECH;
	return SPNEGO_OK;
}

int
spnego_ctx_input(struct spnego_ctx *sp, const uint8_t *in, size_t inlen,
    const uint8_t **tok, size_t *toklen)
{
	struct spnego_resp sr;
	int rc;

	*tok = NULL;
	*toklen = 0;
	switch (sp->sp_state) {
	case SPNEGO_ST_START:
		if ((rc = ctx_input_first(sp, in, inlen, tok, toklen)) !=
		    SPNEGO_OK)
			return ctx_fail(sp, rc);
		return SPNEGO_OK;
	case SPNEGO_ST_MECH:
	case SPNEGO_ST_MIC:
		break;
	default:
		return ctx_fail(sp, SPNEGO_E_STATE);
	}
	if (sp->sp_raw) {
		/* Once bare, always bare. */
		if (in == NULL || !is_ntlmssp(in, inlen))
			return ctx_fail(sp, SPNEGO_E_SYNTAX);
		*tok = in;
		*toklen = inlen;
		return SPNEGO_OK;
	}
	if ((rc = spnego_parse_resp(in, inlen, &sr)) != SPNEGO_OK)
		return ctx_fail(sp, rc);
	if (sr.sr_negstate == SPNEGO_REJECT)
		return ctx_fail(sp, SPNEGO_E_REJECT);
	if (sp->sp_state == SPNEGO_ST_MIC) {
		/* Only the owed MIC may come now (Samba refuses more). */
		if (sr.sr_token != NULL)
			return ctx_fail(sp, SPNEGO_E_STATE);
		if (sr.sr_mic == NULL)
			return ctx_fail(sp, SPNEGO_E_MIC);
	} else if (sr.sr_token == NULL)
		return ctx_fail(sp, SPNEGO_E_STATE);
	if ((rc = ctx_keep_mic(sp, sr.sr_mic, sr.sr_mic_len)) != SPNEGO_OK)
		return ctx_fail(sp, rc);
	*tok = sr.sr_token;
	*toklen = sr.sr_token_len;
	return SPNEGO_OK;
}

bool
spnego_ctx_mic_required(const struct spnego_ctx *sp)
{
	if (sp->sp_raw || (sp->sp_mech_done && !sp->sp_integ))
		return false;
	return sp->sp_downgraded || sp->sp_client_mic || sp->sp_auth_mic;
}

/* Writes negState reject and fails the context with rc. */
static int
ctx_reject(struct spnego_ctx *sp, struct msgbuf_wr *out, int rc)
{
	struct spnego_resp r;

	memset(&r, 0, sizeof(r));
	r.sr_negstate = SPNEGO_REJECT;
	if (!sp->sp_raw)
		(void)spnego_encode_resp(out, &r);
	return ctx_fail(sp, rc);
}

static int
ctx_check_mic(struct spnego_ctx *sp, const struct spnego_mic_ops *ops)
{
	if (ops == NULL || ops->check_mic == NULL ||
	    ops->check_mic(ops->arg, sp->sp_mechtypes, sp->sp_mechtypes_len,
	    sp->sp_mic, sp->sp_mic_len) != 0) {
		log_debug("spnego: client mechListMIC does not verify");
		return SPNEGO_E_MIC;
	}
	sp->sp_mic_pending = false;
	sp->sp_mic_checked = true;
	return SPNEGO_OK;
}

/* The bare-NTLMSSP dialect: the mechanism's token is the whole reply. */
static int
ctx_reply_raw(struct spnego_ctx *sp, const struct spnego_mech_out *mo,
    struct msgbuf_wr *out)
{
	if (mo == NULL)
		return ctx_fail(sp, SPNEGO_E_STATE);
	if (mo->mo_token != NULL)
		msgbuf_put_bytes(out, mo->mo_token, mo->mo_token_len);
	if (!msgbuf_wr_ok(out))
		return ctx_fail(sp, SPNEGO_E_NOMEM);
	switch (mo->mo_result) {
	case SPNEGO_MECH_CONTINUE:
		return SPNEGO_CONTINUE;
	case SPNEGO_MECH_DONE:
		sp->sp_mech_done = true;
		sp->sp_state = SPNEGO_ST_DONE;
		return SPNEGO_OK;
	default:
		return ctx_fail(sp, SPNEGO_E_REJECT);
	}
}

int
spnego_ctx_reply(struct spnego_ctx *sp, const struct spnego_mech_out *mo,
    const struct spnego_mic_ops *ops, struct msgbuf_wr *out)
{
	struct spnego_resp r;
	uint8_t mic[SPNEGO_MIC_MAX];
	size_t miclen;
	int rc;

	switch (sp->sp_state) {
	case SPNEGO_ST_FAILED:
		return ctx_reject(sp, out, SPNEGO_E_REJECT);
	case SPNEGO_ST_MECH:
	case SPNEGO_ST_MIC:
		break;
	default:
		return ctx_reject(sp, out, SPNEGO_E_STATE);
	}
	if (sp->sp_raw)
		return ctx_reply_raw(sp, mo, out);

	memset(&r, 0, sizeof(r));
	if (!sp->sp_replied) {
		/* RFC 4178 4.2.2: supportedMech only in the first reply. */
		r.sr_has_mech = true;
		r.sr_mech = spnego_oid_ntlmssp;
	}
	sp->sp_replied = true;

	if (sp->sp_state == SPNEGO_ST_MIC) {
		/* The client's answer to our accept-incomplete + MIC. */
		if (mo != NULL)
			return ctx_reject(sp, out, SPNEGO_E_STATE);
		if ((rc = ctx_check_mic(sp, ops)) != SPNEGO_OK)
			return ctx_reject(sp, out, rc);
		r.sr_negstate = SPNEGO_ACCEPT_COMPLETED;
		if (spnego_encode_resp(out, &r) != SPNEGO_OK)
			return ctx_fail(sp, SPNEGO_E_NOMEM);
		sp->sp_state = SPNEGO_ST_DONE;
		return SPNEGO_OK;
	}

	if (mo == NULL || mo->mo_result == SPNEGO_MECH_CONTINUE) {
		/* RFC 4178 5: request-mic in the first reply of a downgrade. */
		r.sr_negstate = r.sr_has_mech && sp->sp_downgraded ?
		    SPNEGO_REQUEST_MIC : SPNEGO_ACCEPT_INCOMPLETE;
		if (mo != NULL) {
			r.sr_token = mo->mo_token;
			r.sr_token_len = mo->mo_token_len;
		}
		if (spnego_encode_resp(out, &r) != SPNEGO_OK)
			return ctx_fail(sp, SPNEGO_E_NOMEM);
		return SPNEGO_CONTINUE;
	}
	if (mo->mo_result != SPNEGO_MECH_DONE)
		return ctx_reject(sp, out, SPNEGO_E_REJECT);

	sp->sp_mech_done = true;
	sp->sp_integ = mo->mo_integ;
	sp->sp_auth_mic = mo->mo_auth_mic;
	if (!sp->sp_integ)
		sp->sp_mic_pending = false;	/* nothing to check it with */
	if (sp->sp_mic_pending &&
	    (rc = ctx_check_mic(sp, ops)) != SPNEGO_OK)
		return ctx_reject(sp, out, rc);

	r.sr_negstate = SPNEGO_ACCEPT_COMPLETED;
	r.sr_token = mo->mo_token;
	r.sr_token_len = mo->mo_token_len;
	if (spnego_ctx_mic_required(sp)) {
		miclen = sizeof(mic);
		if (ops == NULL || ops->make_mic == NULL ||
		    ops->make_mic(ops->arg, sp->sp_mechtypes,
		    sp->sp_mechtypes_len, mic, &miclen) != 0 ||
		    miclen > sizeof(mic))
			return ctx_reject(sp, out, SPNEGO_E_MIC);
		r.sr_mic = mic;
		r.sr_mic_len = miclen;
		sp->sp_mic_sent = true;
		if (!sp->sp_mic_checked) {
			/*
			 * The client owes its MIC: ours goes out with
			 * accept-incomplete and the client answers with
			 * a token holding only its mechListMIC.
			 */
			r.sr_negstate = SPNEGO_ACCEPT_INCOMPLETE;
			if (spnego_encode_resp(out, &r) != SPNEGO_OK)
				return ctx_fail(sp, SPNEGO_E_NOMEM);
			sp->sp_state = SPNEGO_ST_MIC;
			return SPNEGO_CONTINUE;
		}
	}
	if (spnego_encode_resp(out, &r) != SPNEGO_OK)
		return ctx_fail(sp, SPNEGO_E_NOMEM);
	sp->sp_state = SPNEGO_ST_DONE;
	return SPNEGO_OK;
}
