package io.dkv.cluster.config;

/**
 * Background repair: Merkle-tree anti-entropy between replicas, and tombstone collection.
 *
 * @param antiEntropyEnabled          when false only reads and hints repair replicas
 * @param antiEntropyIntervalMillis   pause between two partition comparisons, which is what
 *                                    rate-limits anti-entropy
 * @param antiEntropyMaxKeys          most keys exchanged in one partition comparison
 * @param antiEntropyBytesPerSecond   most bytes of entries anti-entropy moves per second, both
 *                                    directions together; what keeps repair from starving clients
 * @param tombstoneGraceMillis        a delete's tombstone is kept at least this long, and then
 *                                    until every replica has it; must exceed the hint window
 * @param tombstoneSweepIntervalMillis how often a node looks for tombstones it may purge
 */
public record RepairConfig(boolean antiEntropyEnabled, long antiEntropyIntervalMillis, int antiEntropyMaxKeys,
                           long antiEntropyBytesPerSecond, long tombstoneGraceMillis, long tombstoneSweepIntervalMillis) {

    public static final RepairConfig DEFAULT = new RepairConfig(true, 200, 1_000, 32L << 20, 24 * 3_600_000L, 60_000);

    public RepairConfig {
        ConfigChecks.require(antiEntropyIntervalMillis > 0,
                "anti-entropy-interval-ms (" + antiEntropyIntervalMillis + ") must be positive");
        ConfigChecks.require(antiEntropyMaxKeys >= 1, "anti-entropy-max-keys (" + antiEntropyMaxKeys + ") must be at least 1");
        ConfigChecks.require(antiEntropyBytesPerSecond >= 1024,
                "anti-entropy-bytes-per-second (" + antiEntropyBytesPerSecond + ") must be at least 1024");
        ConfigChecks.require(tombstoneGraceMillis > 0, "tombstone-grace-ms (" + tombstoneGraceMillis + ") must be positive");
        ConfigChecks.require(tombstoneSweepIntervalMillis > 0,
                "tombstone-sweep-interval-ms (" + tombstoneSweepIntervalMillis + ") must be positive");
    }

    public RepairConfig withAntiEntropyEnabled(boolean value) {
        return new RepairConfig(value, antiEntropyIntervalMillis, antiEntropyMaxKeys, antiEntropyBytesPerSecond, tombstoneGraceMillis, tombstoneSweepIntervalMillis);
    }

    public RepairConfig withAntiEntropyIntervalMillis(long value) {
        return new RepairConfig(antiEntropyEnabled, value, antiEntropyMaxKeys, antiEntropyBytesPerSecond, tombstoneGraceMillis, tombstoneSweepIntervalMillis);
    }

    public RepairConfig withAntiEntropyMaxKeys(int value) {
        return new RepairConfig(antiEntropyEnabled, antiEntropyIntervalMillis, value, antiEntropyBytesPerSecond, tombstoneGraceMillis, tombstoneSweepIntervalMillis);
    }

    public RepairConfig withAntiEntropyBytesPerSecond(long value) {
        return new RepairConfig(antiEntropyEnabled, antiEntropyIntervalMillis, antiEntropyMaxKeys, value, tombstoneGraceMillis, tombstoneSweepIntervalMillis);
    }

    public RepairConfig withTombstoneGraceMillis(long value) {
        return new RepairConfig(antiEntropyEnabled, antiEntropyIntervalMillis, antiEntropyMaxKeys, antiEntropyBytesPerSecond, value, tombstoneSweepIntervalMillis);
    }

    public RepairConfig withTombstoneSweepIntervalMillis(long value) {
        return new RepairConfig(antiEntropyEnabled, antiEntropyIntervalMillis, antiEntropyMaxKeys, antiEntropyBytesPerSecond, tombstoneGraceMillis, value);
    }
}
