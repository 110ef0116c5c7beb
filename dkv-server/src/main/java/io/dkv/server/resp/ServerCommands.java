package io.dkv.server.resp;

import io.dkv.core.version.HybridLogicalClock;
import io.dkv.server.acl.CommandAcl;
import io.dkv.server.acl.ProtectedMode;
import io.dkv.cluster.config.ClusterConfig;
import io.dkv.server.config.ClientLimits;
import io.dkv.cluster.ClusterNode;
import io.dkv.cluster.NodeStatus;
import io.dkv.server.config.StorageSettings;
import io.dkv.server.storage.Backup;
import io.dkv.server.storage.Persistence;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static io.dkv.server.resp.Futures.done;

/** Introspection: INFO, TIME, COMMAND, CONFIG GET. */
final class ServerCommands {

    private static final List<String> INFO_SECTIONS =
            List.of("server", "clients", "memory", "persistence", "stats", "replication", "keyspace", "dkv");

    private static final CommandAcl CONFIG_ACL = CommandAcl.of("@slow")
            .sub("GET", "@admin @slow @dangerous").sub("SET", "@admin @slow @dangerous")
            .sub("RESETSTAT", "@admin @slow @dangerous").sub("REWRITE", "@admin @slow @dangerous");

    private final ClusterNode node;
    private final ServerInfo info;
    private final ClientCounters stats;
    private final CommandTable table;
    private final Persistence persistence;
    private final Map<String, Supplier<String>> configParameters = new LinkedHashMap<>();

    private ServerCommands(ClusterNode node, ServerInfo info, ClientCounters stats, CommandTable table,
                           Persistence persistence, ClientLimits clients) {
        this.node = node;
        this.persistence = persistence;
        this.info = info;
        this.stats = stats;
        this.table = table;
        ClusterConfig config = node.config();
        configParameters.put("bind", info::host);
        configParameters.put("port", () -> String.valueOf(info.respPort()));
        configParameters.put("tls-port", () -> String.valueOf(info.tlsPort()));
        configParameters.put("databases", () -> "1");
        configParameters.put("save", () -> "");
        configParameters.put("appendonly", () -> persistence.status().kind() == StorageSettings.Kind.ROCKSDB ? "yes" : "no");
        configParameters.put("maxmemory", () -> String.valueOf(config.memoryLimitBytes() == Long.MAX_VALUE ? 0 : config.memoryLimitBytes()));
        configParameters.put("maxclients", () -> String.valueOf(clients.maxClients()));
        configParameters.put("timeout", () -> String.valueOf(clients.timeoutSeconds()));
        configParameters.put("client-output-buffer-limit", () -> "normal " + clients.outputLimitBytes() + " 0 0");
        configParameters.put("maxmemory-clients", () -> String.valueOf(clients.maxMemoryClients()));
        configParameters.put("proto-max-bulk-len", () -> String.valueOf(Math.max(config.maxKeyBytes(), config.maxValueBytes())));
        configParameters.put("dkv-node", () -> node.id().toString());
        configParameters.put("dkv-nodes", () -> String.valueOf(config.nodes()));
        configParameters.put("dkv-replicas", () -> String.valueOf(config.replicas()));
        configParameters.put("dkv-read-consistency", () -> config.readConsistency().name());
        configParameters.put("dkv-write-consistency", () -> config.writeConsistency().name());
        configParameters.put("dkv-replica-timeout-ms", () -> String.valueOf(config.replicaTimeoutMillis()));
        configParameters.put("dkv-max-key-bytes", () -> String.valueOf(config.maxKeyBytes()));
        configParameters.put("dkv-max-value-bytes", () -> String.valueOf(config.maxValueBytes()));
    }

    static void register(CommandTable table, ClusterNode node, ServerInfo info, ClientCounters stats,
                         Persistence persistence, ClientLimits clients) {
        ServerCommands commands = new ServerCommands(node, info, stats, table, persistence, clients);
        table.add(new CommandSpec("INFO", -1, List.of("loading", "stale"), 0, 0, 0, "server",
                "Reports the server, clients, memory, stats, replication, keyspace and dkv sections.",
                CommandAcl.of("@slow @dangerous"), commands::info));
        table.add(new CommandSpec("TIME", 1, List.of("fast"), 0, 0, 0, "server",
                "Returns the server's time as seconds and microseconds.", CommandAcl.of("@fast"), commands::time));
        table.add(new CommandSpec("COMMAND", -1, List.of("loading", "stale"), 0, 0, 0, "server",
                "Describes the commands this server knows (COUNT, DOCS, INFO, LIST).",
                CommandAcl.of("@slow @connection"), commands::command));
        table.add(new CommandSpec("CONFIG", -2, List.of("admin"), 0, 0, 0, "server",
                "CONFIG GET reports settings; settings change only at start-up.", CONFIG_ACL, commands::config));
    }

