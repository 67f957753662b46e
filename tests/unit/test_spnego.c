/*
 * test_spnego.c — SPNEGO tokens and the acceptor state (smbsrvd/spnego.c).
 *
 * Where the test tokens come from.
 *
 * Captured from real clients: Samba 4.17's smbclient and impacket 0.10's
 * SMBConnection (Debian 12 packages) logged on to Samba 4.17's smbd
 * (tools/samba-ref.sh, user bench) through a small TCP proxy that logged
 * the SecurityBuffer of every NEGOTIATE response and SESSION_SETUP request
 * and response:
 *   smbclient //127.0.0.1/share -p PORT -U bench%bench-pass-1 -c ls
 *   SMBConnection('127.0.0.1', '127.0.0.1', sess_port=PORT)
 *       .login('bench', 'bench-pass-1')
 * samba_hint is smbd's NEGOTIATE SecurityBuffer; smbclient_init and
 * smbclient_auth are smbclient's two SESSION_SETUP tokens (the second
 * carries a mechListMIC), samba_challenge and samba_accept_mic smbd's
 * answers; impacket_init, impacket_auth and samba_accept the same for
 * impacket, which sends no mechListMIC.
 *
 * Built with impacket's classes (python3-impacket 0.10):
 *   t1 = ntlm.getNTLMSSPType1('WS1', 'DOM', signingRequired=True)
 *   imp_raw_type1 = t1.getData()
 *   b = SPNEGO_NegTokenInit()
 *   b['MechTypes'] = [TypesMech[NEGOEX], TypesMech[MS KRB5],
 *       TypesMech[KRB5], TypesMech[NTLMSSP]]   (Windows' order)
 *   b['MechToken'] = b'KRB5 AP-REQ stand-in'
 *   imp_init_downgrade = b.getData()
 *   b['MechTypes'] = [TypesMech[NTLMSSP], TypesMech[MS KRB5]]
 *   b['MechToken'] = t1.getData()
 *   imp_init_ntlm_first = b.getData()
 *   r = SPNEGO_NegTokenResp(); r['NegState'] = b'\x03'
 *   r['SupportedMech'] = TypesMech[NTLMSSP]
 *   imp_resp_reqmic = r.getData()
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "der.h"
#include "msgbuf.h"
#include "spnego.h"

static const uint8_t samba_hint[74] = {
	0x60, 0x48, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0, 0x3e,
	0x30, 0x3c, 0xa0, 0x0e, 0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
	0x01, 0x82, 0x37, 0x02, 0x02, 0x0a, 0xa3, 0x2a, 0x30, 0x28, 0xa0, 0x26,
	0x1b, 0x24, 0x6e, 0x6f, 0x74, 0x5f, 0x64, 0x65, 0x66, 0x69, 0x6e, 0x65,
	0x64, 0x5f, 0x69, 0x6e, 0x5f, 0x52, 0x46, 0x43, 0x34, 0x31, 0x37, 0x38,
	0x40, 0x70, 0x6c, 0x65, 0x61, 0x73, 0x65, 0x5f, 0x69, 0x67, 0x6e, 0x6f,
	0x72, 0x65,
};

static const uint8_t smbclient_init[74] = {
	0x60, 0x48, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0, 0x3e,
	0x30, 0x3c, 0xa0, 0x0e, 0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
	0x01, 0x82, 0x37, 0x02, 0x02, 0x0a, 0xa2, 0x2a, 0x04, 0x28, 0x4e, 0x54,
	0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x01, 0x00, 0x00, 0x00, 0x15, 0x82,
	0x08, 0x62, 0x00, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x0f,
};

static const uint8_t samba_challenge[201] = {
	0xa1, 0x81, 0xc6, 0x30, 0x81, 0xc3, 0xa0, 0x03, 0x0a, 0x01, 0x01, 0xa1,
	0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02,
	0x0a, 0xa2, 0x81, 0xad, 0x04, 0x81, 0xaa, 0x4e, 0x54, 0x4c, 0x4d, 0x53,
	0x53, 0x50, 0x00, 0x02, 0x00, 0x00, 0x00, 0x1a, 0x00, 0x1a, 0x00, 0x38,
	0x00, 0x00, 0x00, 0x15, 0x82, 0x8a, 0x62, 0x4c, 0x54, 0x29, 0x18, 0xeb,
	0x6f, 0x8b, 0xe6, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x58,
	0x00, 0x58, 0x00, 0x52, 0x00, 0x00, 0x00, 0x06, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x0f, 0x42, 0x00, 0x45, 0x00, 0x4e, 0x00, 0x43, 0x00, 0x48,
	0x00, 0x52, 0x00, 0x45, 0x00, 0x46, 0x00, 0x34, 0x00, 0x34, 0x00, 0x35,
	0x00, 0x31, 0x00, 0x31, 0x00, 0x02, 0x00, 0x1a, 0x00, 0x42, 0x00, 0x45,
	0x00, 0x4e, 0x00, 0x43, 0x00, 0x48, 0x00, 0x52, 0x00, 0x45, 0x00, 0x46,
	0x00, 0x34, 0x00, 0x34, 0x00, 0x35, 0x00, 0x31, 0x00, 0x31, 0x00, 0x01,
	0x00, 0x1a, 0x00, 0x42, 0x00, 0x45, 0x00, 0x4e, 0x00, 0x43, 0x00, 0x48,
	0x00, 0x52, 0x00, 0x45, 0x00, 0x46, 0x00, 0x34, 0x00, 0x34, 0x00, 0x35,
	0x00, 0x31, 0x00, 0x31, 0x00, 0x04, 0x00, 0x00, 0x00, 0x03, 0x00, 0x04,
	0x00, 0x76, 0x00, 0x6d, 0x00, 0x07, 0x00, 0x08, 0x00, 0xfa, 0x82, 0x04,
	0xcc, 0x25, 0x7b, 0xdd, 0x01, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t smbclient_auth[440] = {
	0xa1, 0x82, 0x01, 0xb4, 0x30, 0x82, 0x01, 0xb0, 0xa2, 0x82, 0x01, 0x98,
	0x04, 0x82, 0x01, 0x94, 0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x18, 0x00, 0x18, 0x00, 0x58, 0x00, 0x00, 0x00,
	0xf4, 0x00, 0xf4, 0x00, 0x70, 0x00, 0x00, 0x00, 0x12, 0x00, 0x12, 0x00,
	0x64, 0x01, 0x00, 0x00, 0x0a, 0x00, 0x0a, 0x00, 0x76, 0x01, 0x00, 0x00,
	0x04, 0x00, 0x04, 0x00, 0x80, 0x01, 0x00, 0x00, 0x10, 0x00, 0x10, 0x00,
	0x84, 0x01, 0x00, 0x00, 0x15, 0x82, 0x08, 0x62, 0x06, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x0f, 0xb0, 0x37, 0xd1, 0x08, 0x35, 0x00, 0x1f, 0xab,
	0xa2, 0xd7, 0x79, 0xd8, 0xb8, 0x10, 0x5d, 0x8e, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x86, 0x9d, 0x90, 0xd2,
	0x6c, 0x0d, 0xca, 0x5d, 0x3c, 0x29, 0xa3, 0x1c, 0xdc, 0x2a, 0xe4, 0xcd,
	0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfa, 0x82, 0x04, 0xcc,
	0x25, 0x7b, 0xdd, 0x01, 0x31, 0x20, 0x96, 0x72, 0x3c, 0x29, 0x6a, 0x72,
	0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x1a, 0x00, 0x42, 0x00, 0x45, 0x00,
	0x4e, 0x00, 0x43, 0x00, 0x48, 0x00, 0x52, 0x00, 0x45, 0x00, 0x46, 0x00,
	0x34, 0x00, 0x34, 0x00, 0x35, 0x00, 0x31, 0x00, 0x31, 0x00, 0x01, 0x00,
	0x1a, 0x00, 0x42, 0x00, 0x45, 0x00, 0x4e, 0x00, 0x43, 0x00, 0x48, 0x00,
	0x52, 0x00, 0x45, 0x00, 0x46, 0x00, 0x34, 0x00, 0x34, 0x00, 0x35, 0x00,
	0x31, 0x00, 0x31, 0x00, 0x04, 0x00, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00,
	0x76, 0x00, 0x6d, 0x00, 0x07, 0x00, 0x08, 0x00, 0xfa, 0x82, 0x04, 0xcc,
	0x25, 0x7b, 0xdd, 0x01, 0x06, 0x00, 0x04, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x30, 0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6b, 0xe9, 0x74, 0x7f,
	0x65, 0x00, 0xa2, 0xe5, 0x8b, 0x2e, 0x62, 0x5b, 0x78, 0x58, 0xb2, 0xa9,
	0x21, 0xb0, 0x84, 0x5c, 0xa0, 0xa4, 0x1d, 0x24, 0x1c, 0xd4, 0x3c, 0x55,
	0x4c, 0x06, 0xd6, 0x97, 0x0a, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x09, 0x00, 0x1c, 0x00, 0x63, 0x00, 0x69, 0x00, 0x66, 0x00, 0x73, 0x00,
	0x2f, 0x00, 0x31, 0x00, 0x32, 0x00, 0x37, 0x00, 0x2e, 0x00, 0x30, 0x00,
	0x2e, 0x00, 0x30, 0x00, 0x2e, 0x00, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x57, 0x00, 0x4f, 0x00, 0x52, 0x00, 0x4b, 0x00, 0x47, 0x00, 0x52, 0x00,
	0x4f, 0x00, 0x55, 0x00, 0x50, 0x00, 0x62, 0x00, 0x65, 0x00, 0x6e, 0x00,
	0x63, 0x00, 0x68, 0x00, 0x56, 0x00, 0x4d, 0x00, 0x78, 0xfe, 0xa8, 0x05,
	0x1f, 0x3a, 0x00, 0x5c, 0xf0, 0x44, 0x47, 0xe1, 0x0e, 0xd2, 0x48, 0x0d,
	0xa3, 0x12, 0x04, 0x10, 0x01, 0x00, 0x00, 0x00, 0x39, 0x43, 0x34, 0xdb,
	0xe1, 0x64, 0xc1, 0x6a, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t samba_accept_mic[29] = {
	0xa1, 0x1b, 0x30, 0x19, 0xa0, 0x03, 0x0a, 0x01, 0x00, 0xa3, 0x12, 0x04,
	0x10, 0x01, 0x00, 0x00, 0x00, 0x79, 0x80, 0xf8, 0x62, 0x16, 0x8d, 0x8d,
	0x09, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t impacket_init[66] = {
	0x60, 0x40, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0, 0x36,
	0x30, 0x34, 0xa0, 0x0e, 0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
	0x01, 0x82, 0x37, 0x02, 0x02, 0x0a, 0xa2, 0x22, 0x04, 0x20, 0x4e, 0x54,
	0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x02,
	0x88, 0xa0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t impacket_auth[290] = {
	0xa1, 0x82, 0x01, 0x1e, 0x30, 0x82, 0x01, 0x1a, 0xa2, 0x82, 0x01, 0x16,
	0x04, 0x82, 0x01, 0x12, 0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x18, 0x00, 0x18, 0x00, 0x4a, 0x00, 0x00, 0x00,
	0xb0, 0x00, 0xb0, 0x00, 0x62, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x40, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x0a, 0x00, 0x40, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x4a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x12, 0x01, 0x00, 0x00, 0x05, 0x02, 0x88, 0xa0, 0x62, 0x00, 0x65, 0x00,
	0x6e, 0x00, 0x63, 0x00, 0x68, 0x00, 0xed, 0x91, 0xdf, 0x05, 0x94, 0x91,
	0x5b, 0x80, 0xdf, 0xaa, 0x8d, 0x08, 0x8c, 0xc5, 0x97, 0xc6, 0x6b, 0x31,
	0x64, 0x7a, 0x51, 0x6a, 0x33, 0x63, 0x27, 0x91, 0xbd, 0x5c, 0x93, 0x9c,
	0x3d, 0x8a, 0x32, 0xa1, 0x79, 0xc0, 0xc2, 0x62, 0x37, 0x2c, 0x01, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7e, 0x6c, 0x23, 0xcc, 0x25, 0x7b,
	0xdd, 0x01, 0x6b, 0x31, 0x64, 0x7a, 0x51, 0x6a, 0x33, 0x63, 0x00, 0x00,
	0x00, 0x00, 0x02, 0x00, 0x1a, 0x00, 0x42, 0x00, 0x45, 0x00, 0x4e, 0x00,
	0x43, 0x00, 0x48, 0x00, 0x52, 0x00, 0x45, 0x00, 0x46, 0x00, 0x34, 0x00,
	0x34, 0x00, 0x35, 0x00, 0x31, 0x00, 0x31, 0x00, 0x01, 0x00, 0x1a, 0x00,
	0x42, 0x00, 0x45, 0x00, 0x4e, 0x00, 0x43, 0x00, 0x48, 0x00, 0x52, 0x00,
	0x45, 0x00, 0x46, 0x00, 0x34, 0x00, 0x34, 0x00, 0x35, 0x00, 0x31, 0x00,
	0x31, 0x00, 0x04, 0x00, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00, 0x76, 0x00,
	0x6d, 0x00, 0x07, 0x00, 0x08, 0x00, 0x7e, 0x6c, 0x23, 0xcc, 0x25, 0x7b,
	0xdd, 0x01, 0x09, 0x00, 0x24, 0x00, 0x63, 0x00, 0x69, 0x00, 0x66, 0x00,
	0x73, 0x00, 0x2f, 0x00, 0x42, 0x00, 0x45, 0x00, 0x4e, 0x00, 0x43, 0x00,
	0x48, 0x00, 0x52, 0x00, 0x45, 0x00, 0x46, 0x00, 0x34, 0x00, 0x34, 0x00,
	0x35, 0x00, 0x31, 0x00, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00,
};

static const uint8_t samba_accept[9] = {
	0xa1, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x0a, 0x01, 0x00,
};

static const uint8_t imp_raw_type1[32] = {
	0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x35, 0x82, 0x88, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t imp_init_downgrade[88] = {
	0x60, 0x56, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0, 0x4c,
	0x30, 0x4a, 0xa0, 0x30, 0x30, 0x2e, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
	0x01, 0x82, 0x37, 0x02, 0x02, 0x1e, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x82,
	0xf7, 0x12, 0x01, 0x02, 0x02, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
	0x12, 0x01, 0x02, 0x02, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82,
	0x37, 0x02, 0x02, 0x0a, 0xa2, 0x16, 0x04, 0x14, 0x4b, 0x52, 0x42, 0x35,
	0x20, 0x41, 0x50, 0x2d, 0x52, 0x45, 0x51, 0x20, 0x73, 0x74, 0x61, 0x6e,
	0x64, 0x2d, 0x69, 0x6e,
};

static const uint8_t imp_init_ntlm_first[77] = {
	0x60, 0x4b, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0, 0x41,
	0x30, 0x3f, 0xa0, 0x19, 0x30, 0x17, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
	0x01, 0x82, 0x37, 0x02, 0x02, 0x0a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x82,
	0xf7, 0x12, 0x01, 0x02, 0x02, 0xa2, 0x22, 0x04, 0x20, 0x4e, 0x54, 0x4c,
	0x4d, 0x53, 0x53, 0x50, 0x00, 0x01, 0x00, 0x00, 0x00, 0x35, 0x82, 0x88,
	0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t imp_resp_reqmic[23] = {
	0xa1, 0x15, 0x30, 0x13, 0xa0, 0x03, 0x0a, 0x01, 0x03, 0xa1, 0x0c, 0x06,
	0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a,
};

/* The MechTypeList DER of a list holding only NTLMSSP. */
static const uint8_t mechtypes_ntlmssp[] = {
	0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37,
	0x02, 0x02, 0x0a,
};

