package io.dkv.core.version;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The clock's lease: what makes versions keep increasing across restarts. */
class StampLeaseTest {

    /** A lease kept in memory, as a durable one would be on disk; counts the records. */
    private static final class RecordedLease implements StampLease {
        long recorded;
        final List<Long> records = new ArrayList<>();

        @Override
        public long floor() {
            return recorded;
        }

        @Override
        public void extendTo(long stamp) {
            recorded = stamp;
            records.add(stamp);
        }
    }

    @Test
    void noStampIsIssuedBeyondWhatTheLeaseRecorded() {
        long[] wall = {1_700_000_000_000L};
        RecordedLease lease = new RecordedLease();
        HybridLogicalClock clock = new HybridLogicalClock(() -> wall[0], 500, lease);
        for (int i = 0; i < 10_000; i++) {
            wall[0] += i % 7;
            long stamp = clock.now();
            assertThat(stamp).isLessThanOrEqualTo(lease.recorded);
        }
        assertThat(lease.records.size()).as("records, not one per stamp").isLessThan(1_000);
    }

    @Test
    void afterARestartWithTheWallClockSetBackVersionsStillIncrease() {
        long[] wall = {1_700_000_000_000L};
        RecordedLease lease = new RecordedLease();
        HybridLogicalClock before = new HybridLogicalClock(() -> wall[0], 500, lease);
        long last = 0;
        for (int i = 0; i < 1_000; i++) {
            wall[0] += 3;
            last = before.now();
        }

        wall[0] -= 3_600_000; // restarted with the wall clock an hour behind
        HybridLogicalClock after = new HybridLogicalClock(() -> wall[0], 500, lease);

        assertThat(after.now()).isGreaterThan(last);
    }

    @Test
    void renewingKeepsTheLeaseAheadSoWritesDoNotWaitForIt() {
        long[] wall = {1_700_000_000_000L};
        RecordedLease lease = new RecordedLease();
        HybridLogicalClock clock = new HybridLogicalClock(() -> wall[0], 500, lease);
        clock.now();
        int recordsBefore = lease.records.size();
        for (int i = 0; i < 100; i++) {
            wall[0] += 100;
            clock.renewLease();
            int records = lease.records.size();
            clock.now();
            assertThat(lease.records.size()).as("now() recorded nothing after a renewal").isEqualTo(records);
        }
        assertThat(lease.records.size()).isGreaterThan(recordsBefore);
    }
}
