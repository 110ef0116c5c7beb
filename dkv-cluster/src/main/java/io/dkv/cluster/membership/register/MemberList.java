package io.dkv.cluster.membership.register;

import io.dkv.core.NodeId;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A stand-in encoding of a ring for the register until the placement itself is serialized:
 * a count, the member node numbers (4 bytes each), then any bytes the caller appends (the
 * register never looks at them). {@link #members} is the function the register uses to
 * find the acceptors of an epoch: the members of the ring committed for it.
 */
public final class MemberList {

    private MemberList() {
    }

    public static byte[] encode(Collection<NodeId> members, byte[] payload) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * members.size() + payload.length);
        buffer.putInt(members.size());
        members.forEach(node -> buffer.putInt(node.number()));
        buffer.put(payload);
        return buffer.array();
    }

    public static byte[] encode(Collection<NodeId> members) {
        return encode(members, new byte[0]);
    }

    public static List<NodeId> members(byte[] value) {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        int count = buffer.getInt();
        if (count < 0 || count > buffer.remaining() / 4) {
            throw new IllegalArgumentException("member list of " + count + " nodes in " + value.length + " bytes");
        }
        List<NodeId> members = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            members.add(NodeId.of(buffer.getInt()));
        }
        return members;
    }
}
