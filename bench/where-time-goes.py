#!/usr/bin/env python3
"""Splits an async-profiler collapsed CPU profile of dkv's event loops by where the time goes.

    bench/where-time-goes.py PROFILE.collapsed

Only the event-loop threads (dkv-io-*) are counted, so the JIT compiler and GC threads of a
short run do not dilute the shares. Kernel samples are split by the system call they are in;
user samples go to the innermost dkv component on their stack (storage apply, Merkle tree,
internode codec, coordinator, RESP, metrics, futures), and to Netty or "other" when no
component is on it. Printed as a Markdown table, largest share first.
"""
import collections
import sys

# (component, frame substrings); the innermost frame matching any of them names the sample.
COMPONENTS = [
    ('metrics', ('CommandMeters', 'RequestCounters', 'io/micrometer')),
    ('Merkle tree update', ('MerkleTrees',)),
    ('replica apply (storage)', ('LocalReplica.', 'MemoryStorageEngine', 'PartitionTable', 'EntryRecords')),
    ('internode codec and connections', ('FrameDecoder', 'FrameEncoder', 'MessageCodec', 'FrameCoalescer', 'PeerConnection')),
    ('future completion', ('CompletableFuture',)),
    ('coordinator', ('Coordinator', 'WriteOperation', 'ReadOperation')),
    ('RESP decode', ('RespDecoder',)),
    ('RESP reply encode', ('RespEncoder', 'RespConnectionHandler.drain')),
]
FALLBACK = [('other dkv code', ('io/dkv',)), ('Netty', ('io/netty',))]


def kernel_part(frames):
    stack = ' '.join(frames)
    if any(call in stack for call in ('sendto', 'writev', 'sys_write')):
        return 'kernel: send (includes the receiving socket on loopback)'
    if any(call in stack for call in ('recvfrom', 'sys_read', 'recvmsg')):
        return 'kernel: receive'
    if 'epoll' in stack:
        return 'kernel: epoll wait'
    return 'kernel: other (interrupts, scheduling, page faults)'


def component(frames):
    for table in (COMPONENTS, FALLBACK):
        for frame in reversed(frames):
            for name, markers in table:
                if any(marker in frame for marker in markers):
                    return name
    return 'JVM (allocation, barriers, runtime)'


def main(path):
    shares = collections.Counter()
    total = 0
    with open(path) as profile:
        for line in profile:
            stack, _, count = line.rstrip().rpartition(' ')
            frames = stack.split(';')
            if not frames[0].startswith('[dkv-io'):
                continue
            count = int(count)
            total += count
            shares[kernel_part(frames) if frames[-1].endswith('_[k]') else component(frames)] += count
    if total == 0:
        sys.exit(f'{path}: no samples from dkv-io threads (was the profile taken with -t?)')
    print(f'| where ({total} event-loop samples) | share |')
    print('| --- | ---: |')
    for name, count in shares.most_common():
        print(f'| {name} | {100 * count / total:.1f} % |')


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
