package io.dkv.server.resp;

import io.dkv.server.acl.CommandAcl;
import io.dkv.cluster.ClusterNode;
import io.dkv.cluster.coordinator.ReplicaView;
import io.dkv.cluster.membership.PeerState;
import io.dkv.cluster.membership.PeerStatus;
import io.dkv.cluster.rebalance.ChangeProgress;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.core.Consistency;
import io.dkv.core.NodeId;
import io.dkv.core.message.MoveStatus;
import io.dkv.core.message.NodeLoad;
import io.dkv.core.ring.Ring;
import io.dkv.core.WrongTypeException;
import io.dkv.core.hash.KeyType;
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
 *   <li>{@code DKV.RING} shows the ring this node routes by as field/value pairs: epoch,
 *       whether a change is under way, the nodes of the current and the next placement, the
 *       partitions each node replicates, and this node's own copying progress; during a
 *       change also {@code moving_ms} (how long this node has had the change's state) and
 *       {@code progress}, each gaining node's {@code [node, epoch, done, total, bytes]};</li>
 *   <li>{@code DKV.DECOMMISSION} takes this node out of the ring while it is up (its
 *       partitions are copied to the nodes that take them over); {@code DKV.REMOVENODE node}
 *       takes out a node that is gone for good. Both answer once the change's first state is
 *       committed, with its epoch; the change finishes when {@code DKV.RING} shows it no
 *       longer moving. {@code DKV.JOIN node host:port} lets a new node join (its internode
 *       address travels with the ring); a node started with {@code join:} sends it itself.
 *       {@code DKV.REPLACE old new host:port} has a new node take over exactly the partitions
 *       of one that is gone for good (sent by a node started with {@code replace:}).</li>
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
        table.add(new CommandSpec("DKV.RING", 1, List.of("readonly"), 0, 0, 0, "dkv",
                "The ring this node routes by: epoch, change under way, nodes, placements, copying progress.",
                CommandAcl.of("@admin @slow"), commands::ring));
        table.add(new CommandSpec("DKV.DECOMMISSION", 1, List.of("admin"), 0, 0, 0, "dkv",
                "Takes this node out of the ring: its partitions are copied to the nodes that take them over.",
                CommandAcl.of("@admin @slow @dangerous"), commands::decommission));
        table.add(new CommandSpec("DKV.JOIN", 3, List.of("admin"), 0, 0, 0, "dkv",
                "Lets a new node (id, internode host:port) join the ring: it takes its share of partitions.",
                CommandAcl.of("@admin @slow @dangerous"), commands::join));
        table.add(new CommandSpec("DKV.REPLACE", 4, List.of("admin"), 0, 0, 0, "dkv",
                "A new node (id, internode host:port) takes over the partitions of a node that is gone for good.",
                CommandAcl.of("@admin @slow @dangerous"), commands::replace));
        table.add(new CommandSpec("DKV.REMOVENODE", 2, List.of("admin"), 0, 0, 0, "dkv",
                "Takes a node that is gone for good out of the ring, copying its partitions from the other replicas.",
                CommandAcl.of("@admin @slow @dangerous"), commands::removeNode));
    }

    /** How long a ring command waits for the change's first state to be committed. */
    private static final long RING_CHANGE_BEGIN_MILLIS = 30_000;

    private CompletableFuture<RespReply> decommission(ClientSession session, RespCommand command) {
        return begin(node.decommission(node.id()));
    }

    private CompletableFuture<RespReply> join(ClientSession session, RespCommand command) {
        try {
            return begin(node.join(nodeArg(command, 1), addressArg(command, 2)));
        } catch (IllegalArgumentException e) {
            return done(RespReply.error("ERR " + e.getMessage()));
        }
    }

    private CompletableFuture<RespReply> replace(ClientSession session, RespCommand command) {
        try {
            return begin(node.replace(nodeArg(command, 1), nodeArg(command, 2), addressArg(command, 3)));
        } catch (IllegalArgumentException e) {
            return done(RespReply.error("ERR " + e.getMessage()));
        }
    }

    private CompletableFuture<RespReply> removeNode(ClientSession session, RespCommand command) {
        try {
            return begin(node.removeNode(nodeArg(command, 1)));
        } catch (IllegalArgumentException e) {
            return done(RespReply.error("ERR " + e.getMessage()));
        }
    }

    private static NodeId nodeArg(RespCommand command, int index) {
        return NodeId.parse(command.argString(index));
    }

    /** A node's internode address, {@code host:port}. */
    private static String addressArg(RespCommand command, int index) {
        String address = command.argString(index);
        if (address.lastIndexOf(':') <= 0) {
            throw new IllegalArgumentException("expected a node's internode address as host:port, got '" + address + "'");
        }
        return address;
    }

    /** Answers with the epoch of the change's first state once it is committed, or the change's error. */
    private CompletableFuture<RespReply> begin(CompletableFuture<RingState> change) {
        long from = node.rings().epoch();
        CompletableFuture<RingState> begun = node.rings().awaitEpoch(from + 1, RING_CHANGE_BEGIN_MILLIS);
        return CompletableFuture.anyOf(change, begun).handle((first, error) -> {
            if (change.isCompletedExceptionally()) {
                return RespErrors.of(change.handle((ok, failure) -> failure).join());
            }
            if (error != null && !change.isDone()) {
                return RespReply.error("ERR the ring change was not committed within " + RING_CHANGE_BEGIN_MILLIS
                        + " ms: " + error.getMessage());
            }
            return RespReply.bulkArray(List.of("epoch", String.valueOf(node.rings().epoch())));
        });
    }

    private CompletableFuture<RespReply> ring(ClientSession session, RespCommand command) {
        RingState state = node.rings().state();
        MoveStatus own = node.moveStatus();
        List<RespReply> fields = new ArrayList<>();
        fields.add(RespReply.bulk("epoch"));
        fields.add(RespReply.integer(state.epoch()));
        fields.add(RespReply.bulk("moving"));
        fields.add(RespReply.integer(state.moving() ? 1 : 0));
        fields.add(RespReply.bulk("partitions"));
        fields.add(RespReply.integer(state.current().partitionCount()));
        fields.add(RespReply.bulk("replicas"));
        fields.add(RespReply.integer(state.current().replicaCount()));
        fields.add(RespReply.bulk("nodes"));
        fields.add(placements(state.current()));
        fields.add(RespReply.bulk("next"));
        fields.add(state.next() == null ? RespReply.array(List.of()) : placements(state.next()));
        fields.add(RespReply.bulk("copying"));
        fields.add(RespReply.bulkArray(List.of(String.valueOf(own.epoch()), String.valueOf(own.partitionsDone()),
                String.valueOf(own.partitionsTotal()), String.valueOf(own.bytes()))));
        if (!state.moving()) {
            return done(RespReply.array(fields));
        }
        return node.changeProgress().thenApply(progress -> {
            fields.add(RespReply.bulk("moving_ms"));
            fields.add(RespReply.integer(progress.inForceMillis()));
            fields.add(RespReply.bulk("progress"));
            fields.add(progressRows(progress));
            return RespReply.array(fields);
        });
    }

    /**
     * Each node that gains partitions in the change, as {@code [node, epoch, done, total,
     * bytes]} (epoch, done, total and bytes as that node reports them; all "?" when it did
     * not answer).
     */
    private static RespReply progressRows(ChangeProgress.Snapshot progress) {
        List<RespReply> rows = new ArrayList<>();
        for (NodeId gaining : progress.state().gaining()) {
            MoveStatus status = progress.gaining().get(gaining);
            rows.add(RespReply.bulkArray(status == null ? List.of(gaining.toString(), "?", "?", "?", "?")
                    : List.of(gaining.toString(), String.valueOf(status.epoch()), String.valueOf(status.partitionsDone()),
                    String.valueOf(status.partitionsTotal()), String.valueOf(status.bytes()))));
        }
        return RespReply.array(rows);
    }

    /** Each node of the placement with the number of partitions it replicates, as {@code [node, count]}. */
    private static RespReply placements(Ring ring) {
        List<RespReply> rows = new ArrayList<>();
        for (NodeId member : ring.nodes()) {
            rows.add(RespReply.bulkArray(List.of(member.toString(),
                    String.valueOf(ring.partitionsReplicatedBy(member).length))));
        }
        return RespReply.array(rows);
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
            if (node.typeOf(entry) == KeyType.HASH) {
                throw new WrongTypeException();
            }
            Version version = entry.version();
            // A string a later hash's fields hide (all deleted since) is not a value.
            return RespReply.array(List.of(RespReply.bulkOrNull(node.typeOf(entry) == KeyType.STRING ? entry.value() : null),
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
                        : view.entry() == null ? "" : view.entry().isTombstone() ? "deleted"
                        : !view.entry().fields().isEmpty() ? view.entry().fields().liveCount() + " fields, "
                                + view.entry().fields().sizeBytes() + " bytes"
                        : view.entry().value().length + " bytes";
                rows.add(RespReply.bulkArray(List.of(view.node().toString(), view.up() ? "up" : "down", state, detail)));
            }
            return RespReply.array(rows);
        });
    }
}
