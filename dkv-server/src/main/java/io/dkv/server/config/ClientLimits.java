package io.dkv.server.config;

import io.dkv.core.InvalidConfigException;

/**
 * How much one node lets its clients hold, in connections, bytes and keys. The names are
 * Redis's where Redis has the setting; docs/ARCHITECTURE.md "Limits and bad input" says what
 * happens at each limit.
 *
 * @param maxClients          {@code maxclients}: connections beyond this are refused with
 *                            {@code -ERR max number of clients reached}
 * @param timeoutSeconds      {@code timeout}: a client that sends nothing for this long while
 *                            nothing is pending for it is closed; 0 = never
 * @param inputBudgetBytes    {@code client-input-budget-bytes}: bytes of commands read from one
 *                            client and not yet answered above which the node stops reading from
 *                            it, until the answers catch up
 * @param outputLimitBytes    the hard limit of {@code client-output-buffer-limit}: a client whose
 *                            unread replies pass it is disconnected; 0 = no limit
 * @param maxMemoryClients    {@code maxmemory-clients}: bytes all clients of the node may hold
 *                            together (input being decoded, unanswered commands, unsent replies);
 *                            past it the client holding the most is disconnected; 0 = no limit
 * @param maxKeysPerCommand   {@code max-keys-per-command}: MGET, MSET, DEL and EXISTS with more
 *                            keys are refused
 */
public record ClientLimits(int maxClients, long timeoutSeconds, long inputBudgetBytes, long outputLimitBytes,
                           long maxMemoryClients, int maxKeysPerCommand) {

    public static final int DEFAULT_MAX_CLIENTS = 10_000;
    public static final long DEFAULT_INPUT_BUDGET_BYTES = 32L << 20;
    public static final long DEFAULT_OUTPUT_LIMIT_BYTES = 64L << 20;
    /** The default {@code maxmemory-clients}, as a percentage of the JVM heap (shared among the process's nodes). */
    public static final int DEFAULT_MAX_MEMORY_CLIENTS_PERCENT = 10;
    public static final int DEFAULT_MAX_KEYS_PER_COMMAND = 10_000;

    public ClientLimits {
        require(maxClients >= 1, "maxclients (" + maxClients + ") must be at least 1");
        require(timeoutSeconds >= 0, "timeout (" + timeoutSeconds + ") must be 0 (off) or more seconds");
        require(inputBudgetBytes >= 1, "client-input-budget-bytes (" + inputBudgetBytes + ") must be at least 1");
        require(outputLimitBytes >= 0, "client-output-buffer-limit (" + outputLimitBytes + ") must be 0 (off) or more bytes");
        require(maxMemoryClients >= 0, "maxmemory-clients (" + maxMemoryClients + ") must be 0 (off) or more bytes");
        require(maxKeysPerCommand >= 1, "max-keys-per-command (" + maxKeysPerCommand + ") must be at least 1");
    }

    /** No limits but the defaults for connections and keys: for tests of other things. */
    public static ClientLimits defaults(long maxMemoryClients) {
        return new ClientLimits(DEFAULT_MAX_CLIENTS, 0, DEFAULT_INPUT_BUDGET_BYTES, DEFAULT_OUTPUT_LIMIT_BYTES,
                maxMemoryClients, DEFAULT_MAX_KEYS_PER_COMMAND);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new InvalidConfigException(message);
        }
    }
}