/* A heap copy of exactly len bytes, so that ASan sees overreads. */
static uint8_t *
dup_exact(const uint8_t *p, size_t len)
{
	uint8_t *q = malloc(len == 0 ? 1 : len);

	assert_non_null(q);
	if (len > 0)
		memcpy(q, p, len);
	return q;
}

static void
test_spnego_hint_matches_hand_assembled_der(void **state)
{
	/*
	 * [MS-SPNG] 2.2.1 NegTokenInit2 inside the RFC 2743 3.1 frame:
	 *   60 48              [APPLICATION 0], 72 bytes
	 *    06 06 2b 06 01 05 05 02      OID 1.3.6.1.5.5.2: 1*40+3 = 0x2b
	 *    a0 3e             [0] NegotiationToken.negTokenInit, 62 bytes
	 *     30 3c            SEQUENCE NegTokenInit2, 60 bytes
	 *      a0 0e           [0] mechTypes, 14 bytes
	 *       30 0c          SEQUENCE OF MechType, 12 bytes
	 *        06 0a 2b 06 01 04 01 82 37 02 02 0a
	 *                      1.3.6.1.4.1.311.2.2.10: 311 = 0x82 0x37
	 *      a3 2a           [3] negHints, 42 bytes
	 *       30 28          SEQUENCE NegHints, 40 bytes
	 *        a0 26         [0] hintName, 38 bytes
	 *         1b 24 ...    GeneralString, the 36-byte name
	 */
	static const char name[] = "not_defined_in_RFC4178@please_ignore";
	uint8_t expect[74];
	static const uint8_t head[] = {
		0x60, 0x48, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02,
		0xa0, 0x3e, 0x30, 0x3c, 0xa0, 0x0e, 0x30, 0x0c, 0x06, 0x0a,
		0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a,
		0xa3, 0x2a, 0x30, 0x28, 0xa0, 0x26, 0x1b, 0x24,
	};
	struct msgbuf_wr wr;

	(void)state;
	assert_int_equal(sizeof(head) + sizeof(name) - 1, sizeof(expect));
	memcpy(expect, head, sizeof(head));
	memcpy(expect + sizeof(head), name, sizeof(name) - 1);

	msgbuf_wr_init(&wr, 1024);
	assert_int_equal(spnego_server_hint(&wr), SPNEGO_OK);
	assert_int_equal(wr.wr_len, sizeof(expect));
	assert_memory_equal(wr.wr_buf, expect, sizeof(expect));
	/* And what Samba's smbd puts in its NEGOTIATE response. */
	assert_memory_equal(wr.wr_buf, samba_hint, sizeof(samba_hint));
	msgbuf_wr_free(&wr);
}