    private CompletableFuture<RespReply> time(ClientSession session, RespCommand command) {
        long micros = System.currentTimeMillis() * 1000;
        return done(RespReply.bulkArray(List.of(String.valueOf(micros / 1_000_000), String.valueOf(micros % 1_000_000))));
    }

    private CompletableFuture<RespReply> info(ClientSession session, RespCommand command) {
        List<String> wanted = new ArrayList<>();
        for (int i = 1; i < command.argCount(); i++) {
            String section = command.argString(i).toLowerCase(Locale.ROOT);
            if (section.equals("all") || section.equals("everything") || section.equals("default")) {
                wanted.addAll(INFO_SECTIONS);
            } else {
                wanted.add(section);
            }
        }
        if (wanted.isEmpty()) {
            wanted.addAll(INFO_SECTIONS);
        }
        StringBuilder text = new StringBuilder();
        for (String section : INFO_SECTIONS) {
            if (wanted.contains(section)) {
                if (!text.isEmpty()) {
                    text.append("\r\n");
                }
                appendSection(section, text);
            }
        }
        return done(RespReply.bulk(text.toString()));
    }

    private void appendSection(String section, StringBuilder text) {
        NodeStatus status = node.status();
        ClusterConfig config = status.config();
        Map<String, Object> fields = new LinkedHashMap<>();
        switch (section) {
            case "server" -> {
                long uptimeSeconds = (System.currentTimeMillis() - stats.startedAtMillis()) / 1000;
                fields.put("redis_version", ServerInfo.REDIS_COMPATIBLE_VERSION);
                fields.put("dkv_version", info.version());
                fields.put("redis_mode", "standalone");
                fields.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
                fields.put("arch_bits", System.getProperty("sun.arch.data.model", "64"));
                fields.put("process_id", ProcessHandle.current().pid());
                fields.put("java_version", System.getProperty("java.version"));
                fields.put("tcp_port", info.respPort());
                fields.put("uptime_in_seconds", uptimeSeconds);
                fields.put("uptime_in_days", uptimeSeconds / 86_400);
            }
            case "clients" -> {
                fields.put("connected_clients", stats.connectedClients());
                fields.put("blocked_clients", 0); // no blocking commands; tools such as redis-cli --stat read it
            }
            case "memory" -> {
                fields.put("used_memory", status.storedBytes());
                fields.put("used_memory_human", humanBytes(status.storedBytes()));
                fields.put("maxmemory", config.memoryLimitBytes() == Long.MAX_VALUE ? 0 : config.memoryLimitBytes());
                fields.put("jvm_heap_used", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                fields.put("jvm_heap_max", Runtime.getRuntime().maxMemory());
            }
            case "persistence" -> persistenceFields(fields);
            case "stats" -> {
                fields.put("total_connections_received", stats.connectionsReceived());
                fields.put("total_commands_processed", stats.commandsProcessed());
                fields.put("instantaneous_ops_per_sec", Math.round(stats.opsPerSecond()));
                fields.put("total_error_replies", stats.errorReplies());
                fields.put("keyspace_hits", stats.keyspaceHits());
                fields.put("keyspace_misses", stats.keyspaceMisses());
            }
            case "replication" -> {
                fields.put("role", "master");
                fields.put("connected_slaves", 0);
            }
            case "keyspace" -> {
                if (status.storedKeys() > 0) {
                    fields.put("db0", "keys=" + status.storedKeys() + ",expires=0,avg_ttl=0");
                }
            }
            case "dkv" -> {
                fields.put("node", node.id());
                fields.put("nodes", config.nodes());
                fields.put("replicas", config.replicas());
                fields.put("partitions", status.ring().partitionCount());
                fields.put("read_consistency", config.readConsistency());
                fields.put("write_consistency", config.writeConsistency());
                fields.put("stored_keys", status.storedKeys());
                fields.put("stored_tombstones", status.storedTombstones());
                fields.put("recovering", status.recovering() ? 1 : 0);
                fields.put("merkle_trees_built", status.merkleTreesBuilt());
                fields.put("merkle_trees_build_ms", status.merkleTreesBuiltInMillis());
                fields.put("merkle_tree_bytes", status.merkleTreeBytes());
                fields.put("ring_epoch", node.rings().epoch());
                fields.put("ring_moving", node.rings().state().moving() ? 1 : 0);
                fields.put("streamed_partitions", status.counters().streamedPartitions.sum());
                fields.put("streamed_bytes", status.counters().streamedBytes.sum());
                fields.put("stale_ring_retries", status.counters().staleRingRetries.sum());
                fields.put("partition_entries_dropped", status.counters().partitionEntriesDropped.sum());
                fields.put("hints_redirected", status.counters().hintsRedirected.sum());
                fields.put("clock_skew_refusals", status.counters().clockSkewRefusals.sum());
                fields.put("clock_skew_last_writer", status.counters().lastSkewedWriter == 0 ? "none" : "n" + status.counters().lastSkewedWriter);
                fields.put("flushall_mark_ms", node.truncationMark().isNone() ? 0
                        : HybridLogicalClock.physicalMillis(node.truncationMark().stamp()));
                fields.put("flushall_mark_learnt", node.servesClients() ? 1 : 0);
                fields.put("internode_port", info.internodePort());
                fields.put("http_port", info.httpPort());
                fields.put("tls_port", info.tlsPort());
                fields.put("peer_auth", info.peerAuth());
                fields.put("password_required", table.access().users().passwordRequired() ? 1 : 0);
                fields.put("protected_mode_warning", ProtectedMode.exposed(info.host(), table.access().users()) ? 1 : 0);
            }
            default -> {
                return;
            }
        }
        text.append("# ").append(Character.toUpperCase(section.charAt(0))).append(section.substring(1)).append("\r\n");
        fields.forEach((key, value) -> text.append(key).append(':').append(value).append("\r\n"));
    }

    /**
     * Redis's persistence fields mapped onto dkv's storage, for the monitoring tools that read
     * them: RocksDB's write-ahead log is the append-only file (aof_enabled:1, and
     * aof_last_write_status:err while writes fail), a backup is a save (rdb_*: the last backup
     * this process took; with none, rdb_last_save_time is the start time, as in Redis). A node
     * serves once its storage is open, so loading is always 0. The dkv_* fields say the rest.
     */
    private void persistenceFields(Map<String, Object> fields) {
        Persistence.Status status = persistence.status();
        boolean durable = status.kind() == StorageSettings.Kind.ROCKSDB;
        Backup backup = status.lastBackup();
        fields.put("loading", 0);
        fields.put("rdb_bgsave_in_progress", status.backupInProgress() ? 1 : 0);
        fields.put("rdb_last_save_time", (backup == null ? stats.startedAtMillis() : backup.takenAtMillis()) / 1000);
        fields.put("rdb_last_bgsave_status", "ok");
        fields.put("rdb_last_bgsave_time_sec", backup == null ? -1 : Math.round(backup.durationMillis() / 1000.0));
        fields.put("aof_enabled", durable ? 1 : 0);
        fields.put("aof_rewrite_in_progress", 0);
        fields.put("aof_last_write_status", status.writeProblem() == null ? "ok" : "err");
        fields.put("dkv_storage", status.kind().name().toLowerCase(Locale.ROOT));
        if (durable) {
            fields.put("dkv_sync", status.sync().name().toLowerCase(Locale.ROOT));
            fields.put("dkv_data_dir", status.dataDir());
            fields.put("dkv_last_backup_time", backup == null ? 0 : backup.takenAtMillis() / 1000);
            fields.put("dkv_last_backup_dir", backup == null ? "" : backup.dir());
            fields.put("dkv_restored_backup", status.restoredBackup() ? 1 : 0);
            fields.put("dkv_write_error", status.writeProblem() == null ? "" : status.writeProblem().replaceAll("[\\r\\n]", " "));
        }
    }

    /** Bytes the way Redis prints them in INFO: 1.02M, 512B. */
    static String humanBytes(long bytes) {
        String[] units = {"B", "K", "M", "G", "T", "P"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + "B" : String.format(Locale.ROOT, "%.2f%s", value, units[unit]);
    }

    private CompletableFuture<RespReply> command(ClientSession session, RespCommand command) {
        if (command.argCount() == 1) {
            return done(RespReply.array(sortedSpecs().stream().map(ServerCommands::describe).toList()));
        }
        String sub = command.keyword(1);
        switch (sub) {
            case "COUNT" -> {
                return done(RespReply.integer(table.all().size()));
            }
            case "LIST" -> {
                return done(RespReply.bulkArray(sortedSpecs().stream().map(s -> s.name().toLowerCase(Locale.ROOT)).toList()));
            }
            case "INFO" -> {
                List<RespReply> infos = new ArrayList<>();
                for (CommandSpec spec : requested(command)) {
                    infos.add(spec == null ? RespReply.NULL : describe(spec));
                }
                return done(RespReply.array(infos));
            }
            case "DOCS" -> {
                Map<String, Object> docs = new LinkedHashMap<>();
                for (CommandSpec spec : requested(command)) {
                    if (spec != null) {
                        Map<String, Object> doc = new LinkedHashMap<>();
                        doc.put("summary", spec.summary());
                        doc.put("since", "1.0.0");
                        doc.put("group", spec.group());
                        doc.put("complexity", spec.complexity() != null ? spec.complexity()
                                : spec.step() == 0 ? "O(1)" : "O(N) where N is the number of keys");
                        docs.put(spec.name().toLowerCase(Locale.ROOT), RespReply.map(doc));
                    }
                }
                return done(RespReply.map(docs));
            }
            default -> {
                return done(RespReply.error("ERR unknown subcommand '" + command.argString(1)
                        + "'. Try COMMAND COUNT, DOCS, INFO or LIST."));
            }
        }
    }

    /** The specs named after the subcommand, or all of them when none is named. */
    private List<CommandSpec> requested(RespCommand command) {
        if (command.argCount() == 2) {
            return sortedSpecs();
        }
        List<CommandSpec> specs = new ArrayList<>();
        for (int i = 2; i < command.argCount(); i++) {
            specs.add(table.find(command.keyword(i)));
        }
        return specs;
    }

    private List<CommandSpec> sortedSpecs() {
        return table.all().stream().sorted(Comparator.comparing(CommandSpec::name)).toList();
    }

    private static RespReply describe(CommandSpec spec) {
        List<RespReply> flags = spec.flags().stream().map(f -> (RespReply) new RespReply.Simple(f)).toList();
        List<RespReply> categories = spec.acl().categories().stream().sorted()
                .map(c -> (RespReply) new RespReply.Simple("@" + c.label())).toList();
        return RespReply.array(List.of(
                RespReply.bulk(spec.name().toLowerCase(Locale.ROOT)),
                RespReply.integer(spec.arity()),
                RespReply.array(flags),
                RespReply.integer(spec.firstKey()),
                RespReply.integer(spec.lastKey()),
                RespReply.integer(spec.step()),
                RespReply.array(categories),
                RespReply.EMPTY_ARRAY,
                RespReply.EMPTY_ARRAY,
                RespReply.EMPTY_ARRAY));
    }

    private CompletableFuture<RespReply> config(ClientSession session, RespCommand command) {
        String sub = command.keyword(1);
        if (sub.equals("GET")) {
            if (command.argCount() < 3) {
                return done(RespErrors.wrongArity("CONFIG|GET"));
            }
            Map<String, Object> matches = new LinkedHashMap<>();
            for (int i = 2; i < command.argCount(); i++) {
                Pattern pattern = glob(command.argString(i).toLowerCase(Locale.ROOT));
                configParameters.forEach((name, value) -> {
                    if (pattern.matcher(name).matches()) {
                        matches.put(name, value.get());
                    }
                });
            }
            return done(RespReply.map(matches));
        }
        if (sub.equals("SET") || sub.equals("RESETSTAT") || sub.equals("REWRITE")) {
            return done(RespReply.error("ERR CONFIG " + sub + " is not supported: dkv settings are fixed at start-up"
                    + " (see config/node.example.yaml)"));
        }
        return done(RespReply.error("ERR unknown subcommand '" + command.argString(1) + "'. Try CONFIG GET."));
    }

    /** A Redis glob (*, ?) as a regular expression. */
    private static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
