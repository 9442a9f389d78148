"""The image build's `collectstatic`, and nothing else: no secret, database or broker exists
while the image is built, so none is pretended (SECRET_KEY stays empty and Django refuses
anything that would sign with it). The container itself runs config.settings.production."""

from .base import *  # noqa: F403
