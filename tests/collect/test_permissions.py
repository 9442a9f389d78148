"""The read-only policy, the rule catalogue's table of permissions and Test connection name the
same IAM actions: a permission the scan needs is granted, documented and tried."""

from __future__ import annotations

from accounts.iam import READ_ONLY_ACTIONS
from advisor.collect.inventory import DATA_READS
from advisor.demo.seed import READ_ONLY_ACTIONS as DEMO_ROLE_ACTIONS

# Granted for a read the scan does not make any more; kept so an existing role keeps working.
NOT_READ = {"sns:ListSubscriptions"}


def test_every_documented_read_is_granted_and_every_grant_documented():
    documented = {action for actions in DATA_READS.values() for action in actions}
    assert documented <= set(READ_ONLY_ACTIONS)
    assert set(READ_ONLY_ACTIONS) - NOT_READ <= documented


def test_the_demo_role_may_make_every_documented_read():
    def allowed(action: str) -> bool:
        return any(
            grant == action or (grant.endswith("*") and action.startswith(grant[:-1]))
            for grant in DEMO_ROLE_ACTIONS
        )

    documented = {action for actions in DATA_READS.values() for action in actions}
    assert [a for a in sorted(documented) if not allowed(a)] == []
