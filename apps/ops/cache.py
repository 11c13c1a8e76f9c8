"""Django's Redis cache, made optional: when Redis is down a read is a miss and a write is
skipped (logged), so the site keeps answering (throttling then lets requests through)."""

from __future__ import annotations

import logging

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


def _tolerant(name: str, default=None):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as error:  # redis.ConnectionError, TimeoutError, ...
            logger.warning("cache %s skipped: %s", name, error)
            if name == "get":  # get(key, default=None)
                return kwargs.get("default", args[1] if len(args) > 1 else None)
            return default

    call.__name__ = name
    return call


class TolerantRedisCache(RedisCache):
    pass


_default: object
for _name, _default in [
    ("get", None),
    ("get_many", {}),
    ("set", None),
    ("set_many", []),
    ("add", False),
    ("delete", False),
    ("delete_many", None),
    ("incr", None),
    ("touch", False),
    ("has_key", False),
    ("clear", None),
]:
    setattr(TolerantRedisCache, _name, _tolerant(_name, _default))
