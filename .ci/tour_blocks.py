"""The README's tour: its shell blocks, in order, from "A verification in sandbox mode" up to
"The sandbox providers"; and the claims its output must bear out, in order.

    tour_blocks.py README.md BASE_URL   prints the tour as one script, against BASE_URL
    tour_blocks.py --check OUTPUT       checks the tour's output
"""

import re
import sys

START = "## A verification in sandbox mode"
END = "### The sandbox providers"

# What the tour's comments promise, in the order they are printed.
CLAIMS = [
    ('"allowed": false', "unverified: nothing allowed (R12)"),
    ('"status": "approved"', "the face application is approved (R11)"),
    ('"status": "verified"', "the account is verified (R20)"),
    ('"verification_irreversible"', "verification cannot be removed (R1)"),
    ('"result": "recorded"', "the signed callback is recorded"),
    ('"duplicate"', "the same callback twice changes nothing"),
    ('"status": "approved"', "the legal person's scan is approved (R6)"),
    ('"reference":', "the remittance shows its reference (R6)"),
    ('"in_review"', "a credit from another payer goes to review"),
    ('"review_reason": "payment_name_mismatch"', "the queue names the reason"),
    ('"approved"', "the reviewer approves it"),
    ('"limit": 12', "the account manager's limit (R4)"),
    ('"modification_cooldown"', "personal → personal inside the cooldown is refused (R2)"),
    ('"modification_allowed_from":', "with the date it opens"),
    ('"pending": "modify"', "the modification is pending"),
    ('"subject_type": "enterprise"', "personal → enterprise is approved"),
    ('"status": "confirmed"', "the phone change is confirmed (R19)"),
    ('"account.phone_changed"', "the audit trail records it (R22)"),
    ('"passed"', "the identity proof passes (R14)"),
    ('"summary": "1 of 3 used"', "find-accounts lists 李四's account (R15)"),
    ('"confirmed"', "the recovery is confirmed"),
    ('"token_revoked"', "older holder tokens are revoked"),
    ('"kind": "sub"', "the sub-account is created (R16)"),
    ('"confirmed"', "its number is confirmed"),
    ('"inherited_from": "acct_', "it is verified through its root (R20)"),
    ('"purchase": true', "with every capability (R12)"),
    ("[]", "no invitations yet"),
]


def script(readme, base):
    text = open(readme, encoding="utf-8").read()
    tour = text[text.index(START) : text.index(END)]
    blocks = re.findall(r"```sh\n(.*?)```", tour, re.S)
    body = "\n".join(blocks).replace("API=http://127.0.0.1:8080", f"API={base}")
    assert f"API={base}" in body, "the tour no longer sets API"
    return body


def check(output):
    text = open(output, encoding="utf-8").read()
    at = 0
    for needle, claim in CLAIMS:
        found = text.find(needle, at)
        if found < 0:
            print(text)
            sys.exit(f"the tour's claim does not hold: {claim} (no {needle} after offset {at})")
        at = found + len(needle)
    print(f"the tour ran top to bottom; {len(CLAIMS)} claims hold")


if __name__ == "__main__":
    if sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        print(script(sys.argv[1], sys.argv[2]))
