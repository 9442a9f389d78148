"""What every rule is handed for one region: the inventory and what is derived from it once.

``registry.evaluate`` builds one ``RegionContext`` per region and passes the same object to
every rule's check (``check(ctx, options)``), so the work of indexing a region -- who invokes
which function -- is done once per region, not once per rule, and so is each function's
workload profile, which every cost rule prices. Code outside the rules that needs
the same index (the scan's recommendations and invocation types) builds the context once with
``RegionContext.build`` and hands the contexts to ``evaluate``.

Pure, like the rules: no Django, no boto3, no settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from advisor.collect.inventory import Function, RegionInventory
from advisor.collect.relations import RelationIndex
from advisor.decide import WorkloadProfile, profile_from_function


@dataclass(frozen=True)
class RegionContext:
    """One region's inventory with its relation index, built once and shared by every rule.

    Inventories are mutable dataclasses: build the context after the collection is done, and
    build a new one if the inventory changes."""

    inventory: RegionInventory
    relations: RelationIndex
    _profiles: dict[str, WorkloadProfile] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def build(cls, inventory: RegionInventory) -> RegionContext:
        return cls(inventory=inventory, relations=RelationIndex.build(inventory))

    @property
    def region(self) -> str:
        return self.inventory.region

    def profile(self, fn: Function) -> WorkloadProfile:
        """The function's workload profile for the cost model (its metrics, how it is invoked and
        its front door), made once and shared by every cost rule."""
        profile = self._profiles.get(fn.arn)
        if profile is None:
            callers = self.relations.callers(fn)
            profile = self._profiles[fn.arn] = profile_from_function(fn, callers=callers)
        return profile
