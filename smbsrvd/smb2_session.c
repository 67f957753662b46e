/*
 * smb2_session.c — SESSION_SETUP (MS-SMB2 3.3.5.5, 3.3.5.5.1-3.3.5.5.3)
 * and LOGOFF (3.3.5.6).
 *
 * The security token is SPNEGO (spnego.c) around NTLMSSP (ntlm.c), or a
 * bare NTLMSSP token.  One exchange lives on the session (new session or
 * re-authentication) or on the channel (binding a 3.x channel).  Keys are
 * derived once, at the first successful authentication (3.3.5.5.3: a
 * re-authentication keeps them); a binding derives the channel's own
 * signing key.
 */
#include <openssl/crypto.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "conn.h"
#include "log.h"
#include "ntlm.h"
#include "ntstatus.h"
#include "server.h"
#include "session.h"
#include "smb2_negotiate.h"
#include "smb2_req.h"
#include "smb3_crypt.h"
#include "smb3_kdf.h"
#include "smb3_sign.h"
#include "spnego.h"
#include "srvs.h"
#include "userdb.h"

#define SS_REQ_SIZE	25
#define SS_RSP_SIZE	9
#define LOGOFF_SIZE	4
#define SS_TOKEN_MAX	65535

#define SMB2_SESSION_FLAG_BINDING	0x01
#define SMB2_SESSION_FLAG_IS_GUEST	0x0001
#define SMB2_SESSION_FLAG_IS_NULL	0x0002
#define SMB2_SESSION_FLAG_ENCRYPT_DATA	0x0004

/* The user database answers NTLM's question (ntlm.h). */
static int
lookup_user(void *arg, const char *user, const char *domain,
    uint8_t nthash[NTLM_NTHASH_LEN])
{
	struct userdb_user u;

	(void)arg;
	(void)domain;	/* a standalone server: every domain name is ours */
	if (server.sv_users == NULL)
		return NTLM_LOOKUP_UNKNOWN;
	if (userdb_find(server.sv_users, user, &u) != 0)
		return NTLM_LOOKUP_UNKNOWN;
	memcpy(nthash, u.uu_hash, NTLM_NTHASH_LEN);
	OPENSSL_cleanse(u.uu_hash, sizeof(u.uu_hash));
	return u.uu_enabled ? NTLM_LOOKUP_OK : NTLM_LOOKUP_DISABLED;
}

static struct ntlm_server *
new_exchange(void)
{
	static char host[64];
	struct ntlm_config nc;

	if (host[0] == '\0') {
		size_t i;

		if (gethostname(host, sizeof(host) - 1) == -1)
			snprintf(host, sizeof(host), "SMBSRVD");
		host[strcspn(host, ".")] = '\0';
		for (i = 0; host[i] != '\0' && i < 15; i++)
			if (host[i] >= 'a' && host[i] <= 'z')
				host[i] = (char)(host[i] - 'a' + 'A');
		host[i] = '\0';
	}
	memset(&nc, 0, sizeof(nc));
	nc.nc_netbios_name = host;
	nc.nc_netbios_domain = "WORKGROUP";
	nc.nc_guest_ok = server.sv_conf->cf_map_to_guest;
	nc.nc_lookup = lookup_user;
	return ntlm_server_new(&nc);
}

static int
mic_check(void *arg, const uint8_t *data, size_t len, const uint8_t *mic,
    size_t miclen)
{
	return ntlm_server_check_sign(arg, data, len, mic, miclen) ==
	    STATUS_SUCCESS ? 0 : -1;
}

static int
mic_make(void *arg, const uint8_t *data, size_t len, uint8_t *mic,
    size_t *miclen)
{
	if (*miclen < NTLM_SIG_LEN ||
	    ntlm_server_sign(arg, data, len, mic) != STATUS_SUCCESS)
		return -1;
	*miclen = NTLM_SIG_LEN;
	return 0;
}

/*
 * One leg of the GSS exchange: feeds the client's token to SPNEGO and
 * NTLM and writes the reply token.  Returns STATUS_SUCCESS when done (res
 * filled), STATUS_MORE_PROCESSING_REQUIRED, or a failure.
 */
