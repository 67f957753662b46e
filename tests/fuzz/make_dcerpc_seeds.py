"""Writes the seed corpora of fuzz_dcerpc and fuzz_ndr.

/usr/bin/python3 tests/fuzz/make_dcerpc_seeds.py tests/fuzz/corpus

Request stubs come from impacket's srvs/wkst structures (as impacket's
clients send them); the PDU streams wrap them in a BIND (NDR 2.0, NDR64
and bind time feature negotiation contexts), ALTER_CONTEXT and
fragmented REQUESTs.  The first byte of each file is the harness's mode
byte (see fuzz_dcerpc.c).
"""
import struct, os, sys
from impacket.dcerpc.v5 import srvs, wkst
from impacket.dcerpc.v5.dtypes import NULL
out = sys.argv[1]
def w(d, name, data):
    os.makedirs(os.path.join(out, d), exist_ok=True)
    open(os.path.join(out, d, name), 'wb').write(data)

stubs = {}
def add(name, req):
    stubs[name] = (req.opnum, req.getData())
r = srvs.NetrShareEnum(); r['ServerName']=NULL; r['InfoStruct']['Level']=1; r['InfoStruct']['ShareInfo']['tag']=1; r['InfoStruct']['ShareInfo']['Level1']['Buffer']=NULL; r['PreferedMaximumLength']=0xffffffff; r['ResumeHandle']=NULL; add('share_enum1', r)
r = srvs.NetrShareEnum(); r['ServerName']='\\\\srv\x00'; r['InfoStruct']['Level']=502; r['InfoStruct']['ShareInfo']['tag']=502; r['PreferedMaximumLength']=100; r['ResumeHandle']=1; add('share_enum502', r)
r = srvs.NetrShareGetInfo(); r['ServerName']=NULL; r['NetName']='data\x00'; r['Level']=2; add('share_get2', r)
r = srvs.NetrShareGetInfo(); r['ServerName']=NULL; r['NetName']='IPC$\x00'; r['Level']=1005; add('share_get1005', r)
r = srvs.NetrServerGetInfo(); r['ServerName']=NULL; r['Level']=102; add('srv_get102', r)
r = srvs.NetrServerStatisticsGet(); r['ServerName']=NULL; r['Service']=NULL; r['Level']=0; r['Options']=0; add('stats', r)
r = srvs.NetrRemoteTOD(); r['ServerName']=NULL; add('tod', r)
r = srvs.NetprNameValidate(); r['ServerName']=NULL; r['Name']='share\x00'; r['NameType']=9; r['Flags']=0; add('namevalidate', r)
r = srvs.NetrSessionEnum(); r['ServerName']=NULL; r['ClientName']='\\\\127.0.0.1\x00'; r['UserName']='bench\x00'; r['InfoStruct']['Level']=502; r['InfoStruct']['SessionInfo']['tag']=502; r['PreferedMaximumLength']=0xffffffff; r['ResumeHandle']=0; add('sess_enum', r)
r = srvs.NetrSessionDel(); r['ServerName']=NULL; r['ClientName']='\\\\127.0.0.1\x00'; r['UserName']=NULL; add('sess_del', r)
r = srvs.NetrConnectionEnum(); r['ServerName']=NULL; r['Qualifier']='IPC$\x00'; r['InfoStruct']['Level']=1; r['InfoStruct']['ConnectInfo']['tag']=1; r['PreferedMaximumLength']=0xffffffff; r['ResumeHandle']=0; add('conn_enum', r)
r = srvs.NetrFileEnum(); r['ServerName']=NULL; r['BasePath']='C:\\\x00'; r['UserName']=NULL; r['InfoStruct']['Level']=3; r['InfoStruct']['FileInfo']['tag']=3; r['PreferedMaximumLength']=0xffffffff; r['ResumeHandle']=0; add('file_enum', r)
r = srvs.NetrFileGetInfo(); r['ServerName']=NULL; r['FileId']=1; r['Level']=3; add('file_get', r)
r = srvs.NetrFileClose(); r['ServerName']=NULL; r['FileId']=1; add('file_close', r)
r = srvs.NetrShareCheck(); r['ServerName']=NULL; r['Device']='C:\\\x00'; add('share_check', r)
r = srvs.NetrServerDiskEnum(); r['ServerName']=NULL; r['Level']=0; r['DiskInfoStruct']['Buffer']=NULL; r['PreferedMaximumLength']=0xffffffff; r['ResumeHandle']=NULL; add('disk_enum', r)
r = srvs.NetrShareAdd(); r['ServerName']=NULL; r['Level']=502; r['InfoStruct']['tag']=502
i = r['InfoStruct']['ShareInfo502']; i['shi502_netname']='new\x00'; i['shi502_type']=0; i['shi502_remark']='r\x00'
i['shi502_permissions']=0; i['shi502_max_uses']=5; i['shi502_current_uses']=0; i['shi502_path']='C:\\x\x00'
i['shi502_passwd']=NULL; i['shi502_reserved']=4; i['shi502_security_descriptor']=b'\x01\x00\x04\x80'; r['ParmErr']=0; add('share_add502', r)
r = srvs.NetrShareSetInfo(); r['ServerName']=NULL; r['NetName']='data\x00'; r['Level']=1004; r['ShareInfo']['tag']=1004
r['ShareInfo']['ShareInfo1004']['shi1004_remark']='c\x00'; r['ParmErr']=0; add('share_set1004', r)
r = srvs.NetrShareDel(); r['ServerName']=NULL; r['NetName']='data\x00'; r['Reserved']=0; add('share_del', r)
for name,(op,stub) in stubs.items():
    w('dcerpc', 'stub_'+name, bytes([0x05, op]) + stub)
