"""Running the real SMB clients against a test daemon."""
import subprocess

DIALECTS = ["SMB2_02", "SMB2_10", "SMB3_00", "SMB3_02", "SMB3_11"]
USER, PASSWORD = "bench", "bench-pass-1"


def smbclient(d, share, *opts, user=None, password=None, cmd="exit",
              dialect=None, timeout=60):
    """smbclient against daemon d; returns the CompletedProcess."""
    args = ["smbclient", "-p", str(d.smb_port), "//127.0.0.1/%s" % share,
            "-c", cmd, "--option=client use spnego principal=no"]
    if user is None:
        args.append("-N")
    else:
        args += ["-U", "%s%%%s" % (user, password)]
    if dialect is not None:
        args += ["--option=client min protocol=%s" % dialect,
                 "--option=client max protocol=%s" % dialect]
    args += list(opts)
    return subprocess.run(args, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
