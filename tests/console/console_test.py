"""The console in a real browser (issue 16): Playwright for Python driving Debian's chromium
against a sandbox server. Each scenario drives the pages as a person would; the set-up that is
not the scenario's point goes through the public API. Screenshots at 375 px and 1280 px go to
target/console-screenshots/, and axe-core scans every page for serious or critical violations.

    python3 tests/console/console_test.py BASE_URL AXE_MIN_JS
"""

import base64
import hashlib
import hmac
import json
import pathlib
import random
import sys
import time
import urllib.error
import urllib.request

from playwright.sync_api import expect, sync_playwright

BASE, AXE = sys.argv[1], pathlib.Path(sys.argv[2]).read_text()
SHOTS = pathlib.Path(__file__).resolve().parents[2] / "target" / "console-screenshots"
WIDTHS = {"narrow": 375, "wide": 1280}
PAYMENTS_SECRET = b"development-payments-secret"
ENTERPRISE = {"name": "北京示例科技有限公司", "uscc": "91110000600037341L", "legal_person_name": "王五"}
scanned = set()


# --- the public API, for set-up -------------------------------------------------------------

def call(method, path, body=None, token=None, headers=None):
    request = urllib.request.Request(BASE + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def token(role, account=None):
    body = {"role": role} | ({"account_id": account} if account else {})
    status, answer = call("POST", "/v1/sandbox/tokens", body)
    assert status == 200, answer
    return answer["token"]


def phone():
    return "13" + str(random.randrange(10**9)).zfill(9)


def account():
    status, created = call("POST", "/v1/accounts", {"phone": phone()}, token("service"))
    assert status == 201, created
    return created["id"]


def resident_id(birth):
    """A resident id number born on `birth` (YYYYMMDD) with a true GB 11643 check character."""
    body = "110105" + birth + str(random.randrange(100, 999))
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def person(name, number):
    return {"type": "personal", "document_type": "resident_id", "document_number": number, "name": name}


def verified(subject):
    acct = account()
    holder = token("holder", acct)
    status, app = call("POST", f"/v1/accounts/{acct}/applications", {"purpose": "verify", "method": "wechat_scan", "subject": subject}, holder, {"Idempotency-Key": str(random.random())})
    assert status == 201, app
    status, done = call("POST", f"/v1/sandbox/applications/{app['id']}/complete", {"outcome": "passed"}, holder)
    assert done["status"] == "approved", done
    return acct


def signed(path, body):
    raw = json.dumps(body, ensure_ascii=False)
    stamp = str(int(time.time()))
    mac = hmac.new(PAYMENTS_SECRET, f"{stamp}.{raw}".encode(), hashlib.sha256).hexdigest()
    request = urllib.request.Request(BASE + path, method="POST", data=raw.encode())
    request.add_header("Content-Type", "application/json")
    request.add_header("Signature", f"t={stamp},v1={mac}")
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


# --- the browser ----------------------------------------------------------------------------

def snap(page, name):
    """A screenshot at both widths, and an axe-core scan of the page once per page."""
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(150)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    path = page.url.split("?")[0].split("#")[0]
    if path in scanned:
        return
    scanned.add(path)
    axe_scan(page, path)


def axe_scan(page, what):
    """axe-core's serious and critical violations fail the scenario."""
    # Evaluated through the DevTools protocol: the page's CSP forbids inline script, rightly.
    page.evaluate(AXE + ";0")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"axe on {what}: " + json.dumps([{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in bad], ensure_ascii=False)


problems = []


def watch(page):
    """Script errors and CSP violations fail the scenario."""
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda m: "Content Security Policy" in m.text and problems.append(m.text))


def prove(page, name, number):
    """Proves `name` with `number` on the Find Account page; the sandbox completes the proof."""
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Document number").fill(number)
    page.get_by_role("button", name="Prove my identity").click()
    page.get_by_role("button", name="Sandbox: complete the proof").click()


def open_as(browser, role, acct=None, path="/console/real-name"):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
    watch(page)
    page.goto(f"{BASE}{path}?lang=en#token={token(role, acct)}")
    expect(page.locator("main h1")).to_be_visible()
    assert "#token" not in page.url, "the token leaves the address bar"
    return page


def fill_person(page, name, number, method):
    page.get_by_label("Personal").check()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Document number").fill(number)
    page.get_by_role("radio", name=method).check()
    page.get_by_role("button", name="Submit").click()


def holder_verifies_by_face(browser):
    page = open_as(browser, "holder", account())
    snap(page, "real-name-unverified")
    fill_person(page, "张三", "11010519491231002X", "Face recognition")
    expect(page.locator("[data-app-status]")).to_have_text("Waiting for you")
    expect(page.get_by_role("link", name="Open face recognition")).to_be_visible()
    snap(page, "real-name-face-pending")
    page.get_by_role("button", name="Sandbox: act as the provider: Pass").click()
    expect(page.locator("[data-status]")).to_have_text("Verified")
    expect(page.locator("#caps-h + .table-wrap .badge.no")).to_have_count(0)
    snap(page, "real-name-verified")
    page.close()


def holder_sees_a_face_rejection_and_resubmits(browser):
    page = open_as(browser, "holder", account())
    number = resident_id("19850612")
    fill_person(page, "李四", number, "Face recognition")
    page.get_by_label("Reason", exact=True).select_option("liveness_failed")
    page.get_by_role("button", name="Fail with").click()
    expect(page.locator("[data-app-status]")).to_have_text("Rejected")
    expect(page.locator("[data-failure]")).not_to_be_empty()
    expect(page.get_by_text("You may try again.")).to_be_visible()
    snap(page, "real-name-rejected")
    fill_person(page, "李四", number, "Face recognition")
    expect(page.locator("[data-app-status]")).to_have_text("Waiting for you")
    page.close()


def holder_reaches_the_limit(browser):
    subject = person("赵六", resident_id("19900307"))
    for _ in range(3):
        verified(subject)
    page = open_as(browser, "holder", account())
    fill_person(page, subject["name"], subject["document_number"], "WeChat scan")
    page.get_by_role("button", name="Sandbox: act as the provider: Pass").click()
    expect(page.locator("[data-app-status]")).to_have_text("Rejected")
    holders = page.locator("[data-holders] tbody tr")
    expect(holders).to_have_count(3)
    assert all("****" in row for row in holders.all_inner_texts()), holders.all_inner_texts()
    expect(page.get_by_text("Close one of these accounts")).to_be_visible()
    snap(page, "real-name-limit")
    page.close()


def holder_starts_a_remittance(browser):
    page = open_as(browser, "holder", account())
    page.get_by_role("radio", name="Enterprise").check()
    page.get_by_label("Enterprise name").fill(ENTERPRISE["name"])
    page.get_by_label("Unified social credit code").fill(ENTERPRISE["uscc"])
    page.get_by_label("Legal representative", exact=True).fill(ENTERPRISE["legal_person_name"])
    page.get_by_role("radio", name="Corporate remittance").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("[data-reference]")).to_have_text(__import__("re").compile(r"^RN[0-9A-F]+$"))
    for text in ("Amount", "Payee account", "Pay by"):
        expect(page.get_by_text(text, exact=True)).to_be_visible()
    snap(page, "real-name-remittance")
    page.close()