r = wkst.NetrWkstaGetInfo(); r['ServerName']='\x00'*10; r['Level']=100
w('dcerpc', 'stub_wksta', bytes([0x07, 0]) + r.getData())

def hdr(ptype, flags, body, call_id):
    return struct.pack('<BBBB4sHHI', 5, 0, ptype, flags, b'\x10\0\0\0', 16+len(body), 0, call_id) + body
SRVS = bytes.fromhex('c84f324b7016d30112785a47bf6ee188')
NDR = bytes.fromhex('045d888aeb1cc9119fe808002b104860')
NDR64 = bytes.fromhex('33057171babe37498319b5dbef9ccc36')
BTFN = bytes.fromhex('2c1cb76c129840450300000000000000')
def ctx(cid, tss):
    b = struct.pack('<HBB', cid, len(tss), 0) + SRVS + struct.pack('<I', 3)
    for ts, v in tss: b += ts + struct.pack('<I', v)
    return b
def bind(ptype=11, ctxs=None):
    ctxs = ctxs or [ctx(0, [(NDR, 2)]), ctx(1, [(NDR64, 1)]), ctx(2, [(BTFN, 1)])]
    return hdr(ptype, 3, struct.pack('<HHIB3x', 4280, 4280, 0, len(ctxs)) + b''.join(ctxs), 1)
def req(op, stub, call_id, flags=3, ctxid=0, hint=None):
    return hdr(0, flags, struct.pack('<IHH', len(stub) if hint is None else hint, ctxid, op) + stub, call_id)
for i,(name,(op,stub)) in enumerate(stubs.items()):
    w('dcerpc', 'pdu_'+name, bytes([0x04, 0]) + bind() + req(op, stub, 2))
op, stub = stubs['share_enum1']
frag = bind() + req(op, stub[:8], 2, flags=1, hint=0xffffffff) + req(op, stub[8:], 2, flags=2)
w('dcerpc', 'pdu_fragmented', bytes([0x04, 0]) + frag)
w('dcerpc', 'pdu_alter', bytes([0x04, 0]) + bind() + bind(14, [ctx(5, [(NDR, 2)])]) + req(op, stub, 3, ctxid=5))
w('dcerpc', 'pdu_pieces', bytes([0x00, 7]) + bind()[:7] + bytes([0]) + bind()[7:] + req(99, b'', 2))
# ndr programs
w('ndr', 'strings', bytes([3, 6, 4, 6]) + struct.pack('<III', 3, 0, 3) + 'ab\0'.encode('utf-16le') + b'\0\0' + struct.pack('<I', 0x20000) + struct.pack('<III', 2, 0, 2) + 'x\0'.encode('utf-16le'))
w('ndr', 'mixed', bytes([9, 0, 1, 2, 3, 5, 5, 18, 9, 7]) + bytes(range(64)))
