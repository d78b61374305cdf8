"""Generators for the named string formats of the served document (SPEC §5), so that the
fuzzer's positive cases carry document numbers the server accepts: the JSON Schema pattern gives
their shape, but a check character and a past birth date cannot be written as a pattern.
Loaded by .ci/schemathesis through SCHEMATHESIS_HOOKS."""

import re
import uuid
from datetime import date, timedelta

import schemathesis
from hypothesis import strategies as st

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"  # GB 11643: the sum of the weighted digits mod 11 indexes this


def resident_id(addresses):
    """An 18-character number: an address code, a birth date in the past, a sequence, and the
    check character."""

    def build(address, born, sequence):
        first17 = f"{address}{born:%Y%m%d}{sequence:03d}"
        total = sum(int(d) * w for d, w in zip(first17, WEIGHTS))
        return first17 + CHECK[total % 11]

    return st.builds(
        build,
        st.sampled_from(addresses),
        st.dates(min_value=date(1930, 1, 1), max_value=date.today() - timedelta(days=366 * 18)),
        st.integers(min_value=0, max_value=999),
    )


schemathesis.openapi.format("cn-resident-id", resident_id(["110101", "310104", "440305", "510107"]))
schemathesis.openapi.format("cn-residence-permit", resident_id(["810000", "820000", "830000"]))


VALID_KEY = re.compile(r"^[!-~]{1,255}$")


@schemathesis.hook
def before_call(context, case, kwargs):
    """A client names each request it may retry with a fresh Idempotency-Key (API.md); the
    generator sends the same few values again and again, and the same key with another body is
    rightly refused (422 idempotency_key_reused), so each valid key is made unique just before
    the call, in every phase. Invalid keys are sent as drawn: their refusal is what those cases
    test."""
    headers = case.headers
    if headers and VALID_KEY.match(str(headers.get("Idempotency-Key", ""))):
        headers["Idempotency-Key"] = uuid.uuid4().hex
