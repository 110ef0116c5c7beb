package io.dkv.cluster.rebalance;

import io.dkv.core.DkvException;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A ring state as the bytes the epoch register commits ({@code RingRegister}): the state's
 * epoch, then its current ring and, while a change is under way, its next ring, each as its
 * placement epoch, replica count, nodes and every partition's replica numbers; then the
 * addresses of the nodes that joined. About
 * partitions x replicas x 4 bytes per ring (48 KiB for 4096 x 3): ring changes are rare.
 */
public final class RingStateCodec {

    private static final int FORMAT = 2;

    private RingStateCodec() {
    }

    public static byte[] encode(RingState state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeLong(state.epoch());
            writeRing(out, state.current());
            out.writeBoolean(state.next() != null);
            if (state.next() != null) {
                writeRing(out, state.next());
            }
            out.writeInt(state.addresses().size());
            for (Map.Entry<NodeId, String> address : new TreeMap<>(state.addresses()).entrySet()) {
                out.writeInt(address.getKey().number());
                out.writeUTF(address.getValue());
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    /** @throws DkvException when the bytes are not a ring state this version can read */
    public static RingState decode(byte[] encoded) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            int format = in.readInt();
            if (format != FORMAT) {
                throw new DkvException("ring state format " + format + " is not " + FORMAT);
            }
            long epoch = in.readLong();
            Ring current = readRing(in);
            Ring next = in.readBoolean() ? readRing(in) : null;
            int count = in.readInt();
            if (count < 0 || count > 1 << 20) {
                throw new DkvException("a ring state with " + count + " addresses is not valid");
            }
            Map<NodeId, String> addresses = new HashMap<>();
            for (int i = 0; i < count; i++) {
                addresses.put(NodeId.of(in.readInt()), in.readUTF());
            }
            return new RingState(epoch, current, next, addresses);
        } catch (IOException e) {
            throw new DkvException("a ring state of " + encoded.length + " bytes is cut short", e);
        }
    }

    /** The nodes a committed state makes members: they vote on the epoch after it. */
    public static List<NodeId> members(byte[] encoded) {
        return decode(encoded).allNodes();
    }

    private static void writeRing(DataOutputStream out, Ring ring) throws IOException {
        out.writeLong(ring.epoch());
        out.writeInt(ring.replicaCount());
        out.writeInt(ring.partitionCount());
        out.writeInt(ring.nodeCount());
        for (NodeId node : ring.nodes()) {
            out.writeInt(node.number());
        }
        for (int partition = 0; partition < ring.partitionCount(); partition++) {
            for (int number : ring.replicaNumbers(partition)) {
                out.writeInt(number);
            }
        }
    }

    private static Ring readRing(DataInputStream in) throws IOException {
        long epoch = in.readLong();
        int replicas = in.readInt();
        int partitions = in.readInt();
        int nodeCount = in.readInt();
        if (replicas < 1 || partitions < 1 || nodeCount < replicas || partitions > Ring.MAX_PARTITIONS
                || nodeCount > 1 << 20) {
            throw new DkvException("a ring of " + nodeCount + " nodes, " + partitions + " partitions and "
                    + replicas + " replicas is not a valid ring");
        }
        Set<NodeId> nodes = new LinkedHashSet<>();
        for (int i = 0; i < nodeCount; i++) {
            nodes.add(NodeId.of(in.readInt()));
        }
        int[][] replicaNumbers = new int[partitions][replicas];
        for (int partition = 0; partition < partitions; partition++) {
            for (int i = 0; i < replicas; i++) {
                replicaNumbers[partition][i] = in.readInt();
            }
        }
        return Ring.of(epoch, new ArrayList<>(nodes), replicas, replicaNumbers);
    }
}
