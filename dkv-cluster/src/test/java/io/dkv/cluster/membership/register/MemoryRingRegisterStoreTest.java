package io.dkv.cluster.membership.register;

class MemoryRingRegisterStoreTest extends RingRegisterStoreContract {

    @Override
    protected RingRegisterStore open() {
        return new MemoryRingRegisterStore();
    }

    /** In the simulator the store object is the disk: a restarted node gets the same one. */
    @Override
    protected RingRegisterStore reopen(RingRegisterStore store) {
        return store;
    }
}