static uint32_t
gss_step(struct spnego_ctx *sp, struct ntlm_server **ntlm,
    const uint8_t *in, size_t inlen, struct msgbuf_wr *out,
    struct ntlm_result *res)
{
	struct spnego_mech_out mo;
	struct spnego_mic_ops ops;
	const uint8_t *tok = NULL;
	uint8_t *chal = NULL;
	size_t toklen = 0, challen;
	uint32_t st;
	int rc;

	memset(&mo, 0, sizeof(mo));
	rc = spnego_ctx_input(sp, in, inlen, &tok, &toklen);
	if (rc < 0)
		return spnego_err_is_auth(rc) ? STATUS_LOGON_FAILURE :
		    STATUS_INVALID_PARAMETER;
	if (tok != NULL) {
		if (*ntlm == NULL) {
			if ((*ntlm = new_exchange()) == NULL)
				return STATUS_INSUFFICIENT_RESOURCES;
			st = ntlm_server_negotiate(*ntlm, tok, toklen, &chal,
			    &challen);
			if (st != STATUS_MORE_PROCESSING_REQUIRED)
				return st;
			mo.mo_result = SPNEGO_MECH_CONTINUE;
			mo.mo_token = chal;
			mo.mo_token_len = challen;
		} else {
			st = ntlm_server_authenticate(*ntlm, tok, toklen, res);
			mo.mo_result = st == STATUS_SUCCESS ?
			    SPNEGO_MECH_DONE : SPNEGO_MECH_FAILED;
			mo.mo_integ = st == STATUS_SUCCESS && res->nr_have_key;
			mo.mo_auth_mic = st == STATUS_SUCCESS && res->nr_mic;
			if (st != STATUS_SUCCESS) {
				/* The reject token is still sent. */
				ops = (struct spnego_mic_ops){ mic_check,
				    mic_make, *ntlm };
				(void)spnego_ctx_reply(sp, &mo, &ops, out);
				return st;
			}
		}
	}
	ops = (struct spnego_mic_ops){ mic_check, mic_make, *ntlm };
	rc = spnego_ctx_reply(sp, tok != NULL ? &mo : NULL, &ops, out);
	free(chal);
	if (rc == SPNEGO_OK)
		return STATUS_SUCCESS;
	if (rc == SPNEGO_CONTINUE)
		return STATUS_MORE_PROCESSING_REQUIRED;
	return spnego_err_is_auth(rc) ? STATUS_LOGON_FAILURE :
	    rc == SPNEGO_E_NOMEM ? STATUS_INSUFFICIENT_RESOURCES :
	    STATUS_INVALID_PARAMETER;
}

static void
put_response(struct smb_req *r, uint16_t flags, const struct msgbuf_wr *tok)
{
	msgbuf_put_le16(&r->r_rsp, SS_RSP_SIZE);
	msgbuf_put_le16(&r->r_rsp, flags);
	msgbuf_put_le16(&r->r_rsp, tok->wr_len ? SMB2_HDR_LEN + 8 : 0);
	msgbuf_put_le16(&r->r_rsp, (uint16_t)tok->wr_len);
	msgbuf_put_bytes(&r->r_rsp, tok->wr_buf, tok->wr_len);
}

/* 3.3.5.5.3 step 4: the keys of a first successful authentication. */
static uint32_t
derive_keys(struct conn *c, struct session *s, const uint8_t key[16])
{
	memcpy(s->s_session_key, key, 16);
	if (smb3_kdf_session_keys(c->c_dialect, c->c_cipher, key, 16,
	    s->s_preauth, &s->s_keys) == -1)
		return STATUS_INTERNAL_ERROR;
	if (c->c_dialect >= SMB2_DIALECT_300 && c->c_cipher != 0 &&
	    (smb3_crypt_key_init(&s->s_enc, c->c_cipher, s->s_keys.sk_encrypt,
	    s->s_keys.sk_cipher_keylen) == -1 ||
	    smb3_crypt_key_init(&s->s_dec, c->c_cipher, s->s_keys.sk_decrypt,
	    s->s_keys.sk_cipher_keylen) == -1))
		return STATUS_INTERNAL_ERROR;
	return STATUS_SUCCESS;
}

