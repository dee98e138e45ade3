"""The Redis cache backend, keeping one client per connection pool.

Django's backend builds a new `redis.Redis` for every cache call (its response
callbacks, a dict of some 170 entries, included): about a tenth of a millisecond
each, paid by every request on the hot path (units/scope_cache.py reads the
cache once per request). A client is thread-safe and holds no connection of its
own (the pool does), so one per pool serves every call.
"""

from django.core.cache.backends import redis


class _Client(redis.RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client
