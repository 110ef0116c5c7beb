"""The everyday redis-py calls of a cache and a session store, against a dkv cluster.

Usage: redis-py-patterns.py PORT [PORT ...]. Each step goes through the next node in turn,
as clients behind a load balancer would. Prints "ok N checks" and exits 0 when every check
held; otherwise names the first that did not on stderr and exits 1.
"""
import sys
import time

import redis

ports = [int(port) for port in sys.argv[1:]]
clients = [redis.Redis(host="127.0.0.1", port=port, decode_responses=True, socket_timeout=10) for port in ports]
checks = 0
turn = 0


def node():
    global turn
    turn += 1
    return clients[turn % len(clients)]


def check(holds, what):
    global checks
    if not holds:
        print("FAILED: " + what, file=sys.stderr)
        sys.exit(1)
    checks += 1


def eventually(condition, what, seconds=10):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    check(condition(), what)


# A cache with time to live.
check(node().set("cache:user:1", "alice", ex=60) is True, "set ex")
check(node().get("cache:user:1") == "alice", "get after set ex")
ttl = node().ttl("cache:user:1")
check(55 <= ttl <= 60, "ttl after set ex 60: %d" % ttl)
check(node().setex("cache:page", 30, "<html>") is True, "setex")
check(node().expire("cache:page", 120) is True, "expire on a key")
ttl = node().ttl("cache:page")
check(115 <= ttl <= 120, "ttl after expire 120: %d" % ttl)
check(node().persist("cache:page") is True, "persist")
check(node().ttl("cache:page") == -1, "ttl of a key without expiry")
check(node().expire("cache:missing", 10) is False, "expire on a missing key")
check(node().ttl("cache:missing") == -2, "ttl of a missing key")
# 2 s: long enough that the PTTL right after it cannot find the key gone on a slow machine.
check(node().set("cache:short", "x", px=2000) is True, "set px")
pttl = node().pttl("cache:short")
check(0 < pttl <= 2000, "pttl after set px 2000: %d" % pttl)
eventually(lambda: node().get("cache:short") is None, "a key reads as absent once it expired")
check(node().exists("cache:short") == 0, "exists of an expired key")
check(node().getex("cache:user:1", ex=90) == "alice", "getex")
check(85 <= node().ttl("cache:user:1") <= 90, "ttl after getex ex 90")
check(node().set("cache:user:1", "bob", keepttl=True) is True, "set keepttl")
check(85 <= node().ttl("cache:user:1") <= 90, "ttl kept by set keepttl")
check(node().set("cache:user:1", "carol") is True, "plain set")
check(node().ttl("cache:user:1") == -1, "a plain set clears the expiry")
check(node().mset({"cache:a": "1", "cache:b": "2"}) is True, "mset")
check(node().mget("cache:a", "cache:b", "cache:none") == ["1", "2", None], "mget")

# Sessions: many keys, found by pattern, deleted.
for i in range(50):
    node().set("session:%d" % i, "s%d" % i, ex=3600)
found = set(node().scan_iter(match="session:*", count=10))
check(found == {"session:%d" % i for i in range(50)}, "scan_iter finds every session: %d" % len(found))
check(set(node().keys("session:*")) == found, "keys agrees with scan_iter")
check(node().delete(*["session:%d" % i for i in range(10)]) == 10, "delete of ten keys")
check(node().unlink("session:20") == 1, "unlink")
check(node().type("session:21") == "string", "type of a string")
check(node().type("session:20") == "none", "type of a deleted key")
check(node().strlen("session:21") == 3, "strlen")
check(node().getrange("session:21", 1, -1) == "21", "getrange")
check(node().touch("session:21", "session:20") == 1, "touch counts existing keys")
# DBSIZE sums the replicas' counts: cache:short, expired above, counts until it is collected.
check(node().dbsize() in (39 + 4, 39 + 4 + 1), "dbsize counts the cluster's keys: %d" % node().dbsize())
random_key = node().randomkey()
check(random_key is not None and node().exists(random_key) == 1, "randomkey returns a key")

# A user profile as a hash with expiry: fields written through different nodes all stay.
check(node().hset("profile:1", mapping={"name": "alice", "city": "Oslo"}) == 2, "hset of two fields")
check(node().hset("profile:1", "lang", "no") == 1, "hset of one more field")
check(node().hset("profile:1", "city", "Bergen") == 0, "hset overwriting a field adds none")
check(node().hgetall("profile:1") == {"name": "alice", "city": "Bergen", "lang": "no"}, "hgetall")
check(node().hget("profile:1", "name") == "alice", "hget")
check(node().hmget("profile:1", ["name", "none"]) == ["alice", None], "hmget")
check(node().hlen("profile:1") == 3 and node().hexists("profile:1", "lang"), "hlen and hexists")
check(sorted(node().hkeys("profile:1")) == ["city", "lang", "name"], "hkeys")
check(node().hdel("profile:1", "lang", "none") == 1, "hdel counts the fields it removed")
check(dict(node().hscan_iter("profile:1")) == {"name": "alice", "city": "Bergen"}, "hscan_iter")
check(node().type("profile:1") == "hash", "type of a hash")
check(node().expire("profile:1", 100) is True, "expire on a hash")
check(95 <= node().ttl("profile:1") <= 100, "ttl of a hash")
check(node().hset("profile:1", "lang", "en") == 1 and node().ttl("profile:1") > 0, "hset keeps the hash's expiry")
check(node().pexpire("profile:1", 300) is True, "pexpire on a hash")
eventually(lambda: node().hgetall("profile:1") == {}, "a hash reads as empty once it expired")
check(node().exists("profile:1") == 0, "exists of an expired hash")
try:
    node().get("profile:2") if node().hset("profile:2", "f", "v") == 1 else None
    check(False, "get of a hash is refused")
except redis.ResponseError as wrong:
    check(str(wrong).startswith("WRONGTYPE"), "get of a hash: %s" % wrong)

# A pipeline without MULTI (what dkv offers instead of transactions).
pipe = node().pipeline(transaction=False)
pipe.set("pipe:1", "a", ex=100)
pipe.get("pipe:1")
pipe.ttl("pipe:1")
replies = pipe.execute()
check(replies[0] is True and replies[1] == "a" and 95 <= replies[2] <= 100, "pipeline: %r" % replies)
try:
    node().incr("counter")
    check(False, "incr is refused")
except redis.ResponseError as refused:
    check("not supported" in str(refused), "incr refused with why: %s" % refused)

# Flush.
check(node().flushdb() is True, "flushdb")
check(node().dbsize() == 0, "dbsize after flushdb")
check(node().get("cache:page") is None, "a key is gone after flushdb")
check(node().set("after", "1") is True and node().get("after") == "1", "a write after flushdb stays")
check(node().hgetall("profile:2") == {}, "a hash is gone after flushdb")
check(node().hset("profile:2", "g", "w") == 1, "hset after flushdb adds a field")
check(node().hgetall("profile:2") == {"g": "w"}, "no field from before flushdb comes back: %r" % node().hgetall("profile:2"))

print("ok %d checks" % checks)