/* 3.3.5.5.3 step 5: PreviousSessionId names a session to evict. */
static void
evict_previous(struct session *s, uint64_t prev)
{
	struct session *old;

	if (prev == 0 || prev == s->s_id ||
	    (old = session_lookup_global(prev)) == NULL)
		return;
	/* Only the same user may push out an old session. */
	if (old->s_authenticated && strcasecmp(old->s_user, s->s_user) == 0)
		session_end(old, OFILE_END_LOST, "replaced by a new session "
		    "of the same user");
	session_rele(old);
}

/* A failed exchange destroys the session (3.3.5.5.3, error path). */
static uint32_t
fail_session(struct session *s, uint32_t st)
{
	srvs_pwerror();
	session_destroy(s, "authentication failed");
	return st;
}

static uint32_t
session_done(struct smb_req *r, struct session *s,
    const struct ntlm_result *res, uint16_t *flags)
{
	struct conn *c = r->r_conn;
	const struct conf *cf = server.sv_conf;
	uint32_t st;

	if (!s->s_authenticated) {
		if (res->nr_have_key &&
		    (st = derive_keys(c, s, res->nr_session_key)) !=
		    STATUS_SUCCESS)
			return st;
		s->s_authenticated = true;
		s->s_signing_required = res->nr_have_key &&
		    (cf->cf_signing_required || c->c_should_sign);
		s->s_encrypt = res->nr_have_key &&
		    cf->cf_smb_encrypt == CONF_ENCRYPT_REQUIRED &&
		    c->c_dialect >= SMB2_DIALECT_300 && c->c_cipher != 0;
	}
	snprintf(s->s_user, sizeof(s->s_user), "%s", res->nr_user);
	snprintf(s->s_domain, sizeof(s->s_domain), "%s", res->nr_domain);
	snprintf(s->s_workstation, sizeof(s->s_workstation), "%s",
	    res->nr_workstation);
	s->s_anonymous = res->nr_anonymous;
	s->s_guest = res->nr_guest;
	if (s->s_anonymous)
		*flags |= SMB2_SESSION_FLAG_IS_NULL;
	else if (s->s_guest)
		*flags |= SMB2_SESSION_FLAG_IS_GUEST;
	if (s->s_encrypt)
		*flags |= SMB2_SESSION_FLAG_ENCRYPT_DATA;
	if (!s->s_anonymous)
		c->c_constrained = false;
	session_set_state(s, SESSION_VALID);
	/* 3.3.5.5.3: ExpirationTime; NTLM gives none, the setting does. */
	session_set_expiry(s, cf->cf_session_expiry);
	r->r_rsp_sign = res->nr_have_key;
	log_info("session %u: %s%s%s authenticated from %s (SMB %s%s)",
	    s->s_global_id, s->s_anonymous ? "anonymous" : "user ",
	    s->s_anonymous ? "" : s->s_user, s->s_guest ? " as guest" : "",
	    c->c_peer_text, smb2_dialect_name(c->c_dialect),
	    s->s_encrypt ? ", encrypted" : s->s_signing_required ?
	    ", signed" : "");
	return STATUS_SUCCESS;
}

/* 3.3.5.5: binding a further channel to an existing 3.x session. */
static uint32_t
session_binding(struct smb_req *r, const uint8_t *tok, size_t toklen,
    struct msgbuf_wr *out)
{
	struct conn *c = r->r_conn;
	struct session *s;
	struct channel *ch;
	struct ntlm_result res;
	uint32_t st;
	uint8_t key[16];

