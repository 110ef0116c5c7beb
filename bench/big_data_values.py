"""The keys and values bench/big-data.sh writes and checks.

    big_data_values.py generate KEYS SIZE        RESP SET commands for every key, to stdout
    big_data_values.py sample KEYS SIZE DIR      1,000 random GETs (DIR/reads.txt) and the
                                                 values they must return (DIR/expected.txt)

Keys are key:<12 digits>, as redis-benchmark -r names them. A value is base64 text of random
bytes seeded by the key's number: hardly compressible, and checkable without keeping it.
"""
import base64
import random
import sys


def value(number, size):
    raw_bytes = size * 3 // 4 + 3
    raw = random.Random(number).getrandbits(8 * raw_bytes).to_bytes(raw_bytes, "little")
    return base64.b64encode(raw)[:size]


def generate(keys, size):
    out = sys.stdout.buffer
    for number in range(keys):
        key = b"key:%012d" % number
        out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, size, value(number, size)))


def sample(keys, size, directory):
    with open(directory + "/reads.txt", "w") as reads, open(directory + "/expected.txt", "w") as expected:
        for number in random.sample(range(keys), min(keys, 1000)):
            reads.write("GET key:%012d\n" % number)
            expected.write(value(number, size).decode() + "\n")


if __name__ == "__main__":
    mode, keys, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if mode == "generate":
        generate(keys, size)
    else:
        sample(keys, size, sys.argv[4])
