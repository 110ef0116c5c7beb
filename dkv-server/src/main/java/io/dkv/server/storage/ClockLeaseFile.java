package io.dkv.server.storage;

import io.dkv.core.version.StampLease;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;

/**
 * The clock's lease in a node's data directory: the highest stamp the node may have
 * issued, with a checksum, in two small files written alternately. Each record is forced
 * to disk before the clock uses it. A crash in the middle of a write can tear only the file
 * being written; the other still holds the previous record, and the clock never issued
 * anything beyond the record being written, so the larger valid record of the two is a
 * safe floor after a restart.
 *
 * <p>Called by one thread at a time (the clock serializes extensions).
 */
public final class ClockLeaseFile implements StampLease {

    static final String NAME_A = "clock-lease-a";
    static final String NAME_B = "clock-lease-b";
    private static final int RECORD_BYTES = 16;

    private final Path a;
    private final Path b;
    private final long floor;
    private boolean nextIsA;

    private ClockLeaseFile(Path dir) {
        this(dir, NAME_A, NAME_B);
    }

    private ClockLeaseFile(Path dir, String nameA, String nameB) {
        this.a = dir.resolve(nameA);
        this.b = dir.resolve(nameB);
        long fromA = read(a);
        long fromB = read(b);
        this.floor = Math.max(fromA, fromB);
        // Overwrite the older (or unreadable) copy first, so the newer one survives a torn write.
        this.nextIsA = fromA <= fromB;
    }

    /** The lease kept in {@code dir} (created on the first extension). */
    public static ClockLeaseFile in(Path dir) {
        return new ClockLeaseFile(dir);
    }

    @Override
    public long floor() {
        return floor;
    }

    @Override
    public void extendTo(long stamp) {
        Path target = nextIsA ? a : b;
        ByteBuffer record = ByteBuffer.allocate(RECORD_BYTES).putLong(stamp).putLong(checksum(stamp)).flip();
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            while (record.hasRemaining()) {
                channel.write(record, record.position());
            }
            channel.force(true);
        } catch (IOException e) {
            throw new StorageException("cannot record the clock lease in " + target + ": " + e.getMessage(), e);
        }
        nextIsA = !nextIsA;
    }

    /**
     * A stamp kept the same way under other names: any value that only grows and must
     * survive a torn write (the truncation mark, {@link TruncationMarkFile}).
     */
    static ClockLeaseFile named(Path dir, String nameA, String nameB) {
        return new ClockLeaseFile(dir, nameA, nameB);
    }

    /** The stamp recorded in {@code file}, or 0 when it is missing, short or fails its checksum. */
    private static long read(Path file) {
        try {
            if (!Files.exists(file)) {
                return 0;
            }
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length < RECORD_BYTES) {
                return 0;
            }
            ByteBuffer record = ByteBuffer.wrap(bytes);
            long stamp = record.getLong();
            return record.getLong() == checksum(stamp) && stamp >= 0 ? stamp : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the clock lease " + file, e);
        }
    }

    private static long checksum(long stamp) {
        CRC32 crc = new CRC32();
        crc.update(ByteBuffer.allocate(8).putLong(stamp).array());
        return crc.getValue() ^ 0x6b76_6c65_6173_6500L;
    }
}
