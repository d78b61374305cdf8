"""A verification through the client openapi-python-client generated from /openapi.json.

Every request and every answer goes through the generated functions and models: an operation or
model missing from the document fails here. Arguments: base URL, a service token, the realname
binary (to mint the holder's token).
"""

import subprocess
import sys

from realname_client import AuthenticatedClient
from realname_client.api.accounts import register_account
from realname_client.api.applications import get_application, submit_application
from realname_client.api.real_name import get_capabilities, get_real_name
from realname_client.api.sandbox import sandbox_complete_application
from realname_client.models import (
    Account,
    Application,
    Capabilities,
    RealNameStatus,
    RegisterAccount,
    SubmitApplication,
    Verdict,
)

base, service_token, binary = sys.argv[1:4]


def client(token):
    return AuthenticatedClient(base_url=base, token=token, raise_on_unexpected_status=True)


def expect(kind, answer):
    assert isinstance(answer, kind), f"expected {kind.__name__}, got {answer!r}"
    return answer


service = client(service_token)
account = expect(
    Account,
    register_account.sync(client=service, body=RegisterAccount.from_dict({"phone": "13812340001"})),
)
holder_token = subprocess.run(
    [binary, "token", "--role", "holder", "--account", account.id],
    check=True, capture_output=True, text=True,
).stdout.strip()
holder = client(holder_token)

submitted = expect(
    Application,
    submit_application.sync(
        account.id,
        client=holder,
        body=SubmitApplication.from_dict({
            "purpose": "verify",
            "method": "face_recognition",
            "subject": {"type": "personal", "document_type": "resident_id",
                        "document_number": "11010519491231002X", "name": "张三"},
        }),
        idempotency_key="openapi-client-flow",
    ),
)
assert submitted.status == "awaiting_action", submitted.status
assert submitted.next_action.type_ == "face_liveness", submitted.next_action

completed = expect(
    Application,
    sandbox_complete_application.sync(
        submitted.id, client=holder, body=Verdict.from_dict({"outcome": "passed"})
    ),
)
assert completed.status == "approved", completed.status
assert expect(Application, get_application.sync(submitted.id, client=holder)).status == "approved"

status = expect(RealNameStatus, get_real_name.sync(account.id, client=holder))
assert status.status == "verified", status.status
assert status.subject.name == "张*", status.subject  # masked (SPEC §4)

capabilities = expect(Capabilities, get_capabilities.sync(account.id, client=service))
assert capabilities.capabilities.purchase.allowed is True
allowed = {name: c["allowed"] for name, c in capabilities.capabilities.to_dict().items()}
assert len(allowed) == 7 and all(allowed.values()), allowed
print(f"verified {account.id} through the generated client; capabilities: {sorted(allowed)}")
