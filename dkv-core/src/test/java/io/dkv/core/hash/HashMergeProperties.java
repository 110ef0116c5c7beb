package io.dkv.core.hash;

import io.dkv.core.version.Version;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The hash merge is a join: replicas converge whatever order SET, DEL, HSET and HDEL arrive in. */
class HashMergeProperties {

    /** Few stamps, nodes, field names and values, so collisions and equal versions are common. */
    private static final Arbitrary<Version> VERSIONS = Combinators.combine(
            Arbitraries.longs().between(0, 6), Arbitraries.integers().between(1, 3)).as(Version::new);
    private static final Arbitrary<byte[]> VALUES = Arbitraries.bytes().between((byte) 0, (byte) 2)
            .array(byte[].class).ofMaxSize(2);
    private static final Arbitrary<byte[]> NAMES = Arbitraries.of("a", "b", "c").map(String::getBytes);

    @Provide
    Arbitrary<ValueRegister> writes() {
        Arbitrary<ValueRegister> set = Combinators.combine(VALUES, VERSIONS).as(ValueRegister::string);
        Arbitrary<ValueRegister> del = VERSIONS.map(ValueRegister::deleted);
        Arbitrary<Map<byte[], byte[]>> fieldValues = Arbitraries.maps(NAMES, VALUES.injectNull(0.3)).ofMinSize(1).ofMaxSize(3)
                .map(m -> {
                    Map<byte[], byte[]> copy = new LinkedHashMap<>();
                    m.forEach(copy::put);
                    return copy;
                });
        Arbitrary<ValueRegister> hsetOrHdel = Combinators.combine(fieldValues, VERSIONS)
                .as((values, version) -> ValueRegister.fieldsOnly(HashFields.written(values, version)));
        return Arbitraries.oneOf(set, del, hsetOrHdel, hsetOrHdel);
    }

    /** Registers as replicas hold them: several writes merged. */
    @Provide
    Arbitrary<ValueRegister> states() {
        return writes().list().ofMinSize(1).ofMaxSize(4).map(HashMergeProperties::mergeAll);
    }

    private static ValueRegister mergeAll(List<ValueRegister> writes) {
        ValueRegister merged = null;
        for (ValueRegister write : writes) {
            merged = ValueRegister.merge(merged, write);
        }
        return merged;
    }

    @Property
    void mergeIsCommutative(@ForAll("states") ValueRegister a, @ForAll("states") ValueRegister b) {
        assertThat(ValueRegister.merge(a, b)).isEqualTo(ValueRegister.merge(b, a));
    }

    @Property
    void mergeIsAssociative(@ForAll("states") ValueRegister a, @ForAll("states") ValueRegister b,
                            @ForAll("states") ValueRegister c) {
        assertThat(ValueRegister.merge(ValueRegister.merge(a, b), c))
                .isEqualTo(ValueRegister.merge(a, ValueRegister.merge(b, c)));
    }

    @Property
    void mergeIsIdempotent(@ForAll("states") ValueRegister a, @ForAll("states") ValueRegister b) {
        assertThat(ValueRegister.merge(a, a)).isEqualTo(a);
        ValueRegister once = ValueRegister.merge(a, b);
        assertThat(ValueRegister.merge(once, b)).isEqualTo(once);
    }

    @Property
    void anyDeliveryOrderGivesTheSameRegister(@ForAll @Size(min = 1, max = 10) List<@From("writes") ValueRegister> writes,
                                              @ForAll long shuffleSeed) {
        List<ValueRegister> shuffled = new ArrayList<>(writes);
        Collections.shuffle(shuffled, new Random(shuffleSeed));
        assertThat(mergeAll(shuffled)).isEqualTo(mergeAll(writes));
    }