static void
test_spnego_hint_appends_and_parses_back(void **state)
{
	struct msgbuf_wr wr;
	struct spnego_init si;

	(void)state;
	msgbuf_wr_init(&wr, 1024);
	msgbuf_put_zero(&wr, 3);	/* e.g. an SMB2 body before it */
	assert_int_equal(spnego_server_hint(&wr), SPNEGO_OK);
	assert_memory_equal(wr.wr_buf + 3, samba_hint, sizeof(samba_hint));
	assert_int_equal(der_check(wr.wr_buf + 3, wr.wr_len - 3, 0), DER_OK);
	assert_int_equal(spnego_parse_init(wr.wr_buf + 3, wr.wr_len - 3, &si),
	    SPNEGO_OK);
	assert_true(si.si_neghints);
	assert_int_equal(si.si_nmechs, 1);
	assert_int_equal(si.si_ntlmssp, 0);
	assert_null(si.si_mechtoken);
	assert_null(si.si_mic);
	msgbuf_wr_free(&wr);

	/* Too small a cap: an error, never a partial token passed as ok. */
	msgbuf_wr_init(&wr, 40);
	assert_int_equal(spnego_server_hint(&wr), SPNEGO_E_NOMEM);
	msgbuf_wr_free(&wr);
}

static void
test_spnego_parses_smbclient_negtokeninit(void **state)
{
	struct spnego_init si;

	(void)state;
	assert_int_equal(spnego_parse_init(smbclient_init,
	    sizeof(smbclient_init), &si), SPNEGO_OK);
	assert_false(si.si_raw);
	assert_int_equal(si.si_nmechs, 1);
	assert_true(der_oid_eq(&si.si_mechs[0], &spnego_oid_ntlmssp));
	assert_int_equal(si.si_ntlmssp, 0);
	assert_int_equal(si.si_mechtypes_len, sizeof(mechtypes_ntlmssp));
	assert_memory_equal(si.si_mechtypes, mechtypes_ntlmssp,
	    sizeof(mechtypes_ntlmssp));
	assert_ptr_equal(si.si_mechtypes, smbclient_init + 16);
	/* The optimistic token is the NTLM NEGOTIATE_MESSAGE. */
	assert_int_equal(si.si_mechtoken_len, 40);
	assert_memory_equal(si.si_mechtoken, "NTLMSSP\0\1\0\0\0", 12);
	assert_null(si.si_mic);
	assert_false(si.si_reqflags);
	assert_false(si.si_neghints);
}

static void
test_spnego_parses_impacket_negtokeninit(void **state)
{
	struct spnego_init si;

	(void)state;
	assert_int_equal(spnego_parse_init(impacket_init,
	    sizeof(impacket_init), &si), SPNEGO_OK);
	assert_int_equal(si.si_nmechs, 1);
	assert_int_equal(si.si_ntlmssp, 0);
	assert_memory_equal(si.si_mechtypes, mechtypes_ntlmssp,
	    sizeof(mechtypes_ntlmssp));
	assert_int_equal(si.si_mechtoken_len, 32);
	assert_memory_equal(si.si_mechtoken, "NTLMSSP\0\1\0\0\0", 12);
}

static void
test_spnego_parses_windows_order_mech_list(void **state)
{
	struct spnego_init si;
	char txt[64];

	(void)state;
	assert_int_equal(spnego_parse_init(imp_init_downgrade,
	    sizeof(imp_init_downgrade), &si), SPNEGO_OK);
	assert_int_equal(si.si_nmechs, 4);
	assert_string_equal(spnego_mech_name(&si.si_mechs[0]), "negoex");
	assert_string_equal(spnego_mech_name(&si.si_mechs[1]), "ms-krb5");
	assert_string_equal(spnego_mech_name(&si.si_mechs[2]), "krb5");
	assert_string_equal(spnego_mech_name(&si.si_mechs[3]), "ntlmssp");
	assert_string_equal(der_oid_fmt(&si.si_mechs[1], txt, sizeof(txt)),
	    "1.2.840.48018.1.2.2");
	assert_int_equal(si.si_ntlmssp, 3);
	assert_int_equal(si.si_mechtoken_len, 20);
	assert_memory_equal(si.si_mechtoken, "KRB5 AP-REQ stand-in", 20);
	/* The MechTypeList bytes start at its SEQUENCE tag. */
	assert_int_equal(si.si_mechtypes[0], DER_SEQUENCE);
	assert_int_equal(si.si_mechtypes_len, 2 + 4 * 2 + 10 + 9 + 9 + 10);

	assert_int_equal(spnego_parse_init(imp_init_ntlm_first,
	    sizeof(imp_init_ntlm_first), &si), SPNEGO_OK);
	assert_int_equal(si.si_nmechs, 2);
	assert_int_equal(si.si_ntlmssp, 0);
	assert_int_equal(si.si_mechtoken_len, sizeof(imp_raw_type1));
	assert_memory_equal(si.si_mechtoken, imp_raw_type1,
	    sizeof(imp_raw_type1));
}

static void
test_spnego_parses_raw_ntlmssp(void **state)
{
	struct spnego_init si;

	(void)state;
	assert_int_equal(spnego_parse_init(imp_raw_type1,
	    sizeof(imp_raw_type1), &si), SPNEGO_OK);
	assert_true(si.si_raw);
	assert_int_equal(si.si_ntlmssp, 0);
	assert_ptr_equal(si.si_mechtoken, imp_raw_type1);
	assert_int_equal(si.si_mechtoken_len, sizeof(imp_raw_type1));
	assert_null(si.si_mechtypes);
	/* Seven bytes of the magic are not NTLMSSP, nor DER. */
	assert_int_not_equal(spnego_parse_init(imp_raw_type1, 7, &si),
	    SPNEGO_OK);
}

static void
test_spnego_parses_client_and_server_negtokenresp(void **state)
{
	struct spnego_resp sr;

	(void)state;
	assert_int_equal(spnego_parse_resp(smbclient_auth,
	    sizeof(smbclient_auth), &sr), SPNEGO_OK);
	assert_int_equal(sr.sr_negstate, SPNEGO_NEGSTATE_ABSENT);
	assert_false(sr.sr_has_mech);
	assert_int_equal(sr.sr_token_len, 0x194);
	assert_memory_equal(sr.sr_token, "NTLMSSP\0\3\0\0\0", 12);
	assert_int_equal(sr.sr_mic_len, 16);
	assert_ptr_equal(sr.sr_mic, smbclient_auth + sizeof(smbclient_auth) -
	    16);

	assert_int_equal(spnego_parse_resp(impacket_auth,
	    sizeof(impacket_auth), &sr), SPNEGO_OK);
	assert_int_equal(sr.sr_negstate, SPNEGO_NEGSTATE_ABSENT);
	assert_memory_equal(sr.sr_token, "NTLMSSP\0\3\0\0\0", 12);
	assert_null(sr.sr_mic);

	assert_int_equal(spnego_parse_resp(samba_challenge,
	    sizeof(samba_challenge), &sr), SPNEGO_OK);
	assert_int_equal(sr.sr_negstate, SPNEGO_ACCEPT_INCOMPLETE);
	assert_true(sr.sr_has_mech);
	assert_true(der_oid_eq(&sr.sr_mech, &spnego_oid_ntlmssp));
	assert_memory_equal(sr.sr_token, "NTLMSSP\0\2\0\0\0", 12);
	assert_null(sr.sr_mic);

	assert_int_equal(spnego_parse_resp(samba_accept_mic,
	    sizeof(samba_accept_mic), &sr), SPNEGO_OK);
	assert_int_equal(sr.sr_negstate, SPNEGO_ACCEPT_COMPLETED);
	assert_null(sr.sr_token);
	assert_int_equal(sr.sr_mic_len, 16);

	assert_int_equal(spnego_parse_resp(imp_resp_reqmic,
	    sizeof(imp_resp_reqmic), &sr), SPNEGO_OK);
	assert_int_equal(sr.sr_negstate, SPNEGO_REQUEST_MIC);
	assert_true(sr.sr_has_mech);
	assert_null(sr.sr_token);
}

/* Parses a NegTokenResp, encodes the result, expects the same bytes. */
static void
check_resp_round_trip(const uint8_t *tok, size_t len)
{
	struct spnego_resp sr;
	struct msgbuf_wr wr;

	assert_int_equal(spnego_parse_resp(tok, len, &sr), SPNEGO_OK);
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_encode_resp(&wr, &sr), SPNEGO_OK);
	assert_int_equal(wr.wr_len, len);
	assert_memory_equal(wr.wr_buf, tok, len);
	msgbuf_wr_free(&wr);
}

static void
test_spnego_resp_round_trips_byte_for_byte(void **state)
{
	(void)state;
	check_resp_round_trip(smbclient_auth, sizeof(smbclient_auth));
	check_resp_round_trip(impacket_auth, sizeof(impacket_auth));
	check_resp_round_trip(samba_challenge, sizeof(samba_challenge));
	check_resp_round_trip(samba_accept_mic, sizeof(samba_accept_mic));
	check_resp_round_trip(samba_accept, sizeof(samba_accept));
	check_resp_round_trip(imp_resp_reqmic, sizeof(imp_resp_reqmic));
}

