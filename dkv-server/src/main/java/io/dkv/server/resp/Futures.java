package io.dkv.server.resp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Small helpers for commands that fan out to several keys. */
final class Futures {

    private Futures() {
    }

    /** Completes with every result in order, or with the first failure. */
    static <T> CompletableFuture<List<T>> all(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<T> results = new ArrayList<>(futures.size());
            futures.forEach(future -> results.add(future.join()));
            return results;
        });
    }

    static CompletableFuture<RespReply> done(RespReply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
