package io.dkv.server.storage;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An open RocksDB database and its column family handles, in {@link RocksDbStore.Family}
 * order; read-only when {@link RocksDbStore} could reopen it only for reading. Not
 * thread-safe by itself: the store guards it with its gate.
 */
record OpenDb(RocksDB db, List<ColumnFamilyHandle> handles, boolean readOnly) {

    private static final Logger log = LoggerFactory.getLogger(OpenDb.class);

    static OpenDb open(DBOptions options, Path path, List<ColumnFamilyDescriptor> families) throws RocksDBException {
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        RocksDB db = RocksDB.open(options, path.toString(), families, handles);
        return new OpenDb(db, List.copyOf(handles), false);
    }

    static OpenDb openReadOnly(DBOptions options, Path path, List<ColumnFamilyDescriptor> families)
            throws RocksDBException {
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        RocksDB db = RocksDB.openReadOnly(options, path.toString(), families, handles);
        return new OpenDb(db, List.copyOf(handles), true);
    }

    ColumnFamilyHandle handle(RocksDbStore.Family family) {
        return handles.get(family.ordinal());
    }

    /** Frees the native handles; false if the database reported an error while closing. */
    boolean close() {
        handles.forEach(ColumnFamilyHandle::close);
        try {
            db.closeE();
            return true;
        } catch (RocksDBException e) {
            log.error("storage: closing RocksDB: {}", e.getMessage());
            return false;
        }
    }
}
