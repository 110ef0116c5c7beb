package io.dkv.server.storage;

import io.dkv.cluster.membership.register.AcceptorState;
import io.dkv.cluster.membership.register.Committed;
import io.dkv.cluster.membership.register.RingRegisterStore;
import io.dkv.cluster.membership.register.RingRegisterStoreContract;
import io.dkv.core.message.Ballot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The durable ring register: the store contract, and what a damaged or half-written file does. */
class RingRegisterFileTest extends RingRegisterStoreContract {

    @TempDir
    Path dir;

    @Override
    protected RingRegisterStore open() {
        return RingRegisterFile.in(dir);
    }

    @Override
    protected RingRegisterStore reopen(RingRegisterStore store) {
        return RingRegisterFile.in(dir);
    }

    @Test
    void aSaveLeavesOneFileAndNoTemporary() throws IOException {
        RingRegisterFile.in(dir).save(AcceptorState.at(new Committed(1, bytes("r"))));

        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(RingRegisterFile.NAME);
        }
    }

    @Test
    void aLeftoverTemporaryFromACrashIsIgnored() throws IOException {
        AcceptorState saved = new AcceptorState(new Committed(2, bytes("r2")), new Ballot(4, 1), Ballot.ZERO, new byte[0]);
        RingRegisterFile.in(dir).save(saved);
        Files.write(dir.resolve(RingRegisterFile.NAME + ".tmp"), bytes("torn"));

        assertThat(RingRegisterFile.in(dir).load().promised()).isEqualTo(new Ballot(4, 1));
    }

    @Test
    void aDamagedFileIsRefusedNotForgotten() throws IOException {
        RingRegisterFile.in(dir).save(AcceptorState.at(new Committed(2, bytes("r2"))));
        Path file = dir.resolve(RingRegisterFile.NAME);
        byte[] bytes = Files.readAllBytes(file);
        bytes[10] ^= 1;
        Files.write(file, bytes);

        assertThatThrownBy(() -> RingRegisterFile.in(dir).load()).isInstanceOf(StorageException.class)
                .hasMessageContaining("damaged");
    }
}