def a_wrong_check_digit_is_shown_on_the_field(browser):
    page = open_as(browser, "holder", account())
    fill_person(page, "张三", "110105194912310021", "Face recognition")
    field = page.get_by_label("Document number")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error")).to_be_visible()
    page.close()


def holder_changes_the_phone_with_a_code(browser):
    page = open_as(browser, "holder", account())
    page.get_by_label("New phone number").fill(phone())
    page.get_by_role("button", name="Send a code").click()
    page.get_by_role("button", name="Sandbox: show the code").click()
    expect(page.get_by_label("The 6-digit code sent to the new number")).to_have_value(__import__("re").compile(r"^[0-9]{6}$"))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("The phone number is now")).to_be_visible()
    page.close()


def find_account_proves_lists_and_freezes(browser):
    mine = verified(person("孙七", number := resident_id("19770101")))
    page = open_as(browser, "service", path="/console/find-account")
    snap(page, "find-account")
    prove(page, "孙七", number)
    rows = page.locator("[data-found] tbody tr")
    expect(rows).to_have_count(1)
    assert mine not in rows.first.inner_text(), "account ids are masked"
    rows.first.get_by_role("checkbox").check()
    page.get_by_label("Why (for the reviewer)").fill("not mine")
    page.get_by_role("button", name="Freeze the selected accounts").click()
    expect(page.get_by_text("Frozen. A reviewer will look at case")).to_be_visible()
    expect(page.locator("[data-found] tbody tr").first).to_contain_text("Frozen")
    snap(page, "find-account-frozen")
    page.close()