static void
test_spnego_init_round_trips(void **state)
{
	struct der_oid mechs[3];
	struct spnego_init si;
	struct msgbuf_wr wr;
	uint8_t tok[300], mic[16];

	(void)state;
	mechs[0] = spnego_oid_krb5;
	mechs[1] = spnego_oid_ntlmssp;
	mechs[2] = spnego_oid_negoex;
	memset(tok, 0x42, sizeof(tok));	/* long-form lengths */
	memset(mic, 0x17, sizeof(mic));
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_encode_init(&wr, mechs, 3, tok, sizeof(tok),
	    mic, sizeof(mic)), SPNEGO_OK);
	assert_int_equal(der_check(wr.wr_buf, wr.wr_len, 0), DER_OK);
	assert_int_equal(spnego_parse_init(wr.wr_buf, wr.wr_len, &si),
	    SPNEGO_OK);
	assert_int_equal(si.si_nmechs, 3);
	assert_true(der_oid_eq(&si.si_mechs[0], &spnego_oid_krb5));
	assert_true(der_oid_eq(&si.si_mechs[2], &spnego_oid_negoex));
	assert_int_equal(si.si_ntlmssp, 1);
	assert_int_equal(si.si_mechtoken_len, sizeof(tok));
	assert_memory_equal(si.si_mechtoken, tok, sizeof(tok));
	assert_int_equal(si.si_mic_len, sizeof(mic));
	assert_memory_equal(si.si_mic, mic, sizeof(mic));
	msgbuf_wr_free(&wr);

	/* The two impacket client tokens come out of our encoder too. */
	msgbuf_wr_init(&wr, 4096);
	mechs[0] = spnego_oid_ntlmssp;
	mechs[1] = spnego_oid_mskrb5;
	assert_int_equal(spnego_encode_init(&wr, mechs, 2, imp_raw_type1,
	    sizeof(imp_raw_type1), NULL, 0), SPNEGO_OK);
	assert_int_equal(wr.wr_len, sizeof(imp_init_ntlm_first));
	assert_memory_equal(wr.wr_buf, imp_init_ntlm_first,
	    sizeof(imp_init_ntlm_first));
	msgbuf_wr_free(&wr);
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_parse_init(smbclient_init,
	    sizeof(smbclient_init), &si), SPNEGO_OK);
	assert_int_equal(spnego_encode_init(&wr, si.si_mechs, si.si_nmechs,
	    si.si_mechtoken, si.si_mechtoken_len, NULL, 0), SPNEGO_OK);
	assert_memory_equal(wr.wr_buf, smbclient_init, sizeof(smbclient_init));
	msgbuf_wr_free(&wr);
}

static void
test_spnego_non_minimal_lengths_refused(void **state)
{
	uint8_t buf[sizeof(smbclient_init) + 2];
	struct spnego_init si;
	struct spnego_resp sr;

	(void)state;
	/* The outer length 0x48 written as 0x81 0x48. */
	buf[0] = 0x60;
	buf[1] = 0x81;
	memcpy(buf + 2, smbclient_init + 1, sizeof(smbclient_init) - 1);
	assert_int_equal(spnego_parse_init(buf, sizeof(smbclient_init) + 1,
	    &si), DER_E_LENGTH);
	/* And as 0x82 0x00 0x48. */
	buf[1] = 0x82;
	buf[2] = 0x00;
	memcpy(buf + 3, smbclient_init + 1, sizeof(smbclient_init) - 1);
	assert_int_equal(spnego_parse_init(buf, sizeof(buf), &si),
	    DER_E_LENGTH);
	/* Indefinite outer length. */
	memcpy(buf, smbclient_init, sizeof(smbclient_init));
	buf[1] = 0x80;
	buf[sizeof(smbclient_init)] = 0;
	buf[sizeof(smbclient_init) + 1] = 0;
	assert_int_equal(spnego_parse_init(buf, sizeof(buf), &si),
	    DER_E_INDEFINITE);
	/* Inside a NegTokenResp: negState [0] length 03 as 81 03. */
	assert_int_equal(spnego_parse_resp((const uint8_t *)
	    "\xa1\x08\x30\x06\xa0\x81\x03\x0a\x01\x00", 10, &sr),
	    DER_E_LENGTH);
	/* ENUMERATED 1 written as 00 01. */
	assert_int_equal(spnego_parse_resp((const uint8_t *)
	    "\xa1\x08\x30\x06\xa0\x04\x0a\x02\x00\x01", 10, &sr), DER_E_VALUE);
}

static void
test_spnego_structure_errors_refused(void **state)
{
	struct spnego_init si;
	struct spnego_resp sr;
	uint8_t buf[512];

	(void)state;
	/* Trailing byte after the whole token. */
	memcpy(buf, smbclient_init, sizeof(smbclient_init));
	buf[sizeof(smbclient_init)] = 0;
	assert_int_equal(spnego_parse_init(buf, sizeof(smbclient_init) + 1,
	    &si), DER_E_TRAILING);
	memcpy(buf, samba_accept, sizeof(samba_accept));
	buf[sizeof(samba_accept)] = 0;
	assert_int_equal(spnego_parse_resp(buf, sizeof(samba_accept) + 1,
	    &sr), DER_E_TRAILING);
	/* Unknown field [5] at the end of the NegTokenResp SEQUENCE. */
	assert_int_equal(spnego_parse_resp((const uint8_t *)
	    "\xa1\x0b\x30\x09\xa0\x03\x0a\x01\x00\xa5\x02\x05\x00", 13, &sr),
	    SPNEGO_E_SYNTAX);
	/* Fields out of order: [2] before [0]. */
	assert_int_equal(spnego_parse_resp((const uint8_t *)
	    "\xa1\x0d\x30\x0b\xa2\x04\x04\x02\x41\x42\xa0\x03\x0a\x01\x00",
	    15, &sr), SPNEGO_E_SYNTAX);
	/* A field twice. */
	assert_int_equal(spnego_parse_resp((const uint8_t *)
	    "\xa1\x0c\x30\x0a\xa0\x03\x0a\x01\x00\xa0\x03\x0a\x01\x00", 14,
	    &sr), SPNEGO_E_SYNTAX);
	/* Garbage after the OCTET STRING inside responseToken [2]. */
	assert_int_equal(spnego_parse_resp((const uint8_t *)
	    "\xa1\x08\x30\x06\xa2\x04\x04\x01\x41\x00", 10, &sr),
	    DER_E_TRAILING);
	/* negState 4 does not exist. */
	assert_int_equal(spnego_parse_resp((const uint8_t *)
	    "\xa1\x07\x30\x05\xa0\x03\x0a\x01\x04", 9, &sr), SPNEGO_E_SYNTAX);
	/* negState as INTEGER instead of ENUMERATED. */
	assert_int_equal(spnego_parse_resp((const uint8_t *)
	    "\xa1\x07\x30\x05\xa0\x03\x02\x01\x00", 9, &sr), DER_E_TAG);
	/* A NegTokenInit where a NegTokenResp belongs, and the reverse. */
	assert_int_equal(spnego_parse_resp(smbclient_init,
	    sizeof(smbclient_init), &sr), DER_E_TAG);
	assert_int_equal(spnego_parse_init(samba_accept, sizeof(samba_accept),
	    &si), DER_E_TAG);
	/* A GSS token for Kerberos rather than SPNEGO. */
	memcpy(buf, smbclient_init, sizeof(smbclient_init));
	memcpy(buf + 2, "\x06\x06\x2a\x86\x48\x86\xf7\x12", 8);
	assert_int_equal(spnego_parse_init(buf, sizeof(smbclient_init), &si),
	    SPNEGO_E_NOTSPNEGO);
	/* No mechTypes at all: NegTokenInit SEQUENCE with only [2]. */
	assert_int_equal(spnego_parse_init((const uint8_t *)
	    "\x60\x12\x06\x06\x2b\x06\x01\x05\x05\x02\xa0\x08\x30\x06\xa2\x04"
	    "\x04\x02\x41\x42", 20, &si), SPNEGO_E_SYNTAX);
	/* An empty MechTypeList. */
	assert_int_equal(spnego_parse_init((const uint8_t *)
	    "\x60\x10\x06\x06\x2b\x06\x01\x05\x05\x02\xa0\x06\x30\x04\xa0\x02"
	    "\x30\x00", 18, &si), SPNEGO_E_NOMECH);
	/* A mechTypes element that is not an OID. */
	assert_int_equal(spnego_parse_init((const uint8_t *)
	    "\x60\x12\x06\x06\x2b\x06\x01\x05\x05\x02\xa0\x08\x30\x06\xa0\x04"
	    "\x30\x02\x04\x00", 20, &si), DER_E_TAG);
	/* Nothing at all. */
	assert_int_not_equal(spnego_parse_init(NULL, 0, &si), SPNEGO_OK);
	assert_int_not_equal(spnego_parse_resp(buf, 0, &sr), SPNEGO_OK);
}

static void
test_spnego_limits_enforced(void **state)
{
	struct der_oid mechs[SPNEGO_MAX_MECHS + 1];
	struct der_oid big;
	struct spnego_init si;
	struct msgbuf_wr wr;
	uint8_t v[DER_OID_MAX];
	size_t i;

	(void)state;
	for (i = 0; i <= SPNEGO_MAX_MECHS; i++)
		mechs[i] = spnego_oid_ntlmssp;
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_encode_init(&wr, mechs, SPNEGO_MAX_MECHS,
	    NULL, 0, NULL, 0), SPNEGO_OK);
	assert_int_equal(spnego_parse_init(wr.wr_buf, wr.wr_len, &si),
	    SPNEGO_OK);
	assert_int_equal(si.si_nmechs, SPNEGO_MAX_MECHS);
	msgbuf_wr_free(&wr);
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_encode_init(&wr, mechs, SPNEGO_MAX_MECHS + 1,
	    NULL, 0, NULL, 0), SPNEGO_OK);
	assert_int_equal(spnego_parse_init(wr.wr_buf, wr.wr_len, &si),
	    SPNEGO_E_LIMIT);
	msgbuf_wr_free(&wr);

	/* SPNEGO_MAX_MECHS maximal OIDs still fit the context's copy. */
	memset(v, 0x01, sizeof(v));
	assert_int_equal(der_oid_set(&big, v, sizeof(v)), DER_OK);
	for (i = 0; i < SPNEGO_MAX_MECHS; i++)
		mechs[i] = big;
	mechs[SPNEGO_MAX_MECHS - 1] = spnego_oid_ntlmssp;
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_encode_init(&wr, mechs, SPNEGO_MAX_MECHS,
	    NULL, 0, NULL, 0), SPNEGO_OK);
	assert_int_equal(spnego_parse_init(wr.wr_buf, wr.wr_len, &si),
	    SPNEGO_OK);
	assert_true(si.si_mechtypes_len <= SPNEGO_MECHTYPES_MAX);
	msgbuf_wr_free(&wr);
}

