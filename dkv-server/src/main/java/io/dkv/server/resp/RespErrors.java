package io.dkv.server.resp;

import io.dkv.core.DkvException;
import io.dkv.core.LimitExceededException;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.core.StorageFullException;
import io.dkv.core.WrongTypeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionException;

/**
 * The one place that turns dkv's errors into Redis error replies. The first word is the
 * error code clients switch on:
 * <ul>
 *   <li>{@code NOREPLICAS}: not enough replicas answered (retry, or lower the consistency);</li>
 *   <li>{@code OOM}: a node's storage is full (including replicas that refused for that reason);</li>
 *   <li>{@code NOAUTH}, {@code WRONGPASS}, {@code NOPERM}: authentication and ACLs, with Redis 7.2's texts;</li>
 *   <li>{@code ERR}: anything else, including limits and bad arguments.</li>
 * </ul>
 */
final class RespErrors {

    private static final Logger log = LoggerFactory.getLogger(RespErrors.class);

    private RespErrors() {
    }

    static RespReply of(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof NotEnoughReplicasException notEnough) {
            return RespReply.error((notEnough.storageFull() ? "OOM " : "NOREPLICAS ") + cause.getMessage());
        }
        if (cause instanceof WrongTypeException) {
            return RespReply.error("WRONGTYPE " + cause.getMessage());
        }
        if (cause instanceof StorageFullException) {
            return RespReply.error("OOM " + cause.getMessage());
        }
        if (cause instanceof LimitExceededException || cause instanceof DkvException
                || cause instanceof IllegalArgumentException) {
            return RespReply.error("ERR " + cause.getMessage());
        }
        log.error("unexpected error serving a client", cause);
        return RespReply.error("ERR internal error: " + cause);
    }

    static RespReply wrongArity(String command) {
        return RespReply.error("ERR wrong number of arguments for '" + command.toLowerCase() + "' command");
    }

    static RespReply noAuth() {
        return RespReply.error("NOAUTH Authentication required.");
    }

    static RespReply wrongPass() {
        return RespReply.error("WRONGPASS invalid username-password pair or user is disabled.");
    }

    /** {@code command} in lower case, {@code acl|whoami} for a subcommand. */
    static RespReply noPermission(String user, String command) {
        return RespReply.error("NOPERM User " + user + " has no permissions to run the '" + command + "' command");
    }

    static RespReply noKeyPermission() {
        return RespReply.error("NOPERM No permissions to access a key");
    }

    static RespReply syntax() {
        return RespReply.error("ERR syntax error");
    }

    static RespReply unknownCommand(RespCommand command) {
        StringBuilder text = new StringBuilder("ERR unknown command '").append(command.argString(0))
                .append("', with args beginning with:");
        for (int i = 1; i < Math.min(command.argCount(), 4); i++) {
            String arg = command.argString(i);
            text.append(" '").append(arg.length() > 128 ? arg.substring(0, 128) : arg).append('\'');
        }
        return RespReply.error(text.toString());
    }
}