    /** A whole-key write hides every field not newer than it, and no field newer than it. */
    @Property
    void aKeyLevelWriteHidesExactlyTheOlderFields(@ForAll("states") ValueRegister state, @ForAll("writes") ValueRegister write) {
        ValueRegister merged = ValueRegister.merge(state, write);
        merged.fields().all().values().forEach(field -> assertThat(field.version()).isGreaterThan(merged.version()));
        for (ValueRegister side : List.of(state, write)) {
            side.fields().all().forEach((name, field) -> {
                if (field.version().compareTo(merged.version()) > 0) {
                    assertThat(merged.fields().get(name).version()).isGreaterThanOrEqualTo(field.version());
                }
            });
        }
    }

    /** HSETs of different fields, each newer than the key level, all survive whatever else merges in. */
    @Property
    void concurrentFieldWritesAllSurvive(@ForAll("states") ValueRegister state, @ForAll("writes") ValueRegister first,
                                         @ForAll("writes") ValueRegister second) {
        ValueRegister merged = mergeAll(List.of(state, first, second));
        for (ValueRegister write : List.of(first, second)) {
            write.fields().all().forEach((name, field) -> {
                if (field.version().compareTo(merged.version()) > 0) {
                    Field kept = merged.fields().get(name);
                    assertThat(kept).isEqualTo(Field.newer(kept, field));
                }
            });
        }
    }

    /** The newest write decides the type: a string newer than every field reads as that string, a newer field makes a hash. */
    @Property
    void theNewestWriteDecidesTheType(@ForAll("states") ValueRegister state) {
        if (state.fields().isEmpty()) {
            assertThat(state.type()).isEqualTo(state.value() == null ? KeyType.NONE : KeyType.STRING);
        } else {
            assertThat(state.newestVersion()).isEqualTo(state.fields().newestVersion());
            assertThat(state.type()).isIn(KeyType.HASH, KeyType.NONE);
            assertThat(state.type() == KeyType.HASH).isEqualTo(state.fields().liveCount() > 0);
        }
    }

    /** An HDEL'd field never comes back from an older HSET, however late it arrives. */
    @Property
    void aDeletedFieldStaysDeleted(@ForAll("states") ValueRegister state, @ForAll("states") ValueRegister late) {
        ValueRegister withDelete = ValueRegister.merge(state, ValueRegister.fieldsOnly(
                HashFields.of("a".getBytes(), Field.tombstone(new Version(7, 1)))));
        Field a = ValueRegister.merge(withDelete, late).fields().get("a".getBytes());
        assertThat(a).isNotNull();
        assertThat(a.isTombstone()).isTrue();
    }

    /** Collecting field tombstones changes nothing a client reads, and a replica that has not collected yet agrees. */
    @Property
    void collectingFieldTombstonesChangesNoRead(@ForAll("states") ValueRegister state, @ForAll("horizons") Version horizon) {
        ValueRegister collected = state.withoutFieldTombstonesBefore(horizon);
        assertThat(collected.type()).isEqualTo(state.type());
        assertReadsAlike(collected, state);
        assertReadsAlike(ValueRegister.merge(collected, state), state);
        collected.fields().all().values().forEach(field ->
                assertThat(field.isTombstone() && field.version().compareTo(horizon) < 0).isFalse());
    }

    @Provide
    Arbitrary<Version> horizons() {
        return VERSIONS;
    }

    private static void assertReadsAlike(ValueRegister actual, ValueRegister expected) {
        assertThat(actual.type()).isEqualTo(expected.type());
        if (expected.type() == KeyType.STRING) {
            assertThat(actual.value()).isEqualTo(expected.value());
        }
        if (expected.type() == KeyType.HASH) {
            assertThat(actual.fields().live()).hasSameSizeAs(expected.fields().live());
            for (int i = 0; i < expected.fields().live().size(); i++) {
                assertThat(actual.fields().live().get(i).getKey()).isEqualTo(expected.fields().live().get(i).getKey());
                assertThat(actual.fields().live().get(i).getValue()).isEqualTo(expected.fields().live().get(i).getValue());
            }
        }
    }
}