/* Every proper prefix of a valid token is refused, without a crash. */
static void
check_truncations(const uint8_t *tok, size_t len, bool init)
{
	struct spnego_init si;
	struct spnego_resp sr;
	uint8_t *p;
	size_t n;
	int rc;

	for (n = 0; n < len; n++) {
		p = dup_exact(tok, n);
		rc = init ? spnego_parse_init(p, n, &si) :
		    spnego_parse_resp(p, n, &sr);
		assert_int_not_equal(rc, SPNEGO_OK);
		free(p);
	}
}

static void
test_spnego_every_truncation_refused(void **state)
{
	(void)state;
	check_truncations(samba_hint, sizeof(samba_hint), true);
	check_truncations(smbclient_init, sizeof(smbclient_init), true);
	check_truncations(impacket_init, sizeof(impacket_init), true);
	check_truncations(imp_init_downgrade, sizeof(imp_init_downgrade),
	    true);
	check_truncations(smbclient_auth, sizeof(smbclient_auth), false);
	check_truncations(impacket_auth, sizeof(impacket_auth), false);
	check_truncations(samba_challenge, sizeof(samba_challenge), false);
	check_truncations(samba_accept_mic, sizeof(samba_accept_mic), false);
	check_truncations(imp_resp_reqmic, sizeof(imp_resp_reqmic), false);
}

/*
 * Every byte of a valid token replaced by every other value: the parser
 * refuses or accepts, never reads outside the (exact-size, heap) copy,
 * and what it accepts points inside the copy and re-encodes to it.
 */
static void
check_corruptions(const uint8_t *tok, size_t len, bool init)
{
	struct spnego_init si;
	struct spnego_resp sr;
	struct msgbuf_wr wr;
	uint8_t *p;
	size_t i;
	unsigned int v;
	int rc;

	p = dup_exact(tok, len);
	for (i = 0; i < len; i++) {
		for (v = 0; v < 256; v++) {
			if (v == tok[i])
				continue;
			p[i] = (uint8_t)v;
			if (init) {
				rc = spnego_parse_init(p, len, &si);
				if (rc == SPNEGO_OK && si.si_mechtoken) {
					assert_true(si.si_mechtoken >= p);
					assert_true(si.si_mechtoken +
					    si.si_mechtoken_len <= p + len);
				}
				continue;
			}
			rc = spnego_parse_resp(p, len, &sr);
			if (rc != SPNEGO_OK)
				continue;
			/* Strict DER: one encoding per value. */
			msgbuf_wr_init(&wr, 4096);
			assert_int_equal(spnego_encode_resp(&wr, &sr),
			    SPNEGO_OK);
			assert_int_equal(wr.wr_len, len);
			assert_memory_equal(wr.wr_buf, p, len);
			msgbuf_wr_free(&wr);
		}
		p[i] = tok[i];
	}
	free(p);
}

static void
test_spnego_every_byte_corruption_safe(void **state)
{
	(void)state;
	check_corruptions(samba_hint, sizeof(samba_hint), true);
	check_corruptions(smbclient_init, sizeof(smbclient_init), true);
	check_corruptions(imp_init_downgrade, sizeof(imp_init_downgrade),
	    true);
	check_corruptions(smbclient_auth, sizeof(smbclient_auth), false);
	check_corruptions(samba_challenge, sizeof(samba_challenge), false);
	check_corruptions(samba_accept_mic, sizeof(samba_accept_mic), false);
}

/* The MIC callbacks record what they were given. */
struct mic_log {
	int		 ml_checks, ml_makes;
	uint8_t		 ml_data[SPNEGO_MECHTYPES_MAX];
	size_t		 ml_datalen;
	uint8_t		 ml_mic[SPNEGO_MIC_MAX];
	size_t		 ml_miclen;
	const uint8_t	*ml_good;	/* the MIC check_mic accepts */
	size_t		 ml_goodlen;
	const uint8_t	*ml_ours;	/* what make_mic produces */
	size_t		 ml_ourslen;
	int		 ml_make_fails;
};

static int
cb_check_mic(void *arg, const uint8_t *data, size_t len, const uint8_t *mic,
    size_t miclen)
{
	struct mic_log *ml = arg;

	ml->ml_checks++;
	assert_true(len <= sizeof(ml->ml_data));
	assert_true(miclen <= sizeof(ml->ml_mic));
	memcpy(ml->ml_data, data, len);
	ml->ml_datalen = len;
	memcpy(ml->ml_mic, mic, miclen);
	ml->ml_miclen = miclen;
	return miclen == ml->ml_goodlen &&
	    memcmp(mic, ml->ml_good, miclen) == 0 ? 0 : -1;
}

static int
cb_make_mic(void *arg, const uint8_t *data, size_t len, uint8_t *mic,
    size_t *miclen)
{
	struct mic_log *ml = arg;

	ml->ml_makes++;
	assert_true(len <= sizeof(ml->ml_data));
	memcpy(ml->ml_data, data, len);
	ml->ml_datalen = len;
	if (ml->ml_make_fails)
		return -1;
	assert_int_equal(*miclen, SPNEGO_MIC_MAX);
	memcpy(mic, ml->ml_ours, ml->ml_ourslen);
	*miclen = ml->ml_ourslen;
	return 0;
}

static void
mic_ops(struct spnego_mic_ops *ops, struct mic_log *ml)
{
	ops->check_mic = cb_check_mic;
	ops->make_mic = cb_make_mic;
	ops->arg = ml;
}

/*
 * smbclient against our state machine, with smbd's NTLM answers as the
 * mechanism's output: every reply equals what smbd sent, and the MIC
 * callbacks see exactly the client's MechTypeList DER.
 */
static void
test_spnego_ctx_smbclient_exchange_matches_samba(void **state)
{
	struct spnego_ctx sp;
	struct spnego_resp chal, fin;
	struct spnego_mech_out mo;
	struct spnego_mic_ops ops;
	struct mic_log ml;
	struct msgbuf_wr wr;
	const uint8_t *tok;
	size_t toklen;

	(void)state;
	assert_int_equal(spnego_parse_resp(samba_challenge,
	    sizeof(samba_challenge), &chal), SPNEGO_OK);
	assert_int_equal(spnego_parse_resp(samba_accept_mic,
	    sizeof(samba_accept_mic), &fin), SPNEGO_OK);
	memset(&ml, 0, sizeof(ml));
	mic_ops(&ops, &ml);
	/* The MIC smbclient sent is the one "NTLM" accepts. */
	ml.ml_good = smbclient_auth + sizeof(smbclient_auth) - 16;
	ml.ml_goodlen = 16;
	ml.ml_ours = fin.sr_mic;
	ml.ml_ourslen = fin.sr_mic_len;

	spnego_ctx_init(&sp);
	assert_int_equal(spnego_ctx_input(&sp, smbclient_init,
	    sizeof(smbclient_init), &tok, &toklen), SPNEGO_OK);
	assert_ptr_equal(tok, smbclient_init + 34);
	assert_int_equal(toklen, 40);
	assert_false(sp.sp_downgraded);
	assert_false(spnego_ctx_mic_required(&sp));

	memset(&mo, 0, sizeof(mo));
	mo.mo_result = SPNEGO_MECH_CONTINUE;
	mo.mo_token = chal.sr_token;
	mo.mo_token_len = chal.sr_token_len;
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, &mo, &ops, &wr),
	    SPNEGO_CONTINUE);
	assert_int_equal(wr.wr_len, sizeof(samba_challenge));
	assert_memory_equal(wr.wr_buf, samba_challenge,
	    sizeof(samba_challenge));
	msgbuf_wr_free(&wr);

	assert_int_equal(spnego_ctx_input(&sp, smbclient_auth,
	    sizeof(smbclient_auth), &tok, &toklen), SPNEGO_OK);
	assert_int_equal(toklen, 0x194);
	assert_true(spnego_ctx_mic_required(&sp));
	assert_int_equal(ml.ml_checks, 0);	/* not before NTLM is done */

	memset(&mo, 0, sizeof(mo));
	mo.mo_result = SPNEGO_MECH_DONE;
	mo.mo_integ = true;
	mo.mo_auth_mic = true;
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, &mo, &ops, &wr), SPNEGO_OK);
	assert_int_equal(ml.ml_checks, 1);
	assert_int_equal(ml.ml_makes, 1);
	assert_int_equal(ml.ml_datalen, sizeof(mechtypes_ntlmssp));
	assert_memory_equal(ml.ml_data, mechtypes_ntlmssp,
	    sizeof(mechtypes_ntlmssp));
	assert_int_equal(ml.ml_miclen, 16);
	assert_memory_equal(ml.ml_mic, ml.ml_good, 16);
	assert_int_equal(wr.wr_len, sizeof(samba_accept_mic));
	assert_memory_equal(wr.wr_buf, samba_accept_mic,
	    sizeof(samba_accept_mic));
	assert_int_equal(sp.sp_state, SPNEGO_ST_DONE);
	msgbuf_wr_free(&wr);

	/* Nothing more is accepted. */
	assert_int_equal(spnego_ctx_input(&sp, smbclient_auth,
	    sizeof(smbclient_auth), &tok, &toklen), SPNEGO_E_STATE);
}

