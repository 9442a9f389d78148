"""What every rule is handed for one region: the inventory and what is derived from it once.

``registry.evaluate`` builds one ``RegionContext`` per region and passes the same object to
every rule's check (``check(ctx, options)``), so the work of indexing a region -- who invokes
which function -- is done once per region, not once per rule. Code outside the rules that needs
the same index (the scan's recommendations and invocation types) builds the context once with
``RegionContext.build`` and hands the contexts to ``evaluate``.

Pure, like the rules: no Django, no boto3, no settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.collect.inventory import RegionInventory
from advisor.collect.relations import RelationIndex


@dataclass(frozen=True)
class RegionContext:
    """One region's inventory with its relation index, built once and shared by every rule.

    Inventories are mutable dataclasses: build the context after the collection is done, and
    build a new one if the inventory changes."""

    inventory: RegionInventory
    relations: RelationIndex

    @classmethod
    def build(cls, inventory: RegionInventory) -> RegionContext:
        return cls(inventory=inventory, relations=RelationIndex.build(inventory))

    @property
    def region(self) -> str:
        return self.inventory.region
