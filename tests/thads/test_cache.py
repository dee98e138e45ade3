"""The Redis cache backend keeps one client per connection pool (thads/cache.py)."""

from thads.cache import RedisCache


def test_the_backend_reuses_its_client_for_every_call():
    cache = RedisCache("redis://127.0.0.1:6379/15", {"KEY_PREFIX": "t"})
    # Building a client opens no connection: this needs no Redis server.
    first = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is first
    assert cache._cache.get_client("c", write=True) is first  # one server: one pool


def test_two_servers_get_a_client_each():
    cache = RedisCache("redis://127.0.0.1:6379/14,redis://127.0.0.1:6379/13", {})
    writer = cache._cache.get_client("a", write=True)
    reader = cache._cache.get_client("a")
    assert writer is not reader
    assert cache._cache.get_client("b", write=True) is writer
    assert cache._cache.get_client("b") is reader
