package io.dkv.cluster.membership.register;

import io.dkv.core.message.Ballot;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link RingRegisterStore} must do; a test per implementation extends this and
 * says how to open a store and how to open it again "after a restart".
 */
public abstract class RingRegisterStoreContract {

    /** An empty store. */
    protected abstract RingRegisterStore open();

    /** The same store as a restarted node would open it. */
    protected abstract RingRegisterStore reopen(RingRegisterStore store);

    @Test
    void anEmptyStoreHasNothing() {
        assertThat(open().load()).isNull();
    }

    @Test
    void theLastSavedStateSurvivesAReopen() {
        RingRegisterStore store = open();
        AcceptorState first = AcceptorState.at(new Committed(3, bytes("ring-3")));
        AcceptorState second = new AcceptorState(new Committed(3, bytes("ring-3")), new Ballot(9, 2), new Ballot(8, 1),
                bytes("accepted for 4"));
        store.save(first);
        store.save(second);

        AcceptorState loaded = reopen(store).load();

        assertThat(loaded.committed()).isEqualTo(second.committed());
        assertThat(loaded.promised()).isEqualTo(second.promised());
        assertThat(loaded.accepted()).isEqualTo(second.accepted());
        assertThat(loaded.acceptedValue()).isEqualTo(second.acceptedValue());
    }

    @Test
    void emptyAndLargeValuesSurvive() {
        RingRegisterStore store = open();
        byte[] large = new byte[1 << 20];
        large[large.length - 1] = 7;
        store.save(new AcceptorState(new Committed(Long.MAX_VALUE - 1, large), Ballot.ZERO, Ballot.ZERO, new byte[0]));

        AcceptorState loaded = reopen(store).load();

        assertThat(loaded.committed().value()).isEqualTo(large);
        assertThat(loaded.committed().epoch()).isEqualTo(Long.MAX_VALUE - 1);
        assertThat(loaded.acceptedValue()).isEmpty();
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