	if ((s = session_lookup_global(r->r_hdr.h_session_id)) == NULL)
		return STATUS_USER_SESSION_DELETED;
	r->r_sess = s;
	if (s->s_dialect != c->c_dialect ||
	    !(r->r_hdr.h_flags & SMB2_FLAGS_SIGNED))
		return STATUS_INVALID_PARAMETER;
	if (s->s_conn != NULL &&
	    memcmp(s->s_conn->c_client_guid, c->c_client_guid, 16) != 0)
		return STATUS_USER_SESSION_DELETED;
	if (s->s_state == SESSION_IN_PROGRESS)
		return STATUS_REQUEST_NOT_ACCEPTED;
	if (session_expire_due(s, clock_mono_ms()))
		return STATUS_NETWORK_SESSION_EXPIRED;
	if (s->s_guest || s->s_anonymous)
		return STATUS_NOT_SUPPORTED;
	ch = session_channel(c, s->s_id);
	if (ch != NULL && ch->ch_bound)
		return STATUS_REQUEST_NOT_ACCEPTED;
	/* 3.3.5.2.4: a binding request is signed with Session.SigningKey. */
	if (smb3_sign_verify(c->c_signing_alg, s->s_keys.sk_signing, 16,
	    r->r_buf, r->r_len) == -1)
		return STATUS_ACCESS_DENIED;
	r->r_signed = true;
	if (ch == NULL) {
		if ((ch = session_bind(s, c)) == NULL)
			return STATUS_INSUFFICIENT_RESOURCES;
		memcpy(ch->ch_preauth, c->c_preauth, sizeof(ch->ch_preauth));
	}
	if (c->c_dialect == SMB2_DIALECT_311)
		smb3_preauth_update(ch->ch_preauth, r->r_buf, r->r_len);
	memset(&res, 0, sizeof(res));
	st = gss_step(&ch->ch_spnego, &ch->ch_ntlm, tok, toklen, out, &res);
	if (st == STATUS_MORE_PROCESSING_REQUIRED) {
		if (c->c_dialect == SMB2_DIALECT_311)
			r->r_preauth_rsp = ch->ch_preauth;
		return st;
	}
	if (st == STATUS_SUCCESS && (!res.nr_have_key ||
	    strcasecmp(res.nr_user, s->s_user) != 0))
		st = STATUS_NOT_SUPPORTED;	/* 3.3.5.5.3: same user only */
	if (st != STATUS_SUCCESS) {
		srvs_pwerror();
		session_unbind(ch);
		return st;
	}
	/* The channel signs with a key from this exchange (3.3.5.5.3). */
	memcpy(key, res.nr_session_key, 16);
	{
		struct smb3_keys k;

		if (smb3_kdf_session_keys(c->c_dialect, c->c_cipher, key, 16,
		    ch->ch_preauth, &k) == -1) {
			session_unbind(ch);
			return STATUS_INTERNAL_ERROR;
		}
		memcpy(ch->ch_signing_key, k.sk_signing, 16);
		smb3_keys_clear(&k);
	}
	OPENSSL_cleanse(key, sizeof(key));
	ntlm_server_free(ch->ch_ntlm);
	ch->ch_ntlm = NULL;
	ch->ch_has_key = true;
	ch->ch_bound = true;
	r->r_rsp_sign = true;
	log_info("session %u: channel bound on conn %llu", s->s_global_id,
	    (unsigned long long)c->c_id);
	return STATUS_SUCCESS;
}

