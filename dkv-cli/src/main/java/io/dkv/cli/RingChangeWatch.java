package io.dkv.cli;

import io.dkv.cli.client.RespClient;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Starts a ring change on a node ({@code DKV.DECOMMISSION}, {@code DKV.REMOVENODE}) and
 * follows it through {@code DKV.RING} until it is finished, printing each step; and reads
 * {@code DKV.RING} for the commands that follow a change their own way ({@code dkv cluster
 * add/remove}).
 */
public final class RingChangeWatch {

    private static final long POLL_MILLIS = 500;
    /** How often a change being followed prints its progress: every 10 s. */
    private static final int PROGRESS_EVERY_POLLS = 20;

    private RingChangeWatch() {
    }

    /**
     * Sends {@code command}, then waits until the ring it started no longer moves.
     *
     * @return the exit code
     */
    public static int run(RespClient client, PrintStream out, long waitSeconds, String... command) throws IOException {
        Object reply = client.call(command);
        if (ClientCall.isError(reply)) {
            return ClientCall.failWith(reply);
        }
        long begun = Long.parseLong(text(((List<?>) reply).get(1)));
        ClientCall.println(out, "ring epoch " + begun + " committed: partitions are being copied");
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        String last = "";
        int polls = 0;
        while (System.nanoTime() < deadline) {
            Map<String, Object> ring = fields(client.call("DKV.RING"));
            long epoch = (Long) ring.get("epoch");
            boolean moving = (Long) ring.get("moving") == 1;
            // A state that moves nothing at the epoch begun is a change abandoned at once
            // (DKV.REMOVENODE of a node that was joining): it is finished too.
            if (epoch >= begun && !moving) {
                ClientCall.println(out, "ring epoch " + epoch + " committed: the change is finished; nodes "
                        + placements((List<?>) ring.get("nodes")));
                return ClientCall.OK;
            }
            if (epoch > begun + 1) {
                return ClientCall.fail("the ring moved on to epoch " + epoch + " with another change");
            }
            String now = "epoch " + epoch + (moving ? ", moving to " + placements((List<?>) ring.get("next")) : "");
            if (!now.equals(last)) {
                ClientCall.println(out, now);
                last = now;
            }
            if (moving && ++polls % PROGRESS_EVERY_POLLS == 0) {
                for (String line : changeLines(ring)) {
                    ClientCall.println(out, "  " + line);
                }
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ClientCall.fail("interrupted");
            }
        }
        return ClientCall.fail("the change did not finish within " + waitSeconds + " s; it goes on: watch DKV.RING");
    }

    /**
     * For {@code dkv status}: a line with the ring's epoch and nodes and, during a change,
     * where it moves; then a line per node that joins or leaves, with what each gaining node
     * has copied, and the change's copy rate so far.
     */
    static void printRing(PrintStream out, Object reply) throws IOException {
        if (ClientCall.isError(reply)) {
            return;
        }
        Map<String, Object> ring = fields(reply);
        String line = "ring epoch " + ring.get("epoch") + ": " + placements((List<?>) ring.get("nodes"));
        boolean moving = (Long) ring.get("moving") == 1;
        if (moving) {
            line += "; moving to " + placements((List<?>) ring.get("next"));
        }
        ClientCall.println(out, line + "  [node (partitions it replicates)]");
        if (moving) {
            for (String row : changeLines(ring)) {
                ClientCall.println(out, "  " + row);
            }
        }
    }

    /**
     * During a change: each node that joins or leaves, each node that gains partitions with
     * what it has copied (from {@code progress}), and the copy rate over {@code moving_ms}.
     */
    static List<String> changeLines(Map<String, Object> ring) {
        List<String> current = ids((List<?>) ring.get("nodes"));
        List<String> next = ids((List<?>) ring.get("next"));
        Map<String, List<?>> progress = new HashMap<>();
        Object rows = ring.get("progress");
        if (rows instanceof List<?> list) {
            for (Object row : list) {
                List<?> fields = (List<?>) row;
                progress.put(text(fields.get(0)), fields);
            }
        }
        long epoch = (Long) ring.get("epoch");
        List<String> lines = new ArrayList<>();
        long bytes = 0;
        List<String> everyone = new ArrayList<>(current);
        for (String node : next) {
            if (!everyone.contains(node)) {
                everyone.add(node);
            }
        }
        for (String node : everyone) {
            String role = !current.contains(node) ? "joining" : !next.contains(node) ? "leaving" : null;
            List<?> copied = progress.get(node);
            if (role == null && copied == null) {
                continue;
            }
            String line = node + " " + (role == null ? "takes partitions" : role);
            if (copied != null) {
                if ("?".equals(text(copied.get(1)))) {
                    line += ": did not answer";
                } else if (Long.parseLong(text(copied.get(1))) != epoch) {
                    line += ": not at epoch " + epoch + " yet";
                } else {
                    long nodeBytes = Long.parseLong(text(copied.get(4)));
                    bytes += nodeBytes;
                    line += ": copied " + text(copied.get(2)) + " of " + text(copied.get(3)) + " partitions, "
                            + megabytes(nodeBytes);
                }
            }
            lines.add(line);
        }
        Object millis = ring.get("moving_ms");
        if (millis instanceof Long elapsed && elapsed > 0) {
            lines.add(String.format(Locale.ROOT, "copied %s in %.1f s: %.1f MB/s", megabytes(bytes), elapsed / 1000.0,
                    bytes / 1e6 / (elapsed / 1000.0)));
        }
        return lines;
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static List<String> ids(List<?> rows) {
        List<String> ids = new ArrayList<>();
        for (Object row : rows) {
            ids.add(text(((List<?>) row).get(0)));
        }
        return ids;
    }

    /**
     * The ring a node routes by, from {@code DKV.RING}.
     *
     * @param nodes the nodes of its current placement, each with the partitions it replicates,
     *              as {@code n1 (2731) n2 (2731) ...}
     */
    public record RingView(long epoch, boolean moving, List<String> nodeIds, String nodes) {
    }

    /** Asks a node for the ring it routes by. */
    public static RingView view(RespClient client) throws IOException {
        Map<String, Object> ring = fields(client.call("DKV.RING"));
        List<String> ids = new ArrayList<>();
        for (Object row : (List<?>) ring.get("nodes")) {
            ids.add(text(((List<?>) row).get(0)));
        }
        return new RingView((Long) ring.get("epoch"), (Long) ring.get("moving") == 1, List.copyOf(ids),
                placements((List<?>) ring.get("nodes")));
    }

    /** {@code n1 (2731) n2 (2731) ...}: each node with the partitions it replicates. */
    private static String placements(List<?> rows) {
        StringBuilder text = new StringBuilder();
        for (Object row : rows) {
            List<?> fields = (List<?>) row;
            if (!text.isEmpty()) {
                text.append(' ');
            }
            text.append(text(fields.get(0))).append(" (").append(text(fields.get(1))).append(')');
        }
        return text.toString();
    }

    private static Map<String, Object> fields(Object reply) throws IOException {
        if (ClientCall.isError(reply)) {
            throw new IOException(((RespClient.ErrorReply) reply).message());
        }
        List<?> list = (List<?>) reply;
        Map<String, Object> fields = new HashMap<>();
        for (int i = 0; i + 1 < list.size(); i += 2) {
            fields.put(text(list.get(i)), list.get(i + 1));
        }
        return fields;
    }

    private static String text(Object bulk) {
        return bulk instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(bulk);
    }
}