def reviewer_approves_a_payment_and_resolves_an_appeal(browser):
    holder_account = account()
    holder = token("holder", holder_account)
    status, app = call("POST", f"/v1/accounts/{holder_account}/applications", {"purpose": "verify", "method": "corporate_remittance", "subject": {"type": "enterprise", **ENTERPRISE}}, holder, {"Idempotency-Key": str(random.random())})
    assert status == 201, app
    action = app["next_action"]
    credit = signed("/v1/payment-credits", {"reference": action["reference"], "amount": action["amount"], "payer_name": "某某贸易有限公司", "payer_account": "6222020000000001", "received_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    assert credit["status"] == "in_review", credit
    service = token("service")
    status, proof = call("POST", "/v1/identity-proofs", {"method": "face_recognition", "subject": person("周八", resident_id("19660606"))}, service, {"Idempotency-Key": str(random.random())})
    call("POST", f"/v1/sandbox/identity-proofs/{proof['id']}/complete", {"outcome": "passed"}, service)
    status, appeal = call("POST", "/v1/appeals", {"proof_id": proof["id"], "message": "我的手机号已停用"}, service, {"Idempotency-Key": str(random.random())})
    assert status == 201, appeal

    page = open_as(browser, "reviewer", path="/console/review")
    snap(page, "review")
    page.locator("[data-queue]").get_by_role("button", name=app["id"]).click()
    expect(page.get_by_role("heading", name="Application detail")).to_be_visible()
    expect(page.get_by_role("heading", name="Business registry record")).to_be_visible()
    expect(page.get_by_role("heading", name="Payment credit")).to_be_visible()
    expect(page.get_by_text("某某贸易有限公司")).to_be_visible()
    page.get_by_label("Decision", exact=True).select_option("approve")
    page.get_by_label("Reason code").fill("payer_is_parent_company")
    page.get_by_label("Note").fill("checked the group structure")
    snap(page, "review-application")
    page.get_by_role("button", name="Submit the decision").click()
    expect(page.get_by_text("Decided: Approved.")).to_be_visible()
    page.locator("[data-cases]").get_by_role("button", name=appeal["id"]).click()
    expect(page.get_by_text("我的手机号已停用")).to_be_visible()
    page.get_by_label("Outcome").select_option("resolved")
    page.get_by_label("Note").fill("phone re-bound after a call")
    snap(page, "review-case")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_text("Resolved: Resolved.")).to_be_visible()
    page.get_by_label("Account id").fill(holder_account)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("[data-chain-valid=true]")).to_have_text("The hash chain verifies.")
    expect(page.get_by_role("cell", name="application.approved")).to_be_visible()
    status, case = call("GET", f"/v1/cases/{appeal['id']}", token=token("reviewer"))
    assert (case["status"], case["note"]) == ("resolved", "phone re-bound after a call"), case
    page.close()


