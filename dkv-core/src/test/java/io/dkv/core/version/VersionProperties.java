package io.dkv.core.version;

import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.hash.Field;
import io.dkv.core.hash.HashFields;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class VersionProperties {

    @Provide
    Arbitrary<Entry> entries() {
        // Few distinct stamps and nodes, so equal versions (and their tie-break) are common.
        Arbitrary<Version> versions = Combinators.combine(
                Arbitraries.longs().between(0, 5), Arbitraries.integers().between(1, 3)).as(Version::new);
        Arbitrary<byte[]> values = Arbitraries.bytes().array(byte[].class).ofMaxSize(3).injectNull(0.3);
        Arbitrary<Long> times = Arbitraries.longs().between(0, 3);
        // Whole writes (SET, DEL, SET EX), value-only writes (SET KEEPTTL), expiry-only writes (EXPIRE, PERSIST).
        // And writes of hash fields alone (HSET, HDEL), which a whole-key write with a newer version hides.
        Arbitrary<Integer> kinds = Arbitraries.integers().between(0, 4);
        Arbitrary<byte[]> names = Arbitraries.of("f", "g").map(String::getBytes);
        return Combinators.combine(values, versions, times, kinds, names).as((value, version, time, kind, name) -> switch (kind) {
            case 0 -> new Entry(value, version);
            case 1 -> new Entry(value, version, new Expiry(time, version));
            case 2 -> new Entry(value, version, Expiry.ABSENT);
            case 3 -> Entry.expiryOnly(new Expiry(time, version));
            default -> new Entry(null, Version.ZERO, Expiry.ABSENT, HashFields.of(name, new Field(value, version)));
        });
    }

    @Property
    void mergeIsCommutative(@ForAll("entries") Entry a, @ForAll("entries") Entry b) {
        assertThat(Entry.merge(a, b)).isEqualTo(Entry.merge(b, a));
    }

    @Property
    void mergeIsAssociative(@ForAll("entries") Entry a, @ForAll("entries") Entry b, @ForAll("entries") Entry c) {
        assertThat(Entry.merge(Entry.merge(a, b), c)).isEqualTo(Entry.merge(a, Entry.merge(b, c)));
    }

    @Property
    void mergeIsIdempotent(@ForAll("entries") Entry a, @ForAll("entries") Entry b) {
        assertThat(Entry.merge(a, a)).isEqualTo(a);
        Entry once = Entry.merge(a, b);
        assertThat(Entry.merge(once, b)).isEqualTo(once);
    }

    /** Each register is won by its own higher version: an expiry write never takes a value with it, nor the reverse. */
    @Property
    void theHigherVersionWinsRegisterByRegister(@ForAll("entries") Entry a, @ForAll("entries") Entry b) {
        Entry winner = Entry.merge(a, b);
        Entry valueSide = a.version().compareTo(b.version()) >= 0 ? a : b;
        assertThat(winner.version()).isEqualTo(valueSide.version());
        if (!a.version().equals(b.version())) {
            assertThat(winner.value()).isEqualTo(valueSide.value());
        }
        Expiry expirySide = a.expiry().version().compareTo(b.expiry().version()) >= 0 ? a.expiry() : b.expiry();
        assertThat(winner.expiry().version()).isEqualTo(expirySide.version());
        if (!a.expiry().version().equals(b.expiry().version())) {
            assertThat(winner.expiry()).isEqualTo(expirySide);
        }
    }

    /** What storage engines rely on: merging changes the current entry exactly when the candidate supersedes it. */
    @Property
    void supersedesAgreesWithMerge(@ForAll("entries") Entry candidate, @ForAll("entries") Entry current) {
        assertThat(Entry.supersedes(candidate, current)).isEqualTo(!Entry.merge(current, candidate).equals(current));
        assertThat(Entry.supersedes(candidate, null)).isTrue();
    }

    /**
     * A merged entry covers both inputs' versions, the relation anti-entropy and tombstone
     * collection compare by; an input's fields only when the merge kept them as they were (the
     * fields summary tells equal from different, not more from other).
     */
    @Property
    void theMergeCoversBoth(@ForAll("entries") Entry a, @ForAll("entries") Entry b) {
        Entry merged = Entry.merge(a, b);
        for (Entry input : List.of(a, b)) {
            if (input.fields().isEmpty() || input.fields().equals(merged.fields())) {
                assertThat(merged.versions().covers(input.versions())).isTrue();
            }
        }
    }

    /** What "covers" promises the callers that skip a transfer or purge on it: merging the covered entry in adds nothing. */
    @Property
    void coveringMeansMergingAddsNothing(@ForAll("entries") Entry a, @ForAll("entries") Entry b) {
        if (a.versions().covers(b.versions())) {
            assertThat(Entry.merge(a, b).versions()).isEqualTo(a.versions());
        }
    }

    @Property
    void anyMergeOrderGivesTheSameResult(@ForAll @Size(min = 1, max = 12) List<@net.jqwik.api.From("entries") Entry> writes,
                                         @ForAll long shuffleSeed) {
        Entry inOrder = null;
        for (Entry write : writes) {
            inOrder = Entry.merge(inOrder, write);
        }
        List<Entry> shuffled = new ArrayList<>(writes);
        Collections.shuffle(shuffled, new Random(shuffleSeed));
        Entry shuffledResult = null;
        for (Entry write : shuffled) {
            shuffledResult = Entry.merge(shuffledResult, write);
        }
        assertThat(shuffledResult).isEqualTo(inOrder);
    }

    @Property
    void compareAgreesWithCompareTo(@ForAll("entries") Entry a, @ForAll("entries") Entry b) {
        Occurred occurred = a.version().compare(b.version());
        int order = a.version().compareTo(b.version());
        assertThat(occurred).isEqualTo(order < 0 ? Occurred.BEFORE : order > 0 ? Occurred.AFTER : Occurred.EQUAL);
        assertThat(b.version().compare(a.version()))
                .isEqualTo(occurred == Occurred.BEFORE ? Occurred.AFTER : occurred == Occurred.AFTER ? Occurred.BEFORE : Occurred.EQUAL);
    }

    /** A wall clock that jumps around, backwards included, by the given steps. */
    @Property
    void hlcNeverGoesBackwardsWhateverTheWallClockDoes(
            @ForAll @Size(min = 1, max = 200) List<@IntRange(min = -60_000, max = 60_000) Integer> clockSteps) {
        long[] wall = {1_700_000_000_000L};
        HybridLogicalClock clock = new HybridLogicalClock(() -> wall[0], 500);
        long previous = clock.now();
        for (int step : clockSteps) {
            wall[0] += step;
            long next = clock.now();
            assertThat(next).isGreaterThan(previous);
            previous = next;
        }
    }

    @Property
    void hlcStampsExceedEveryObservedStamp(@ForAll @Size(min = 1, max = 50) List<@IntRange(min = -100_000, max = 100_000) Integer> remoteOffsets) {
        long wall = 1_700_000_000_000L;
        HybridLogicalClock clock = new HybridLogicalClock(() -> wall, 200_000);
        for (int offset : remoteOffsets) {
            long remote = HybridLogicalClock.stampOf(wall + offset) + Math.abs(offset % 7);
            clock.observe(remote);
            assertThat(clock.now()).isGreaterThan(remote);
        }
    }

    @Property
    void hlcFollowsTheWallClockWhenItBehaves(@ForAll @IntRange(min = 1, max = 10_000) int advanceMillis) {
        long[] wall = {1_700_000_000_000L};
        HybridLogicalClock clock = new HybridLogicalClock(() -> wall[0], 500);
        clock.now();
        wall[0] += advanceMillis;
        long stamp = clock.now();
        assertThat(HybridLogicalClock.physicalMillis(stamp)).isEqualTo(wall[0]);
        assertThat(HybridLogicalClock.logical(stamp)).isZero();
    }

    /** A stamp further ahead than the skew bound is refused and leaves the clock as it was. */
    @Property
    void hlcRefusesStampsBeyondTheSkewBound(@ForAll @IntRange(min = 501, max = 1_000_000_000) int aheadMillis) {
        long wall = 1_700_000_000_000L;
        HybridLogicalClock clock = new HybridLogicalClock(() -> wall, 500);
        long before = clock.now();

        assertThat(clock.observe(HybridLogicalClock.stampOf(wall + aheadMillis))).isFalse();
        assertThat(clock.acceptable(HybridLogicalClock.stampOf(wall + aheadMillis))).isFalse();
        assertThat(clock.lastStamp()).isEqualTo(before);
        assertThat(clock.observe(HybridLogicalClock.stampOf(wall + 500))).isTrue();
    }

    /** Even a stamp near Long.MAX_VALUE from a hostile peer cannot make the clock overflow. */
    @Property(tries = 50)
    void hlcCannotBeDrivenToOverflow(@ForAll @IntRange(min = 0, max = 1_000_000) int belowMax) {
        long wall = 1_700_000_000_000L;
        HybridLogicalClock clock = new HybridLogicalClock(() -> wall, 500);

        assertThat(clock.observe(Long.MAX_VALUE - belowMax)).isFalse();
        long stamp = clock.now();
        assertThat(clock.now()).isGreaterThan(stamp);
        assertThat(HybridLogicalClock.physicalMillis(stamp)).isEqualTo(wall);
    }
}