uint32_t
smb2_session_setup(struct smb_req *r)
{
	struct conn *c = r->r_conn;
	const struct conf *cf = server.sv_conf;
	struct session *s;
	struct channel *ch;
	struct ntlm_result res;
	struct msgbuf_wr tok;
	const uint8_t *in;
	uint16_t off, len, flags = 0;
	uint64_t prev;
	uint8_t reqflags;
	uint32_t st;

	if (smb2_req_body(r, SS_REQ_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	reqflags = msgbuf_get_u8(&r->r_rd);
	msgbuf_skip(&r->r_rd, 1 + 4 + 4);	/* SecurityMode, Caps, Channel */
	off = msgbuf_get_le16(&r->r_rd);
	len = msgbuf_get_le16(&r->r_rd);
	prev = msgbuf_get_le64(&r->r_rd);
	msgbuf_seek(&r->r_rd, len ? off : msgbuf_tell(&r->r_rd));
	if ((in = msgbuf_get_ptr(&r->r_rd, len)) == NULL || len == 0)
		return STATUS_INVALID_PARAMETER;

	/* 3.3.5.5 step 1: a server that encrypts takes only 3.x clients. */
	if (cf->cf_smb_encrypt == CONF_ENCRYPT_REQUIRED &&
	    (c->c_dialect < SMB2_DIALECT_300 || c->c_cipher == 0))
		return STATUS_ACCESS_DENIED;

	msgbuf_wr_init(&tok, SS_TOKEN_MAX);
	if ((reqflags & SMB2_SESSION_FLAG_BINDING) && r->r_hdr.h_session_id) {
		if (c->c_dialect < SMB2_DIALECT_300) {
			st = STATUS_REQUEST_NOT_ACCEPTED;
			goto out;
		}
		st = session_binding(r, in, len, &tok);
		if (st == STATUS_SUCCESS ||
		    st == STATUS_MORE_PROCESSING_REQUIRED)
			put_response(r, 0, &tok);
		goto out;
	}

	if (r->r_hdr.h_session_id == 0) {
		if ((s = session_new(c)) == NULL) {
			st = STATUS_INSUFFICIENT_RESOURCES;
			goto out;
		}
		session_hold(s);
		r->r_rsp_session_id = s->s_id;
	} else {
		if ((ch = session_channel(c, r->r_hdr.h_session_id)) ==
		    NULL || !ch->ch_bound) {
			st = STATUS_USER_SESSION_DELETED;
			goto out;
		}
		s = ch->ch_session;
		session_hold(s);
		/* 3.3.5.5.2: an expired session starts over. */
		if (s->s_state == SESSION_EXPIRED)
			session_set_state(s, SESSION_IN_PROGRESS);
		if (s->s_ntlm == NULL)
			spnego_ctx_init(&s->s_spnego);
	}
	r->r_sess = s;
	if (c->c_dialect == SMB2_DIALECT_311 && !s->s_authenticated)
		smb3_preauth_update(s->s_preauth, r->r_buf, r->r_len);

	memset(&res, 0, sizeof(res));
	st = gss_step(&s->s_spnego, &s->s_ntlm, in, len, &tok, &res);
	if (st == STATUS_MORE_PROCESSING_REQUIRED) {
		if (c->c_dialect == SMB2_DIALECT_311 && !s->s_authenticated)
			r->r_preauth_rsp = s->s_preauth;
		put_response(r, 0, &tok);
		goto out;
	}
	ntlm_server_free(s->s_ntlm);
	s->s_ntlm = NULL;
	if (st != STATUS_SUCCESS) {
		log_info("session %u: authentication of %s%s%s from %s "
		    "failed: 0x%08x", s->s_global_id, res.nr_domain,
		    res.nr_domain[0] ? "\\" : "", res.nr_user,
		    c->c_peer_text, st);
		st = fail_session(s, st);
		goto out;
	}
	if ((st = session_done(r, s, &res, &flags)) != STATUS_SUCCESS) {
		st = fail_session(s, st);
		goto out;
	}
	evict_previous(s, prev);
	put_response(r, flags, &tok);
out:
	OPENSSL_cleanse(&res, sizeof(res));
	msgbuf_wr_free(&tok);
	return st;
}

/*
 * 3.3.5.6.  The full treatment of opens (durable and resilient opens kept
 * for the scavenger) arrives with the file layer; every tree connect is
 * deregistered and the session leaves both tables here.
 */
uint32_t
smb2_logoff(struct smb_req *r)
{
	if (smb2_req_body(r, LOGOFF_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	session_end(r->r_sess, OFILE_END_LOGOFF, "logoff");
	msgbuf_put_le16(&r->r_rsp, LOGOFF_SIZE);
	msgbuf_put_le16(&r->r_rsp, 0);
	return STATUS_SUCCESS;
}
