package io.dkv.cli.bench;

import java.util.SplittableRandom;

/**
 * One connection's sequence of requests: each call to {@link #next()} picks GET or SET by the
 * ratio, then {@link #key()} tells which key it is for. Not thread-safe: one per connection,
 * used on its event loop.
 */
final class OperationStream {

    private final SplittableRandom random;
    private final int keys;
    private final long gets;
    private final long total;
    private int key = -1;

    OperationStream(SplittableRandom random, int keys, Ratio ratio) {
        this.random = random;
        this.keys = keys;
        this.gets = ratio.gets();
        this.total = (long) ratio.gets() + ratio.sets();
    }

    /** Draws the next request and its key. */
    Operation next() {
        Operation operation = random.nextLong(total) < gets ? Operation.GET : Operation.SET;
        key = random.nextInt(keys);
        return operation;
    }

    /** The key number of the request {@link #next()} drew last. */
    int key() {
        return key;
    }
}
