package io.dkv.cli.check;

import io.dkv.cli.client.RespClient;
import io.dkv.core.Consistency;
import io.dkv.core.version.Version;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client of a checked run: its own connection, random reads ({@code DKV.GET}) and
 * writes of unique values ({@code DKV.PUT}, value {@code c<client>-<op>}) over the keys until
 * the deadline, recording each as an {@link Op}. A connection that fails or times out is
 * closed and the client reconnects, to the next node; the op it was running is
 * indeterminate. With an interval, ops start no closer than that on average (no bursts to
 * catch up after a slow op). Runs on its own thread; {@link #history()} after it ends.
 */
final class CheckClient implements Runnable {

    private final int id;
    private final List<Endpoint> endpoints;
    private final List<String> keys;
    private final Consistency read;
    private final Consistency write;
    private final long deadline;
    private final long intervalNanos;
    private final int timeoutMillis;
    private final AtomicBoolean stop;
    private final SplittableRandom random;
    private final List<Op> history = new ArrayList<>();
    private int reconnects;

    CheckClient(int id, List<Endpoint> endpoints, List<String> keys, Consistency read, Consistency write,
                long deadline, long intervalNanos, int timeoutMillis, long seed, AtomicBoolean stop) {
        this.id = id;
        this.endpoints = endpoints;
        this.keys = keys;
        this.read = read;
        this.write = write;
        this.deadline = deadline;
        this.intervalNanos = intervalNanos;
        this.timeoutMillis = timeoutMillis;
        this.stop = stop;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public void run() {
        int target = id % endpoints.size();
        RespClient connection = null;
        long next = 0;
        long due = System.nanoTime();
        try {
            while (System.nanoTime() < deadline && !stop.get() && !Thread.currentThread().isInterrupted()) {
                if (connection == null) {
                    try {
                        connection = endpoints.get(target).connect(read, write, timeoutMillis);
                    } catch (IOException | RuntimeException e) {
                        target = (target + 1) % endpoints.size();
                        pause();
                        continue;
                    }
                }
                if (intervalNanos > 0) {
                    due = Math.max(due + intervalNanos, System.nanoTime());
                    sleepUntil(due);
                    if (System.nanoTime() >= deadline) {
                        break;
                    }
                }
                String key = keys.get(random.nextInt(keys.size()));
                boolean isWrite = random.nextBoolean();
                String value = isWrite ? "c" + id + "-" + next++ : null;
                long start = System.nanoTime();
                Object reply;
                try {
                    reply = isWrite ? connection.call("DKV.PUT", key, value) : connection.call("DKV.GET", key);
                } catch (IOException | RuntimeException e) {
                    long end = System.nanoTime();
                    String error = "no answer: " + e;
                    history.add(isWrite ? Op.write(id, key, value, start, end, Op.Outcome.INDETERMINATE, null, error)
                            : Op.read(id, key, start, end, Op.Outcome.INDETERMINATE, null, null, error));
                    close(connection);
                    connection = null;
                    reconnects++;
                    target = (target + 1) % endpoints.size();
                    continue;
                }
                long end = System.nanoTime();
                history.add(isWrite ? writeOp(key, value, start, end, reply) : readOp(key, start, end, reply));
            }
        } finally {
            close(connection);
        }
    }

    List<Op> history() {
        return history;
    }

    int reconnects() {
        return reconnects;
    }

    private Op writeOp(String key, String value, long start, long end, Object reply) {
        if (reply instanceof RespClient.ErrorReply error) {
            return Op.write(id, key, value, start, end, Op.Outcome.FAILED, null, error.message());
        }
        if (reply instanceof List<?> fields && fields.size() == 2 && fields.get(0) instanceof Long stamp
                && fields.get(1) instanceof Long node) {
            return Op.write(id, key, value, start, end, Op.Outcome.OK, new Version(stamp, node.intValue()), null);
        }
        return Op.write(id, key, value, start, end, Op.Outcome.INDETERMINATE, null, "unexpected reply " + reply);
    }

    private Op readOp(String key, long start, long end, Object reply) {
        return parseRead(id, key, start, end, reply);
    }

    /** A read op from a {@code DKV.GET} reply: {@code [value, stamp, node]}, or an error. */
    static Op parseRead(int client, String key, long start, long end, Object reply) {
        if (reply instanceof RespClient.ErrorReply error) {
            return Op.read(client, key, start, end, Op.Outcome.FAILED, null, null, error.message());
        }
        if (reply instanceof List<?> fields && fields.size() == 3) {
            String value = fields.get(0) == null ? null : Endpoint.text(fields.get(0));
            Version version = fields.get(1) instanceof Long stamp && fields.get(2) instanceof Long node
                    ? new Version(stamp, node.intValue()) : null;
            return Op.read(client, key, start, end, Op.Outcome.OK, value, version, null);
        }
        return Op.read(client, key, start, end, Op.Outcome.FAILED, null, null, "unexpected reply " + reply);
    }

    private static void sleepUntil(long due) {
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void close(RespClient connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException e) {
                // Closing a broken connection: nothing to do.
            }
        }
    }
}