def sign_in_and_expiry(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watch(page)
    page.goto(f"{BASE}/console/?lang=en")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    snap(page, "sign-in")
    page.get_by_role("button", name="Sign in as the holder of a new account").click()
    expect(page.get_by_role("heading", name="Real-name Authentication")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('realname.token')"), "kept in sessionStorage"
    # A token the server did not sign: the first API call answers 401 and the page says so.
    forged = ".".join(base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=") for part in ({"alg": "HS256"}, {"role": "holder", "account_id": account(), "exp": 4102444800})) + ".c2ln"
    # It is handed over as the platform does, in a tab of its own: the signed-in tab may still
    # have requests in flight, and one sent with the forged token would sign that tab out first.
    page.close()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watch(page)
    page.goto(f"{BASE}/console/?lang=en#token={forged}")
    expect(page.get_by_text("Your sign-in is no longer valid. Sign in again.")).to_be_visible()
    assert "token" not in page.url, "the token leaves the address bar"
    page.goto(f"{BASE}/console/real-name")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.close()
    chinese = browser.new_page(locale="zh-CN")
    chinese.goto(f"{BASE}/console/")
    expect(chinese.get_by_role("heading", name="登录", exact=True)).to_be_visible()
    chinese.close()


def holder_scans_a_qr_code(browser):
    page = open_as(browser, "holder", account())
    fill_person(page, "钱九", resident_id("19950505"), "WeChat scan")
    qr = page.get_by_role("img", name="Scan this code with the app")
    expect(qr).to_be_visible()
    assert qr.locator("path").get_attribute("d").count("M") > 100, "the code has modules"
    snap(page, "real-name-qr")
    page.get_by_role("button", name="Sandbox: act as the provider: Pass").click()
    expect(page.locator("[data-status]")).to_have_text("Verified")
    page.close()


def holder_modifies_to_an_enterprise(browser):
    acct = verified(person("吴十", resident_id("19880808")))
    page = open_as(browser, "holder", acct)
    expect(page.get_by_role("heading", name="Modify the real-name information")).to_be_visible()
    expect(page.get_by_text("A person can be modified from")).to_be_visible()
    expect(page.get_by_role("radio", name="Enterprise")).to_be_checked()
    page.get_by_label("Enterprise name").fill(ENTERPRISE["name"])
    page.get_by_label("Unified social credit code").fill(ENTERPRISE["uscc"])
    page.get_by_label("Legal representative", exact=True).fill(ENTERPRISE["legal_person_name"])
    page.get_by_role("radio", name="WeChat Public Platform").check()
    page.get_by_role("button", name="Submit").click()
    page.get_by_role("button", name="Sandbox: act as the provider: Pass").click()
    expect(page.get_by_text(ENTERPRISE["name"]).first).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("Verified")
    snap(page, "real-name-modified")
    page.close()


def holder_creates_a_sub_account_and_switches_to_it(browser):
    root = verified(person("郑一", resident_id("19920202")))
    page = open_as(browser, "holder", root)
    page.get_by_label("Its phone number").fill(phone())
    page.get_by_role("button", name="Create a sub-account").click()
    page.get_by_role("button", name="Sandbox: show the code").click()
    page.get_by_role("button", name="Confirm").click()
    switch = page.get_by_label("Show account")
    expect(switch).to_be_visible()
    sub = [v for v in switch.locator("option").evaluate_all("os => os.map(o => o.value)") if v != root][0]
    switch.select_option(sub)
    expect(page.get_by_text(root, exact=True).last).to_be_visible()
    expect(page.get_by_text("Inherited from the root account")).to_be_visible()
    snap(page, "real-name-sub-account")
    page.close()


def find_account_recovers_an_account(browser):
    verified(person("王二", number := resident_id("19800303")))
    page = open_as(browser, "service", path="/console/find-account")
    prove(page, "王二", number)
    page.get_by_role("button", name="Recover this account").click()
    page.get_by_label("Your new phone number").fill(phone())
    page.get_by_role("button", name="Send a code").click()
    page.get_by_role("button", name="Sandbox: show the code").click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Recovered: the account is bound to your new number.")).to_be_visible()
    page.close()


def holder_accepts_an_invitation(browser):
    root = verified(person("冯三", resident_id("19810404")))
    target = verified(person("陈四", resident_id("19820505")))
    status, invitation = call("POST", f"/v1/accounts/{root}/sub-account-associations", {"account_id": target}, token("holder", root), {"Idempotency-Key": str(random.random())})
    assert status == 201, invitation
    page = open_as(browser, "holder", target)
    invites = page.locator("#subs-h ~ ul li")
    expect(invites.filter(has_text=root)).to_have_count(1)
    invites.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)
    status, listed = call("GET", f"/v1/accounts/{target}/sub-account-associations", token=token("holder", target))
    assert listed["data"][0]["status"] == "accepted", listed
    page.close()


def find_account_opens_an_appeal(browser):
    verified(person("褚五", number := resident_id("19830606")))
    page = open_as(browser, "service", path="/console/find-account")
    prove(page, "褚五", number)
    page.get_by_label("What happened").fill("I lost the phone of this account")
    page.get_by_role("button", name="Open an appeal").click()
    expect(page.get_by_text("Appeal case_")).to_be_visible()
    page.close()


def the_pages_speak_chinese(browser):
    page = browser.new_page(viewport={"width": 375, "height": 900}, locale="zh-CN")
    watch(page)
    page.goto(f"{BASE}/console/real-name#token={token('holder', account())}")
    expect(page.get_by_role("heading", name="实名认证", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="提交")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.screenshot(path=str(SHOTS / "real-name-zh-narrow.png"), full_page=True)
    axe_scan(page, "the real-name page in Chinese")
    page.close()


def account_manager_sets_an_enterprise_limit(browser):
    page = open_as(browser, "account_manager", path="/console/limits")
    page.get_by_label("Unified social credit code").fill(ENTERPRISE["uscc"])
    page.get_by_role("button", name="Show").click()
    limit = page.get_by_label("Limit", exact=True)
    expect(limit).to_have_value("10")
    limit.fill("12")
    page.get_by_label("Reason", exact=True).fill("group subsidiaries")
    page.get_by_role("button", name="Set the limit").click()
    expect(page.get_by_role("cell", name="group subsidiaries")).to_be_visible()
    expect(page.get_by_label("Limit", exact=True)).to_have_value("12")
    snap(page, "limits")
    page.close()


SCENARIOS = [
    sign_in_and_expiry,
    holder_verifies_by_face,
    holder_sees_a_face_rejection_and_resubmits,
    holder_reaches_the_limit,
    holder_starts_a_remittance,
    a_wrong_check_digit_is_shown_on_the_field,
    holder_changes_the_phone_with_a_code,
    find_account_proves_lists_and_freezes,
    reviewer_approves_a_payment_and_resolves_an_appeal,
    account_manager_sets_an_enterprise_limit,
    holder_scans_a_qr_code,
    holder_modifies_to_an_enterprise,
    holder_creates_a_sub_account_and_switches_to_it,
    find_account_recovers_an_account,
    holder_accepts_an_invitation,
    find_account_opens_an_appeal,
    the_pages_speak_chinese,
]


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    failed = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for scenario in SCENARIOS:
            try:
                problems.clear()
                scenario(browser)
                assert not problems, problems
                print(f"ok   {scenario.__name__}")
            except Exception as error:  # each scenario reports; the run fails at the end
                failed.append(scenario.__name__)
                print(f"FAIL {scenario.__name__}: {error}")
                for context in browser.contexts:
                    for n, page in enumerate(context.pages):
                        page.screenshot(path=str(SHOTS / f"FAILED-{scenario.__name__}-{n}.png"), full_page=True)
                        page.close()
        browser.close()
    print(f"{len(SCENARIOS) - len(failed)} of {len(SCENARIOS)} console scenarios passed; screenshots in {SHOTS}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
