import pytest

from tests.dashboard.builders import add_api, make_finding, make_function, make_scan
from tests.factories import make_account, make_user, make_workspace


@pytest.fixture
def world(db):
    """Alice owns a workspace (Vera views it); Bob owns another. Each account has a finished
    scan with functions and findings."""
    alice, bob, vera = make_user("alice"), make_user("bob"), make_user("vera")
    mine = make_workspace(members={alice: "owner", vera: "viewer"})
    theirs = make_workspace(members={bob: "owner"})
    my_account = make_account(mine, name="acme-prod")
    their_account = make_account(theirs, name="other-prod")
    my_scan = make_scan(my_account)
    their_scan = make_scan(their_account)
    orders = make_function(my_scan, "orders-api")
    add_api(orders, timeout_ms=29_000)
    reports = make_function(my_scan, "nightly-reports", runtime="nodejs20.x", arch="arm64")
    secret = make_function(their_scan, "their-secret-fn")
    return {
        "alice": alice,
        "bob": bob,
        "vera": vera,
        "my_account": my_account,
        "their_account": their_account,
        "my_scan": my_scan,
        "orders": orders,
        "reports": reports,
        "secret": secret,
        "my_finding": make_finding(orders, rule_id="tracing-disabled", severity="low"),
        "my_high": make_finding(
            orders,
            rule_id="apigw-timeout-exceeds-integration",
            severity="high",
            pillar="reliability",
        ),
        "their_finding": make_finding(secret, rule_id="tracing-disabled"),
    }
