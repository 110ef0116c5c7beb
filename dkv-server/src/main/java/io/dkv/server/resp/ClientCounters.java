package io.dkv.server.resp;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one node's client traffic, for INFO and status displays. Thread-safe.
 */
public final class ClientCounters {

    private final long startedAtMillis = System.currentTimeMillis();
    private final LongAdder connectionsReceived = new LongAdder();
    private final LongAdder commandsProcessed = new LongAdder();
    private final LongAdder errorReplies = new LongAdder();
    private final LongAdder keyspaceHits = new LongAdder();
    private final LongAdder keyspaceMisses = new LongAdder();
    private final ConcurrentHashMap<Long, ClientSession> clients = new ConcurrentHashMap<>();
    private final AtomicLong nextClientId = new AtomicLong(1);
    private volatile long lastSampleCommands;
    private volatile long lastSampleNanos = System.nanoTime();
    private volatile double opsPerSecond;

    long startedAtMillis() {
        return startedAtMillis;
    }

    long nextClientId() {
        return nextClientId.getAndIncrement();
    }

    void connected(ClientSession session) {
        connectionsReceived.increment();
        clients.put(session.id(), session);
    }

    void disconnected(ClientSession session) {
        clients.remove(session.id());
    }

    Iterable<ClientSession> clients() {
        return clients.values();
    }

    public int connectedClients() {
        return clients.size();
    }

    public long connectionsReceived() {
        return connectionsReceived.sum();
    }

    void commandProcessed() {
        commandsProcessed.increment();
    }

    public long commandsProcessed() {
        return commandsProcessed.sum();
    }

    void errorReplied() {
        errorReplies.increment();
    }

    public long errorReplies() {
        return errorReplies.sum();
    }

    void hit() {
        keyspaceHits.increment();
    }

    void miss() {
        keyspaceMisses.increment();
    }

    public long keyspaceHits() {
        return keyspaceHits.sum();
    }

    public long keyspaceMisses() {
        return keyspaceMisses.sum();
    }

    /** Recomputes commands per second since the previous sample; called about once a second. */
    public void sample() {
        long now = System.nanoTime();
        long commands = commandsProcessed.sum();
        double seconds = (now - lastSampleNanos) / 1e9;
        if (seconds > 0) {
            opsPerSecond = (commands - lastSampleCommands) / seconds;
        }
        lastSampleNanos = now;
        lastSampleCommands = commands;
    }

    /** Commands per second over the last sampling interval. */
    public double opsPerSecond() {
        return opsPerSecond;
    }
}