/* impacket sends no mechListMIC and its AUTHENTICATE has no MIC. */
static void
test_spnego_ctx_impacket_exchange_needs_no_mic(void **state)
{
	struct spnego_ctx sp;
	struct spnego_resp chal;
	struct spnego_mech_out mo;
	struct spnego_mic_ops ops;
	struct mic_log ml;
	struct msgbuf_wr wr;
	const uint8_t *tok;
	size_t toklen;

	(void)state;
	memset(&ml, 0, sizeof(ml));
	mic_ops(&ops, &ml);
	assert_int_equal(spnego_parse_resp(samba_challenge,
	    sizeof(samba_challenge), &chal), SPNEGO_OK);
	spnego_ctx_init(&sp);
	assert_int_equal(spnego_ctx_input(&sp, impacket_init,
	    sizeof(impacket_init), &tok, &toklen), SPNEGO_OK);
	assert_int_equal(toklen, 32);
	memset(&mo, 0, sizeof(mo));
	mo.mo_result = SPNEGO_MECH_CONTINUE;
	mo.mo_token = chal.sr_token;
	mo.mo_token_len = chal.sr_token_len;
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, &mo, &ops, &wr),
	    SPNEGO_CONTINUE);
	msgbuf_wr_free(&wr);
	assert_int_equal(spnego_ctx_input(&sp, impacket_auth,
	    sizeof(impacket_auth), &tok, &toklen), SPNEGO_OK);
	memset(&mo, 0, sizeof(mo));
	mo.mo_result = SPNEGO_MECH_DONE;
	mo.mo_integ = true;
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, &mo, &ops, &wr), SPNEGO_OK);
	assert_int_equal(ml.ml_checks + ml.ml_makes, 0);
	assert_int_equal(wr.wr_len, sizeof(samba_accept));
	assert_memory_equal(wr.wr_buf, samba_accept, sizeof(samba_accept));
	msgbuf_wr_free(&wr);
}

/* Builds a client NegTokenResp. */
static void
client_resp(struct msgbuf_wr *wr, const uint8_t *tok, size_t toklen,
    const uint8_t *mic, size_t miclen)
{
	struct spnego_resp r;

	memset(&r, 0, sizeof(r));
	r.sr_negstate = SPNEGO_NEGSTATE_ABSENT;
	r.sr_token = tok;
	r.sr_token_len = toklen;
	r.sr_mic = mic;
	r.sr_mic_len = miclen;
	msgbuf_wr_init(wr, 4096);
	assert_int_equal(spnego_encode_resp(wr, &r), SPNEGO_OK);
}

/*
 * RFC 4178 5: NTLMSSP is the client's fourth choice.  The first reply is
 * request-mic with supportedMech and no token; the client's MIC is
 * checked and ours is sent, both over the four-mechanism list.
 */
static void
test_spnego_ctx_downgrade_requests_and_checks_mic(void **state)
{
	static const uint8_t good[16] = "client-mic-ok!!";
	static const uint8_t ours[16] = "server-mic-here";
	struct spnego_init si;
	struct spnego_ctx sp;
	struct spnego_mech_out mo;
	struct spnego_mic_ops ops;
	struct spnego_resp r;
	struct mic_log ml;
	struct msgbuf_wr wr, in;
	const uint8_t *tok;
	size_t toklen;

	(void)state;
	memset(&ml, 0, sizeof(ml));
	mic_ops(&ops, &ml);
	ml.ml_good = good;
	ml.ml_goodlen = sizeof(good);
	ml.ml_ours = ours;
	ml.ml_ourslen = sizeof(ours);
	assert_int_equal(spnego_parse_init(imp_init_downgrade,
	    sizeof(imp_init_downgrade), &si), SPNEGO_OK);

	spnego_ctx_init(&sp);
	assert_int_equal(spnego_ctx_input(&sp, imp_init_downgrade,
	    sizeof(imp_init_downgrade), &tok, &toklen), SPNEGO_OK);
	assert_null(tok);	/* the Kerberos stand-in is dropped */
	assert_true(sp.sp_downgraded);
	assert_int_equal(sp.sp_ntlmssp, 3);
	assert_true(der_oid_eq(&sp.sp_preferred, &spnego_oid_negoex));
	assert_true(spnego_ctx_mic_required(&sp));

	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, NULL, &ops, &wr),
	    SPNEGO_CONTINUE);
	assert_int_equal(wr.wr_len, sizeof(imp_resp_reqmic));
	assert_memory_equal(wr.wr_buf, imp_resp_reqmic,
	    sizeof(imp_resp_reqmic));
	msgbuf_wr_free(&wr);

	/* NEGOTIATE, then CHALLENGE: accept-incomplete, no supportedMech. */
	client_resp(&in, imp_raw_type1, sizeof(imp_raw_type1), NULL, 0);
	assert_int_equal(spnego_ctx_input(&sp, in.wr_buf, in.wr_len, &tok,
	    &toklen), SPNEGO_OK);
	assert_int_equal(toklen, sizeof(imp_raw_type1));
	msgbuf_wr_free(&in);
	memset(&mo, 0, sizeof(mo));
	mo.mo_result = SPNEGO_MECH_CONTINUE;
	mo.mo_token = (const uint8_t *)"NTLMSSP\0\2\0\0\0";
	mo.mo_token_len = 12;
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, &mo, &ops, &wr),
	    SPNEGO_CONTINUE);
	assert_int_equal(spnego_parse_resp(wr.wr_buf, wr.wr_len, &r),
	    SPNEGO_OK);
	assert_int_equal(r.sr_negstate, SPNEGO_ACCEPT_INCOMPLETE);
	assert_false(r.sr_has_mech);
	assert_int_equal(r.sr_token_len, 12);
	msgbuf_wr_free(&wr);

	/* AUTHENTICATE with the mechListMIC. */
	client_resp(&in, (const uint8_t *)"NTLMSSP\0\3\0\0\0", 12, good,
	    sizeof(good));
	assert_int_equal(spnego_ctx_input(&sp, in.wr_buf, in.wr_len, &tok,
	    &toklen), SPNEGO_OK);
	msgbuf_wr_free(&in);
	memset(&mo, 0, sizeof(mo));
	mo.mo_result = SPNEGO_MECH_DONE;
	mo.mo_integ = true;
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, &mo, &ops, &wr), SPNEGO_OK);
	assert_int_equal(ml.ml_checks, 1);
	assert_int_equal(ml.ml_makes, 1);
	assert_int_equal(ml.ml_datalen, si.si_mechtypes_len);
	assert_memory_equal(ml.ml_data, si.si_mechtypes, si.si_mechtypes_len);
	assert_int_equal(spnego_parse_resp(wr.wr_buf, wr.wr_len, &r),
	    SPNEGO_OK);
	assert_int_equal(r.sr_negstate, SPNEGO_ACCEPT_COMPLETED);
	assert_int_equal(r.sr_mic_len, sizeof(ours));
	assert_memory_equal(r.sr_mic, ours, sizeof(ours));
	assert_null(r.sr_token);
	msgbuf_wr_free(&wr);
}

/*
 * The client's AUTHENTICATE carries an NTLM MIC but its token no
 * mechListMIC: we send ours with accept-incomplete, then take a token
 * holding only the client's MIC.
 */
static void
test_spnego_ctx_owed_mic_takes_an_extra_round(void **state)
{
	static const uint8_t good[16] = "client-mic-ok!!";
	static const uint8_t ours[16] = "server-mic-here";
	struct spnego_ctx sp;
	struct spnego_mech_out mo;
	struct spnego_mic_ops ops;
	struct spnego_resp r;
	struct mic_log ml;
	struct msgbuf_wr wr, in;
	const uint8_t *tok;
	size_t toklen;

	(void)state;
	memset(&ml, 0, sizeof(ml));
	mic_ops(&ops, &ml);
	ml.ml_good = good;
	ml.ml_goodlen = sizeof(good);
	ml.ml_ours = ours;
	ml.ml_ourslen = sizeof(ours);
	spnego_ctx_init(&sp);
	assert_int_equal(spnego_ctx_input(&sp, impacket_init,
	    sizeof(impacket_init), &tok, &toklen), SPNEGO_OK);
	memset(&mo, 0, sizeof(mo));
	mo.mo_result = SPNEGO_MECH_CONTINUE;
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, &mo, &ops, &wr),
	    SPNEGO_CONTINUE);
	msgbuf_wr_free(&wr);
	assert_int_equal(spnego_ctx_input(&sp, impacket_auth,
	    sizeof(impacket_auth), &tok, &toklen), SPNEGO_OK);
	mo.mo_result = SPNEGO_MECH_DONE;
	mo.mo_integ = true;
	mo.mo_auth_mic = true;
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, &mo, &ops, &wr),
	    SPNEGO_CONTINUE);
	assert_int_equal(sp.sp_state, SPNEGO_ST_MIC);
	assert_int_equal(ml.ml_checks, 0);
	assert_int_equal(ml.ml_makes, 1);
	assert_int_equal(spnego_parse_resp(wr.wr_buf, wr.wr_len, &r),
	    SPNEGO_OK);
	assert_int_equal(r.sr_negstate, SPNEGO_ACCEPT_INCOMPLETE);
	assert_memory_equal(r.sr_mic, ours, sizeof(ours));
	msgbuf_wr_free(&wr);

	client_resp(&in, NULL, 0, good, sizeof(good));
	assert_int_equal(spnego_ctx_input(&sp, in.wr_buf, in.wr_len, &tok,
	    &toklen), SPNEGO_OK);
	assert_null(tok);
	msgbuf_wr_free(&in);
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, NULL, &ops, &wr), SPNEGO_OK);
	assert_int_equal(ml.ml_checks, 1);
	assert_memory_equal(ml.ml_data, mechtypes_ntlmssp,
	    sizeof(mechtypes_ntlmssp));
	assert_int_equal(wr.wr_len, sizeof(samba_accept));
	assert_memory_equal(wr.wr_buf, samba_accept, sizeof(samba_accept));
	msgbuf_wr_free(&wr);
}

