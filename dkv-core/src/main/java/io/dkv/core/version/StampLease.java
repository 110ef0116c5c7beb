package io.dkv.core.version;

/**
 * Where a node durably records how far its hybrid logical clock may have gone, so that
 * after a restart (even with the wall clock set back) it never issues a version lower than
 * one it issued before. The clock records a lease a little ahead of what it uses, so a
 * write waits for the record only when the lease ran out (see {@link HybridLogicalClock}).
 *
 * <p>Implementations are called by one thread at a time.
 */
public interface StampLease {

    /** Nothing is recorded: for nodes whose data does not outlive the process. */
    StampLease NONE = new StampLease() {
        @Override
        public long floor() {
            return 0;
        }

        @Override
        public void extendTo(long stamp) {
        }

        @Override
        public boolean durable() {
            return false;
        }
    };

    /** The highest stamp recorded before this start (0 when none): stamps issued from now on exceed it. */
    long floor();

    /** Records, durably, that stamps up to {@code stamp} may be issued; returns once it is durable. */
    void extendTo(long stamp);

    /** Whether anything is recorded at all. */
    default boolean durable() {
        return true;
    }
}
