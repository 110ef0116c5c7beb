package io.dkv.server.resp;

import io.dkv.server.acl.CommandAcl;
import io.dkv.cluster.ClusterNode;
import io.dkv.cluster.coordinator.ReplicaView;
import io.dkv.cluster.membership.PeerState;
import io.dkv.cluster.membership.PeerStatus;
import io.dkv.core.Consistency;
import io.dkv.core.NodeId;
import io.dkv.core.message.NodeLoad;
import io.dkv.core.version.Version;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.dkv.server.resp.Futures.done;

/**
 * dkv's own commands, named in the dotted style Redis modules use:
 * <ul>
 *   <li>{@code DKV.CONSISTENCY} shows this connection's levels; {@code DKV.CONSISTENCY level}
 *       sets both; {@code DKV.CONSISTENCY READ|WRITE level} sets one;</li>
 *   <li>{@code DKV.REPLICAS key} lists the key's replicas, each as
 *       {@code [node, up|down, version|missing|unreachable, detail]};</li>
 *   <li>{@code DKV.PUT key value} writes like {@code SET} and answers the version the write
 *       was stamped with, as {@code [stamp, node]};</li>
 *   <li>{@code DKV.GET key} reads like {@code GET} and answers the entry with its version, as
 *       {@code [value, stamp, node]}: a tombstone has a nil value, an absent key three nils
 *       ({@code dkv check} judges histories by these versions);</li>
 *   <li>{@code DKV.STATUS} lists every node as this one sees it (state up, suspect, down or
 *       recovering: up but not voting yet), each as {@code [node, state,
 *       phi, heartbeat-age-ms, ops/s, p99-ms, keys, hints it keeps, hints kept here for it]}.</li>
 * </ul>
 */
final class DkvCommands {

    private final ClusterNode node;

    private DkvCommands(ClusterNode node) {
        this.node = node;
    }

    static void register(CommandTable table, ClusterNode node) {
        DkvCommands commands = new DkvCommands(node);
        table.add(new CommandSpec("DKV.CONSISTENCY", -1, List.of("fast"), 0, 0, 0, "dkv",
                "Shows or sets this connection's read and write consistency (ONE, QUORUM, ALL).",
                CommandAcl.of("@fast @connection"), commands::consistency));
        table.add(new CommandSpec("DKV.REPLICAS", 2, List.of("readonly"), 1, 1, 1, "dkv",
                "Lists the key's replicas and the version each one holds.",
                CommandAcl.of("@read @slow"), commands::replicas));
        table.add(new CommandSpec("DKV.STATUS", 1, List.of("readonly"), 0, 0, 0, "dkv",
                "Every node as this node sees it: state, phi, heartbeat age, ops/s, p99, keys, hints.",
                CommandAcl.of("@admin @slow"), commands::status));
        table.add(new CommandSpec("DKV.PUT", 3, List.of("write", "denyoom"), 1, 1, 1, "dkv",
                "Sets the value of a key like SET; answers the write's version as [stamp, node].",
                CommandAcl.of("@write @slow"), commands::put));
        table.add(new CommandSpec("DKV.GET", 2, List.of("readonly", "fast"), 1, 1, 1, "dkv",
                "Reads a key like GET; answers [value, stamp, node] (nil value for a delete, all nil when absent).",
                CommandAcl.of("@read @fast"), commands::get));
    }

    private CompletableFuture<RespReply> put(ClientSession session, RespCommand command) {
        return node.put(command.arg(1), command.arg(2), session.writeConsistency()).thenApply(result -> {
            Version version = result.version();
            return RespReply.array(List.of(RespReply.integer(version.stamp()), RespReply.integer(version.node())));
        });
    }

    private CompletableFuture<RespReply> get(ClientSession session, RespCommand command) {
        return node.read(command.arg(1), session.readConsistency()).thenApply(entry -> {
            if (entry == null) {
                return RespReply.array(List.of(RespReply.NULL, RespReply.NULL, RespReply.NULL));
            }
            Version version = entry.version();
            return RespReply.array(List.of(RespReply.bulkOrNull(entry.value()),
                    RespReply.integer(version.stamp()), RespReply.integer(version.node())));
        });
    }

    private CompletableFuture<RespReply> consistency(ClientSession session, RespCommand command) {
        switch (command.argCount()) {
            case 1 -> {
            }
            case 2 -> {
                Consistency level = Consistency.parse(command.argString(1));
                session.readConsistency(level);
                session.writeConsistency(level);
            }
            case 3 -> {
                Consistency level = Consistency.parse(command.argString(2));
                switch (command.keyword(1)) {
                    case "READ" -> session.readConsistency(level);
                    case "WRITE" -> session.writeConsistency(level);
                    default -> {
                        return done(RespReply.error("ERR expected READ or WRITE, got '" + command.argString(1) + "'"));
                    }
                }
            }
            default -> {
                return done(RespErrors.wrongArity("DKV.CONSISTENCY"));
            }
        }
        return done(RespReply.bulkArray(List.of("read", session.readConsistency().name(),
                "write", session.writeConsistency().name())));
    }

    private CompletableFuture<RespReply> status(ClientSession session, RespCommand command) {
        Map<NodeId, Integer> hintsHere = node.status().hintsByTarget();
        return node.peerStatuses().thenApply(statuses -> {
            List<RespReply> rows = new ArrayList<>();
            for (PeerStatus status : statuses) {
                NodeLoad load = status.load();
                boolean recovering = status.node().equals(node.id()) ? node.isRecovering() : load.recovering();
                String state = status.state() != PeerState.DOWN && recovering
                        ? "recovering" : status.state().name().toLowerCase(Locale.ROOT);
                rows.add(RespReply.bulkArray(List.of(
                        status.node().toString(),
                        state,
                        String.format(Locale.ROOT, "%.1f", Math.max(0, Math.min(status.phi(), 999.9))),
                        String.valueOf(status.lastHeardMillis()),
                        String.valueOf(load.opsPerSecond()),
                        String.format(Locale.ROOT, "%.2f", load.p99Micros() / 1000.0),
                        String.valueOf(load.keys()),
                        String.valueOf(load.hints()),
                        String.valueOf(hintsHere.getOrDefault(status.node(), 0)))));
            }
            return RespReply.array(rows);
        });
    }

    private CompletableFuture<RespReply> replicas(ClientSession session, RespCommand command) {
        return node.inspect(command.arg(1)).thenApply(views -> {
            List<RespReply> rows = new ArrayList<>();
            for (ReplicaView view : views) {
                String state = view.error() != null ? "unreachable" : view.entry() == null ? "missing" : view.entry().version().toString();
                String detail = view.error() != null ? view.error()
                        : view.entry() == null ? "" : view.entry().isTombstone() ? "deleted" : view.entry().value().length + " bytes";
                rows.add(RespReply.bulkArray(List.of(view.node().toString(), view.up() ? "up" : "down", state, detail)));
            }
            return RespReply.array(rows);
        });
    }
}
