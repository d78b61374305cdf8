"""Checks the console's QR encoder (crates/adapters/http/console/qr.js) against the Python
`qrcode` package: for texts of every version 1 to 10, and under each of the eight masks, the
modules must be the same. Run by .ci/console-tests; needs node and `pip install qrcode`."""

import json
import pathlib
import subprocess
import sys

import qrcode
import qrcode.util

ROOT = pathlib.Path(__file__).resolve().parent.parent
ENCODER = ROOT / "crates/adapters/http/console/qr.js"

TEXTS = ["https://x", "https://example.cn/abc", "https://sandbox.realname.local/scan/wechat_0123456789abcdef"]
TEXTS += ["https://sandbox.realname.local/q/" + "a" * n for n in (20, 40, 60, 80, 100, 120, 150, 178)]
TEXTS += ["二维码 https://例子.cn/扫码"]


def oracle(text, mask):
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=mask)
    code.add_data(qrcode.util.QRData(text.encode("utf-8"), mode=qrcode.util.MODE_8BIT_BYTE), optimize=0)
    code.make(fit=True)
    return code.version, [[bool(m) for m in row] for row in code.get_matrix()]


def ours(cases):
    script = (
        f"import {{ encode }} from {json.dumps(ENCODER.as_uri())};"
        "const cases = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(cases.map(([t, m]) => { const q = encode(t, m); return [q.version, q.modules]; })));"
    )
    out = subprocess.run(["node", "--input-type=module", "-e", script, json.dumps(cases)], capture_output=True, text=True)
    if out.returncode:
        sys.exit("qr.js failed: " + out.stderr[-2000:])
    return json.loads(out.stdout)


def main():
    cases = [[text, mask] for text in TEXTS for mask in range(8)]
    results = ours(cases)
    versions = set()
    for (text, mask), (version, modules) in zip(cases, results):
        want_version, want = oracle(text, mask)
        versions.add(version)
        if (version, modules) != (want_version, want):
            sys.exit(f"QR mismatch for {text!r} under mask {mask}: version {version} vs {want_version}")
    print(f"qr.js matches the qrcode package: {len(cases)} codes, versions {sorted(versions)}, all 8 masks")


if __name__ == "__main__":
    main()
