package io.dkv.cluster.membership.register;

import java.util.Arrays;
import java.util.Objects;

/**
 * A ring a majority committed: its epoch and its complete value, opaque to the register
 * (the integrator encodes the placement into it). Each committed value is complete, so a
 * node may skip epochs: installing epoch 9 over epoch 6 is as good as installing 7, 8, 9.
 *
 * <p>The array is not copied; treat it as immutable.
 */
public record Committed(long epoch, byte[] value) {

    public Committed {
        Objects.requireNonNull(value, "value");
        if (epoch < 0) {
            throw new IllegalArgumentException("negative epoch " + epoch);
        }
    }

    /** Whether {@code other} holds the same bytes (records compare arrays by identity). */
    public boolean sameValue(byte[] other) {
        return Arrays.equals(value, other);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Committed that && epoch == that.epoch && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(epoch) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "epoch " + epoch + " (" + value.length + " bytes)";
    }
}
