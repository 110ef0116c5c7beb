package io.dkv.server.storage;

import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The on-disk key ranges of partitions agree with how the ring maps hashes to partitions. */
class KeyLayoutTest {

    @Test
    void partitionBoundsAreExactlyWhereTheRingChangesPartition() {
        for (int partitions : new int[]{1, 2, 3, 7, 16, 64, 192, 1000, 64_000}) {
            Ring ring = Ring.initial(List.of(NodeId.of(1)), 1, partitions, Ring.DEFAULT_SEED);
            assertThat(ring.partitionCount()).isEqualTo(partitions);
            int step = Math.max(1, partitions / 500);
            for (int p = 0; p < partitions; p += step) {
                long first = KeyLayout.firstHash(p, partitions);
                assertThat(ring.partitionOfHash(first)).as("first hash of %d/%d", p, partitions).isEqualTo(p);
                if (p > 0) {
                    assertThat(ring.partitionOfHash(first - 1)).as("hash before %d/%d", p, partitions).isEqualTo(p - 1);
                }
                long next = KeyLayout.firstHash(p + 1, partitions) - 1;
                assertThat(ring.partitionOfHash(next)).as("last hash of %d/%d", p, partitions).isEqualTo(p);
            }
            assertThat(ring.partitionOfHash(-1L)).isEqualTo(partitions - 1);
        }
    }

    @Test
    void everyKeySortsInsideItsPartitionsBounds() {
        SplittableRandom random = new SplittableRandom(7);
        int partitions = 48;
        Ring ring = Ring.initial(List.of(NodeId.of(1)), 1, partitions, Ring.DEFAULT_SEED);
        for (int i = 0; i < 20_000; i++) {
            byte[] key = new byte[random.nextInt(12)];
            random.nextBytes(key);
            int p = ring.partitionOf(key);
            byte[] disk = KeyLayout.diskKey(key);
            assertThat(Arrays.compareUnsigned(disk, KeyLayout.lowerBound(new byte[0], p, partitions))).isGreaterThanOrEqualTo(0);
            byte[] upper = KeyLayout.upperBound(new byte[0], p, partitions);
            if (upper != null) {
                assertThat(Arrays.compareUnsigned(disk, upper)).isLessThan(0);
            }
            assertThat(KeyLayout.userKey(disk, 0)).isEqualTo(key);
        }
    }

    @Test
    void theLastPartitionIsBoundedByThePrefixSuccessor() {
        assertThat(KeyLayout.upperBound(new byte[0], 15, 16)).isNull();
        assertThat(KeyLayout.upperBound(new byte[]{0, 0, 0, 2}, 15, 16)).isEqualTo(new byte[]{0, 0, 0, 3});
        assertThat(KeyLayout.successor(new byte[]{1, (byte) 0xFF})).isEqualTo(new byte[]{2});
        assertThat(KeyLayout.successor(new byte[]{(byte) 0xFF})).isNull();
    }
}
