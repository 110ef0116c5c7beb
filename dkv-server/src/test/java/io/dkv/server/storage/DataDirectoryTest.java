package io.dkv.server.storage;

import io.dkv.core.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataDirectoryTest {

    private static final DataDirectory.Identity N1 = new DataDirectory.Identity(NodeId.of(1), "nodes=3");

    @Test
    void aNewDirectoryRecordsItsNodeAndTellsCleanFromUncleanShutdowns(@TempDir Path dir) {
        try (DataDirectory first = DataDirectory.open(dir, N1)) {
            assertThat(first.isNew()).isTrue();
            assertThat(first.wasCleanShutdown()).isFalse();
            first.markCleanShutdown();
        }
        try (DataDirectory second = DataDirectory.open(dir, N1)) {
            assertThat(second.isNew()).isFalse();
            assertThat(second.wasCleanShutdown()).isTrue();
            // Closed without the marker: as after a kill.
        }
        try (DataDirectory third = DataDirectory.open(dir, N1)) {
            assertThat(third.isNew()).isFalse();
            assertThat(third.wasCleanShutdown()).isFalse();
        }
        assertThat(dir.resolve(DataDirectory.IDENTITY_FILE)).content().contains("node=n1", "cluster=nodes\\=3", "layout=1");
    }

    @Test
    void anotherNodeOrClusterIsRefusedByName(@TempDir Path dir) {
        DataDirectory.open(dir, N1).close();

        assertThatThrownBy(() -> DataDirectory.open(dir, new DataDirectory.Identity(NodeId.of(2), "nodes=3")))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("belongs to node n1, not n2");
        assertThatThrownBy(() -> DataDirectory.open(dir, new DataDirectory.Identity(NodeId.of(1), "nodes=5")))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("belongs to a cluster of nodes=3")
                .hasMessageContaining("nodes=5");
    }

    @Test
    void aDirectoryInUseIsRefusedUntilReleased(@TempDir Path dir) {
        try (DataDirectory held = DataDirectory.open(dir, N1)) {
            assertThatThrownBy(() -> DataDirectory.open(dir, N1)).isInstanceOf(StorageException.class)
                    .hasMessageContaining("already in use");
        }
        DataDirectory.open(dir, N1).close();
    }

    @Test
    void aNewerLayoutIsRefused(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(DataDirectory.IDENTITY_FILE), "node=n1\ncluster=nodes\\=3\nlayout=99\n");
        assertThatThrownBy(() -> DataDirectory.open(dir, N1)).isInstanceOf(StorageException.class)
                .hasMessageContaining("layout 99");
    }
}
