#!/usr/bin/env python3
"""Issue 11's attack on a running node, measured from outside.

Opens CONNECTIONS sockets that each send `*1048576\\r\\n$16777216\\r\\n` (a 1M-element command
whose first argument announces 16 MiB) and go quiet, plus STREAMS sockets that each send
256 KiB of random bytes, then prints the node's resident size and an honest client's PING
time and SET/GET replies once a second for five seconds.

    ./dkv server --nodes 1 --replicas 1 --base-port 17400 --http-port 0 --pid-file /tmp/n1.pid &
    bench/hostile-clients.py --port 17400 --pid $(cat /tmp/n1.pid) --connections 1000 --streams 50
"""
import argparse
import random
import socket
import time


def resident_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return -1


def honest(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(10)
    started = time.time()
    s.sendall(b"PING\r\n")
    pong = s.recv(100)
    elapsed_ms = round((time.time() - started) * 1000, 1)
    s.sendall(b"SET honest yes\r\nGET honest\r\n")
    replies = b""
    while not replies.endswith(b"yes\r\n"):
        replies += s.recv(100)
    s.close()
    return pong, elapsed_ms, replies


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=7400)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--connections", type=int, default=400)
    parser.add_argument("--streams", type=int, default=0)
    args = parser.parse_args()

    print("idle: resident MiB", resident_mib(args.pid), "PING/SET/GET", honest(args.port))
    sockets = []
    for _ in range(args.connections):
        s = socket.create_connection(("127.0.0.1", args.port))
        s.sendall(b"*1048576\r\n$16777216\r\n")
        sockets.append(s)
    rnd = random.Random(1)
    for _ in range(args.streams):
        s = socket.create_connection(("127.0.0.1", args.port))
        s.setblocking(False)
        try:
            s.send(rnd.randbytes(256 * 1024))
        except OSError:
            pass
        sockets.append(s)
    for _ in range(5):
        time.sleep(1)
        print(f"{args.connections} hostile + {args.streams} random: resident MiB", resident_mib(args.pid),
              "PING/SET/GET", honest(args.port))


if __name__ == "__main__":
    main()
