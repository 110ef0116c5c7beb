package io.dkv.server.storage;

import io.dkv.cluster.membership.register.AcceptorState;
import io.dkv.cluster.membership.register.Committed;
import io.dkv.cluster.membership.register.RingRegisterStore;
import io.dkv.core.message.Ballot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;

/**
 * The ring register's acceptor state in a node's data directory, one file replaced
 * atomically: the new state is written to a temporary file and forced to disk, renamed over
 * the old one, and the directory is forced so the rename survives a power cut. A reader sees
 * the previous state or the new one, never a mix. The record ends with a CRC32; a file that
 * fails it is refused loudly rather than read as empty, since forgetting a promise could
 * let two values be committed for one epoch.
 *
 * <p>Layout: magic "dkvR", format 1, committed epoch, committed value (length + bytes),
 * promised ballot (round, node), accepted ballot, accepted value, CRC32 of all before it.
 *
 * <p>Called on the node's scheduler thread only.
 */
public final class RingRegisterFile implements RingRegisterStore {

    static final String NAME = "ring-register";
    private static final int MAGIC = 0x646b_7652;
    private static final byte FORMAT = 1;

    private final Path dir;
    private final Path file;
    private final Path temporary;

    private RingRegisterFile(Path dir) {
        this.dir = dir;
        this.file = dir.resolve(NAME);
        this.temporary = dir.resolve(NAME + ".tmp");
    }

    /** The register state kept in {@code dir} (created on the first save). */
    public static RingRegisterFile in(Path dir) {
        return new RingRegisterFile(dir);
    }

    @Override
    public AcceptorState load() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new StorageException("cannot read the ring register " + file + ": " + e.getMessage(), e);
        }
        try {
            return decode(bytes);
        } catch (RuntimeException e) {
            throw new StorageException("the ring register " + file + " is damaged (" + e.getMessage() + "); the node"
                    + " must not vote on ring changes without it: restore it, or remove the node and add a new one", e);
        }
    }

    @Override
    public void save(AcceptorState state) {
        byte[] record = encode(state);
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(record);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
            DataDirectory.syncDirectory(dir);
        } catch (IOException e) {
            throw new StorageException("cannot record the ring register in " + file + ": " + e.getMessage(), e);
        }
    }

    static byte[] encode(AcceptorState state) {
        Committed committed = state.committed();
        ByteBuffer out = ByteBuffer.allocate(4 + 1 + 8 + 4 + committed.value().length + 12 + 12 + 4
                + state.acceptedValue().length + 8);
        out.putInt(MAGIC).put(FORMAT).putLong(committed.epoch());
        out.putInt(committed.value().length).put(committed.value());
        putBallot(out, state.promised());
        putBallot(out, state.accepted());
        out.putInt(state.acceptedValue().length).put(state.acceptedValue());
        out.putLong(crc(out.array(), out.position()));
        return out.array();
    }

    static AcceptorState decode(byte[] bytes) {
        if (bytes.length < 8) {
            throw new IllegalArgumentException("only " + bytes.length + " bytes");
        }
        int body = bytes.length - 8;
        if (ByteBuffer.wrap(bytes, body, 8).getLong() != crc(bytes, body)) {
            throw new IllegalArgumentException("checksum mismatch");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, body);
        if (in.getInt() != MAGIC) {
            throw new IllegalArgumentException("not a ring register file");
        }
        byte format = in.get();
        if (format != FORMAT) {
            throw new IllegalArgumentException("unknown format " + format);
        }
        long epoch = in.getLong();
        Committed committed = new Committed(epoch, getBytes(in));
        Ballot promised = getBallot(in);
        Ballot accepted = getBallot(in);
        byte[] acceptedValue = getBytes(in);
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " unexpected bytes");
        }
        return new AcceptorState(committed, promised, accepted, acceptedValue);
    }

    private static void putBallot(ByteBuffer out, Ballot ballot) {
        out.putLong(ballot.round()).putInt(ballot.node());
    }

    private static Ballot getBallot(ByteBuffer in) {
        return new Ballot(in.getLong(), in.getInt());
    }

    private static byte[] getBytes(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("field of " + length + " bytes with " + in.remaining() + " left");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    private static long crc(byte[] bytes, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length);
        return crc.getValue();
    }
}
