"""ECR behaviour moto's server gets wrong in a way the scan would notice.

DescribeImages' ``imageSizeInBytes`` is, on AWS, the compressed size of the image in the
repository: the sum of its layers. moto reports the manifest's config blob size instead (or a
constant). Here it is the sum of the layer sizes the pushed manifest declares.
"""

from __future__ import annotations

import json

from moto.ecr.models import Image


def install() -> None:
    _patch_image_size()


def _patch_image_size() -> None:
    original = Image.get_image_size_in_bytes

    def get_image_size_in_bytes(self: Image) -> int | None:
        try:
            layers = json.loads(self.image_manifest).get("layers")
        except (TypeError, ValueError):
            layers = None
        if layers and all(isinstance(layer.get("size"), int) for layer in layers):
            return sum(layer["size"] for layer in layers)
        return original(self)

    Image.get_image_size_in_bytes = get_image_size_in_bytes