static void
test_spnego_ctx_owed_mic_must_come_alone(void **state)
{
	static const uint8_t ours[16] = "server-mic-here";
	struct spnego_ctx sp;
	struct spnego_mech_out mo;
	struct spnego_mic_ops ops;
	struct mic_log ml;
	struct msgbuf_wr wr, in;
	const uint8_t *tok;
	size_t toklen;
	int round;

	(void)state;
	for (round = 0; round < 2; round++) {
		memset(&ml, 0, sizeof(ml));
		mic_ops(&ops, &ml);
		ml.ml_ours = ours;
		ml.ml_ourslen = sizeof(ours);
		spnego_ctx_init(&sp);
		assert_int_equal(spnego_ctx_input(&sp, imp_init_downgrade,
		    sizeof(imp_init_downgrade), &tok, &toklen), SPNEGO_OK);
		msgbuf_wr_init(&wr, 4096);
		(void)spnego_ctx_reply(&sp, NULL, &ops, &wr);
		msgbuf_wr_free(&wr);
		client_resp(&in, imp_raw_type1, sizeof(imp_raw_type1), NULL,
		    0);
		assert_int_equal(spnego_ctx_input(&sp, in.wr_buf, in.wr_len,
		    &tok, &toklen), SPNEGO_OK);
		msgbuf_wr_free(&in);
		memset(&mo, 0, sizeof(mo));
		mo.mo_result = SPNEGO_MECH_DONE;
		mo.mo_integ = true;
		msgbuf_wr_init(&wr, 4096);
		assert_int_equal(spnego_ctx_reply(&sp, &mo, &ops, &wr),
		    SPNEGO_CONTINUE);
		msgbuf_wr_free(&wr);
		if (round == 0) {
			/* A mechanism token where only the MIC may come. */
			client_resp(&in, imp_raw_type1, sizeof(imp_raw_type1),
			    ours, sizeof(ours));
			assert_int_equal(spnego_ctx_input(&sp, in.wr_buf,
			    in.wr_len, &tok, &toklen), SPNEGO_E_STATE);
		} else {
			/* No MIC at all. */
			client_resp(&in, NULL, 0, NULL, 0);
			assert_int_equal(spnego_ctx_input(&sp, in.wr_buf,
			    in.wr_len, &tok, &toklen), SPNEGO_E_MIC);
		}
		msgbuf_wr_free(&in);
		assert_int_equal(sp.sp_state, SPNEGO_ST_FAILED);
		msgbuf_wr_init(&wr, 4096);
		assert_int_equal(spnego_ctx_reply(&sp, NULL, &ops, &wr),
		    SPNEGO_E_REJECT);
		msgbuf_wr_free(&wr);
	}
}

static void
test_spnego_ctx_bad_mic_rejects(void **state)
{
	static const uint8_t reject[] = { 0xa1, 0x07, 0x30, 0x05, 0xa0, 0x03,
	    0x0a, 0x01, 0x02 };
	static const uint8_t good[16] = "client-mic-ok!!";
	struct spnego_ctx sp;
	struct spnego_mech_out mo;
	struct spnego_mic_ops ops;
	struct mic_log ml;
	struct msgbuf_wr wr;
	const uint8_t *tok;
	size_t toklen;
	int rc;

	(void)state;
	memset(&ml, 0, sizeof(ml));
	mic_ops(&ops, &ml);
	ml.ml_good = good;	/* smbclient's MIC is not this one */
	ml.ml_goodlen = sizeof(good);
	spnego_ctx_init(&sp);
	assert_int_equal(spnego_ctx_input(&sp, smbclient_init,
	    sizeof(smbclient_init), &tok, &toklen), SPNEGO_OK);
	memset(&mo, 0, sizeof(mo));
	mo.mo_result = SPNEGO_MECH_CONTINUE;
	msgbuf_wr_init(&wr, 4096);
	(void)spnego_ctx_reply(&sp, &mo, &ops, &wr);
	msgbuf_wr_free(&wr);
	assert_int_equal(spnego_ctx_input(&sp, smbclient_auth,
	    sizeof(smbclient_auth), &tok, &toklen), SPNEGO_OK);
	mo.mo_result = SPNEGO_MECH_DONE;
	mo.mo_integ = true;
	msgbuf_wr_init(&wr, 4096);
	rc = spnego_ctx_reply(&sp, &mo, &ops, &wr);
	assert_int_equal(rc, SPNEGO_E_MIC);
	assert_true(spnego_err_is_auth(rc));
	assert_int_equal(ml.ml_checks, 1);
	assert_int_equal(ml.ml_makes, 0);
	assert_int_equal(wr.wr_len, sizeof(reject));
	assert_memory_equal(wr.wr_buf, reject, sizeof(reject));
	assert_int_equal(sp.sp_state, SPNEGO_ST_FAILED);
	msgbuf_wr_free(&wr);
}

static void
test_spnego_ctx_mic_needs_callbacks(void **state)
{
	struct spnego_ctx sp;
	struct spnego_mech_out mo;
	struct spnego_mic_ops ops;
	struct mic_log ml;
	struct msgbuf_wr wr;
	const uint8_t *tok;
	size_t toklen;

	(void)state;
	/* make_mic failing is an authentication failure. */
	memset(&ml, 0, sizeof(ml));
	mic_ops(&ops, &ml);
	ml.ml_make_fails = 1;
	spnego_ctx_init(&sp);
	assert_int_equal(spnego_ctx_input(&sp, impacket_init,
	    sizeof(impacket_init), &tok, &toklen), SPNEGO_OK);
	assert_int_equal(spnego_ctx_input(&sp, impacket_auth,
	    sizeof(impacket_auth), &tok, &toklen), SPNEGO_OK);
	memset(&mo, 0, sizeof(mo));
	mo.mo_result = SPNEGO_MECH_DONE;
	mo.mo_integ = true;
	mo.mo_auth_mic = true;
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, &mo, &ops, &wr),
	    SPNEGO_E_MIC);
	msgbuf_wr_free(&wr);

	/* No callbacks at all while a MIC is needed. */
	spnego_ctx_init(&sp);
	assert_int_equal(spnego_ctx_input(&sp, smbclient_init,
	    sizeof(smbclient_init), &tok, &toklen), SPNEGO_OK);
	assert_int_equal(spnego_ctx_input(&sp, smbclient_auth,
	    sizeof(smbclient_auth), &tok, &toklen), SPNEGO_OK);
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, &mo, NULL, &wr), SPNEGO_E_MIC);
	msgbuf_wr_free(&wr);
}

/* Without a session key (anonymous) no MIC can be checked or made. */
static void
test_spnego_ctx_anonymous_ignores_mic(void **state)
{
	struct spnego_ctx sp;
	struct spnego_mech_out mo;
	struct spnego_mic_ops ops;
	struct mic_log ml;
	struct msgbuf_wr wr;
	const uint8_t *tok;
	size_t toklen;

	(void)state;
	memset(&ml, 0, sizeof(ml));
	mic_ops(&ops, &ml);
	spnego_ctx_init(&sp);
	assert_int_equal(spnego_ctx_input(&sp, smbclient_init,
	    sizeof(smbclient_init), &tok, &toklen), SPNEGO_OK);
	memset(&mo, 0, sizeof(mo));
	mo.mo_result = SPNEGO_MECH_CONTINUE;
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, &mo, &ops, &wr),
	    SPNEGO_CONTINUE);
	msgbuf_wr_free(&wr);
	assert_int_equal(spnego_ctx_input(&sp, smbclient_auth,
	    sizeof(smbclient_auth), &tok, &toklen), SPNEGO_OK);
	mo.mo_result = SPNEGO_MECH_DONE;
	mo.mo_integ = false;
	mo.mo_auth_mic = true;
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, &mo, &ops, &wr), SPNEGO_OK);
	assert_int_equal(ml.ml_checks + ml.ml_makes, 0);
	assert_false(spnego_ctx_mic_required(&sp));
	assert_memory_equal(wr.wr_buf, samba_accept, sizeof(samba_accept));
	msgbuf_wr_free(&wr);
}

