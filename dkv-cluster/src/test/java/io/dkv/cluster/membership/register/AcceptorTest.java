package io.dkv.cluster.membership.register;

import io.dkv.core.message.Ballot;
import io.dkv.core.message.RingAccept;
import io.dkv.core.message.RingAccepted;
import io.dkv.core.message.RingPrepare;
import io.dkv.core.message.RingPromise;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The acceptor's rules, one case each, with its state saved before every answer. */
class AcceptorTest {

    private static final Committed GENESIS = new Committed(4, bytes("ring-4"));
    private static final Ballot LOW = new Ballot(1, 2);
    private static final Ballot HIGH = new Ballot(1, 3);
    private static final Ballot HIGHER = new Ballot(2, 1);

    private final MemoryRingRegisterStore store = new MemoryRingRegisterStore();
    private final Acceptor acceptor = new Acceptor(store, GENESIS);

    @Test
    void ballotsOrderByRoundThenNode() {
        assertThat(LOW).isLessThan(HIGH);
        assertThat(HIGH).isLessThan(HIGHER);
        assertThat(Ballot.ZERO).isLessThan(LOW);
        assertThat(Ballot.ZERO.isZero()).isTrue();
    }

    @Test
    void promisesTheFirstBallotForTheNextEpochAndSavesItFirst() {
        RingPromise promise = acceptor.onPrepare(new RingPrepare(5, LOW));

        assertThat(promise.granted()).isTrue();
        assertThat(promise.accepted()).isEqualTo(Ballot.ZERO);
        assertThat(promise.acceptedValue()).isEmpty();
        assertThat(store.load().promised()).isEqualTo(LOW);
    }

    @Test
    void refusesABallotBelowItsPromiseAndNamesThePromise() {
        acceptor.onPrepare(new RingPrepare(5, HIGH));

        RingPromise promise = acceptor.onPrepare(new RingPrepare(5, LOW));

        assertThat(promise.granted()).isFalse();
        assertThat(promise.promised()).isEqualTo(HIGH);
    }

    @Test
    void aDuplicatedPrepareIsAnsweredAlike() {
        acceptor.onPrepare(new RingPrepare(5, HIGH));

        assertThat(acceptor.onPrepare(new RingPrepare(5, HIGH)).granted()).isTrue();
    }

    @Test
    void acceptsAtOrAboveItsPromiseOnly() {
        acceptor.onPrepare(new RingPrepare(5, HIGH));

        assertThat(acceptor.onAccept(new RingAccept(5, LOW, bytes("a"))).granted()).isFalse();
        RingAccepted accepted = acceptor.onAccept(new RingAccept(5, HIGH, bytes("b")));

        assertThat(accepted.granted()).isTrue();
        assertThat(store.load().accepted()).isEqualTo(HIGH);
        assertThat(store.load().acceptedValue()).isEqualTo(bytes("b"));
    }

    @Test
    void aLaterPrepareLearnsTheAcceptedValue() {
        acceptor.onPrepare(new RingPrepare(5, LOW));
        acceptor.onAccept(new RingAccept(5, LOW, bytes("chosen?")));

        RingPromise promise = acceptor.onPrepare(new RingPrepare(5, HIGHER));

        assertThat(promise.granted()).isTrue();
        assertThat(promise.accepted()).isEqualTo(LOW);
        assertThat(promise.acceptedValue()).isEqualTo(bytes("chosen?"));
    }

    @Test
    void refusesEpochsItCommittedWithItsCommittedEpoch() {
        RingPromise promise = acceptor.onPrepare(new RingPrepare(4, HIGHER));
        RingAccepted accepted = acceptor.onAccept(new RingAccept(3, HIGHER, bytes("x")));

        assertThat(promise.granted()).isFalse();
        assertThat(promise.committedEpoch()).isEqualTo(4);
        assertThat(accepted.granted()).isFalse();
        assertThat(accepted.committedEpoch()).isEqualTo(4);
    }

    @Test
    void refusesEpochsBeyondTheNextUntilItCatchesUp() {
        acceptor.onPrepare(new RingPrepare(5, LOW));
        acceptor.onAccept(new RingAccept(5, LOW, bytes("maybe chosen")));

        RingPromise promise = acceptor.onPrepare(new RingPrepare(6, HIGHER));

        assertThat(promise.granted()).isFalse();
        assertThat(promise.committedEpoch()).isEqualTo(4);
        assertThat(acceptor.state().acceptedValue()).isEqualTo(bytes("maybe chosen"));
    }

    @Test
    void installingANewerCommitMovesToTheNextSlotAndClearsTheVotes() {
        acceptor.onPrepare(new RingPrepare(5, HIGH));

        assertThat(acceptor.install(new Committed(7, bytes("ring-7")))).isTrue();
        assertThat(acceptor.install(new Committed(6, bytes("ring-6")))).isFalse();

        assertThat(store.load().committed().epoch()).isEqualTo(7);
        assertThat(store.load().promised()).isEqualTo(Ballot.ZERO);
        assertThat(acceptor.onPrepare(new RingPrepare(8, LOW)).granted()).isTrue();
    }

    @Test
    void aRestartedAcceptorKeepsItsPromisesAndAcceptance() {
        acceptor.onPrepare(new RingPrepare(5, HIGHER));
        acceptor.onAccept(new RingAccept(5, HIGHER, bytes("v")));

        Acceptor restarted = new Acceptor(store, GENESIS);

        assertThat(restarted.onPrepare(new RingPrepare(5, HIGH)).granted()).isFalse();
        RingPromise promise = restarted.onPrepare(new RingPrepare(5, new Ballot(3, 1)));
        assertThat(promise.accepted()).isEqualTo(HIGHER);
        assertThat(promise.acceptedValue()).isEqualTo(bytes("v"));
    }

    @Test
    void aStoreOlderThanTheGenesisIsIgnored() {
        store.save(AcceptorState.at(new Committed(2, bytes("old"))));

        assertThat(new Acceptor(store, GENESIS).committed()).isEqualTo(GENESIS);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
