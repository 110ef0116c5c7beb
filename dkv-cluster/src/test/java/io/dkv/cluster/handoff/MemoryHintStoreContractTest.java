package io.dkv.cluster.handoff;

class MemoryHintStoreContractTest extends HintStoreContract {

    @Override
    protected HintStore open(int maxHints, long maxBytes) {
        return new MemoryHintStore(maxHints, maxBytes);
    }
}