static void
test_spnego_ctx_refuses_without_ntlmssp(void **state)
{
	static const uint8_t reject[] = { 0xa1, 0x07, 0x30, 0x05, 0xa0, 0x03,
	    0x0a, 0x01, 0x02 };
	struct der_oid mechs[2];
	struct spnego_ctx sp;
	struct msgbuf_wr wr, in;
	const uint8_t *tok;
	size_t toklen;
	int rc;

	(void)state;
	mechs[0] = spnego_oid_mskrb5;
	mechs[1] = spnego_oid_krb5;
	msgbuf_wr_init(&in, 4096);
	assert_int_equal(spnego_encode_init(&in, mechs, 2, NULL, 0, NULL, 0),
	    SPNEGO_OK);
	spnego_ctx_init(&sp);
	rc = spnego_ctx_input(&sp, in.wr_buf, in.wr_len, &tok, &toklen);
	assert_int_equal(rc, SPNEGO_E_NOMECH);
	assert_false(spnego_err_is_auth(rc));
	assert_null(tok);
	msgbuf_wr_free(&in);
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, NULL, NULL, &wr),
	    SPNEGO_E_REJECT);
	assert_memory_equal(wr.wr_buf, reject, sizeof(reject));
	msgbuf_wr_free(&wr);
}

static void
test_spnego_ctx_mechanism_failure_rejects(void **state)
{
	struct spnego_ctx sp;
	struct spnego_mech_out mo;
	struct spnego_resp r;
	struct msgbuf_wr wr;
	const uint8_t *tok;
	size_t toklen;

	(void)state;
	spnego_ctx_init(&sp);
	assert_int_equal(spnego_ctx_input(&sp, impacket_init,
	    sizeof(impacket_init), &tok, &toklen), SPNEGO_OK);
	memset(&mo, 0, sizeof(mo));
	mo.mo_result = SPNEGO_MECH_FAILED;
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, &mo, NULL, &wr),
	    SPNEGO_E_REJECT);
	assert_int_equal(spnego_parse_resp(wr.wr_buf, wr.wr_len, &r),
	    SPNEGO_OK);
	assert_int_equal(r.sr_negstate, SPNEGO_REJECT);
	msgbuf_wr_free(&wr);
	assert_int_equal(spnego_ctx_input(&sp, impacket_auth,
	    sizeof(impacket_auth), &tok, &toklen), SPNEGO_E_STATE);
}

static void
test_spnego_ctx_client_reject_and_missing_token(void **state)
{
	struct spnego_ctx sp;
	const uint8_t *tok;
	size_t toklen;

	(void)state;
	spnego_ctx_init(&sp);
	assert_int_equal(spnego_ctx_input(&sp, impacket_init,
	    sizeof(impacket_init), &tok, &toklen), SPNEGO_OK);
	/* negState reject from the client. */
	assert_int_equal(spnego_ctx_input(&sp, (const uint8_t *)
	    "\xa1\x07\x30\x05\xa0\x03\x0a\x01\x02", 9, &tok, &toklen),
	    SPNEGO_E_REJECT);
	spnego_ctx_init(&sp);
	assert_int_equal(spnego_ctx_input(&sp, impacket_init,
	    sizeof(impacket_init), &tok, &toklen), SPNEGO_OK);
	/* A NegTokenResp without a responseToken mid-exchange. */
	assert_int_equal(spnego_ctx_input(&sp, samba_accept,
	    sizeof(samba_accept), &tok, &toklen), SPNEGO_E_STATE);
	/* A MIC too long to be one. */
	{
		uint8_t mic[SPNEGO_MIC_MAX + 1];
		struct msgbuf_wr in;

		memset(mic, 0, sizeof(mic));
		spnego_ctx_init(&sp);
		assert_int_equal(spnego_ctx_input(&sp, impacket_init,
		    sizeof(impacket_init), &tok, &toklen), SPNEGO_OK);
		client_resp(&in, imp_raw_type1, sizeof(imp_raw_type1), mic,
		    sizeof(mic));
		assert_int_equal(spnego_ctx_input(&sp, in.wr_buf, in.wr_len,
		    &tok, &toklen), SPNEGO_E_LIMIT);
		msgbuf_wr_free(&in);
	}
}

/* Bare NTLMSSP in, bare NTLMSSP out, never a MIC. */
static void
test_spnego_ctx_raw_ntlmssp_stays_raw(void **state)
{
	static const uint8_t type2[] = "NTLMSSP\0\2\0\0\0challenge";
	static const uint8_t type3[] = "NTLMSSP\0\3\0\0\0answer";
	struct spnego_ctx sp;
	struct spnego_mech_out mo;
	struct msgbuf_wr wr;
	const uint8_t *tok;
	size_t toklen;

	(void)state;
	spnego_ctx_init(&sp);
	assert_int_equal(spnego_ctx_input(&sp, imp_raw_type1,
	    sizeof(imp_raw_type1), &tok, &toklen), SPNEGO_OK);
	assert_true(sp.sp_raw);
	assert_ptr_equal(tok, imp_raw_type1);
	assert_int_equal(toklen, sizeof(imp_raw_type1));
	memset(&mo, 0, sizeof(mo));
	mo.mo_result = SPNEGO_MECH_CONTINUE;
	mo.mo_token = type2;
	mo.mo_token_len = sizeof(type2);
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, &mo, NULL, &wr),
	    SPNEGO_CONTINUE);
	assert_int_equal(wr.wr_len, sizeof(type2));
	assert_memory_equal(wr.wr_buf, type2, sizeof(type2));
	msgbuf_wr_free(&wr);

	assert_int_equal(spnego_ctx_input(&sp, type3, sizeof(type3), &tok,
	    &toklen), SPNEGO_OK);
	assert_ptr_equal(tok, type3);
	memset(&mo, 0, sizeof(mo));
	mo.mo_result = SPNEGO_MECH_DONE;
	mo.mo_integ = true;
	mo.mo_auth_mic = true;
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, &mo, NULL, &wr), SPNEGO_OK);
	assert_int_equal(wr.wr_len, 0);
	assert_false(spnego_ctx_mic_required(&sp));
	msgbuf_wr_free(&wr);

	/* A SPNEGO token in the middle of a bare exchange is refused. */
	spnego_ctx_init(&sp);
	assert_int_equal(spnego_ctx_input(&sp, imp_raw_type1,
	    sizeof(imp_raw_type1), &tok, &toklen), SPNEGO_OK);
	assert_int_equal(spnego_ctx_input(&sp, impacket_auth,
	    sizeof(impacket_auth), &tok, &toklen), SPNEGO_E_SYNTAX);
}

static void
test_spnego_ctx_reply_before_input_refused(void **state)
{
	struct spnego_ctx sp;
	struct msgbuf_wr wr;

	(void)state;
	spnego_ctx_init(&sp);
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(spnego_ctx_reply(&sp, NULL, NULL, &wr),
	    SPNEGO_E_STATE);
	assert_int_equal(sp.sp_state, SPNEGO_ST_FAILED);
	msgbuf_wr_free(&wr);
}

static void
test_spnego_strerror_and_error_classes(void **state)
{
	int rc;

	(void)state;
	for (rc = SPNEGO_E_NOMEM; rc <= SPNEGO_E_NOTSPNEGO; rc++)
		assert_string_not_equal(spnego_strerror(rc), "unknown error");
	assert_string_equal(spnego_strerror(DER_E_INDEFINITE),
	    der_strerror(DER_E_INDEFINITE));
	assert_true(spnego_err_is_auth(SPNEGO_E_MIC));
	assert_true(spnego_err_is_auth(SPNEGO_E_REJECT));
	assert_false(spnego_err_is_auth(SPNEGO_E_SYNTAX));
	assert_false(spnego_err_is_auth(DER_E_LENGTH));
	assert_null(spnego_mech_name(&(struct der_oid){ 1, { 0x01 } }));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spnego_hint_matches_hand_assembled_der),
		cmocka_unit_test(test_spnego_hint_appends_and_parses_back),
		cmocka_unit_test(test_spnego_parses_smbclient_negtokeninit),
		cmocka_unit_test(test_spnego_parses_impacket_negtokeninit),
		cmocka_unit_test(test_spnego_parses_windows_order_mech_list),
		cmocka_unit_test(test_spnego_parses_raw_ntlmssp),
		cmocka_unit_test(
		    test_spnego_parses_client_and_server_negtokenresp),
		cmocka_unit_test(test_spnego_resp_round_trips_byte_for_byte),
		cmocka_unit_test(test_spnego_init_round_trips),
		cmocka_unit_test(test_spnego_non_minimal_lengths_refused),
		cmocka_unit_test(test_spnego_structure_errors_refused),
		cmocka_unit_test(test_spnego_limits_enforced),
		cmocka_unit_test(test_spnego_every_truncation_refused),
		cmocka_unit_test(test_spnego_every_byte_corruption_safe),
		cmocka_unit_test(
		    test_spnego_ctx_smbclient_exchange_matches_samba),
		cmocka_unit_test(
		    test_spnego_ctx_impacket_exchange_needs_no_mic),
		cmocka_unit_test(
		    test_spnego_ctx_downgrade_requests_and_checks_mic),
		cmocka_unit_test(test_spnego_ctx_owed_mic_takes_an_extra_round),
		cmocka_unit_test(test_spnego_ctx_owed_mic_must_come_alone),
		cmocka_unit_test(test_spnego_ctx_bad_mic_rejects),
		cmocka_unit_test(test_spnego_ctx_mic_needs_callbacks),
		cmocka_unit_test(test_spnego_ctx_anonymous_ignores_mic),
		cmocka_unit_test(test_spnego_ctx_refuses_without_ntlmssp),
		cmocka_unit_test(test_spnego_ctx_mechanism_failure_rejects),
		cmocka_unit_test(
		    test_spnego_ctx_client_reject_and_missing_token),
		cmocka_unit_test(test_spnego_ctx_raw_ntlmssp_stays_raw),
		cmocka_unit_test(test_spnego_ctx_reply_before_input_refused),
		cmocka_unit_test(test_spnego_strerror_and_error_classes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
