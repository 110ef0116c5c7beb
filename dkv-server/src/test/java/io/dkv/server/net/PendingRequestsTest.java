package io.dkv.server.net;

import io.dkv.cluster.runtime.PeerUnavailableException;
import io.dkv.core.NodeId;
import io.dkv.core.message.Message;
import io.dkv.core.message.WriteReply;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static io.dkv.cluster.runtime.Transport.completing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Correlation and timeouts of one connection's requests, on a real event loop. */
class PendingRequestsTest {

    private static final NodeId PEER = NodeId.of(2);
    private static final long LONG_TIMEOUT_MS = 60_000;

    private final EventLoop loop = new DefaultEventLoop();
    private final PendingRequests pending = new PendingRequests(PEER, loop);

    @AfterEach
    void stopLoop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aResponseCompletesTheRequestWithThatIdOnly() {
        CompletableFuture<Message> first = new CompletableFuture<>();
        CompletableFuture<Message> second = new CompletableFuture<>();
        long firstId = onLoop(() -> pending.register(completing(first), LONG_TIMEOUT_MS));
        onLoop(() -> pending.register(completing(second), LONG_TIMEOUT_MS));

        onLoop(() -> {
            pending.complete(firstId, WriteReply.stored(true, null));
            pending.complete(firstId, WriteReply.HINT_KEPT); // a duplicate answer is ignored
            return null;
        });

        assertThat(first).isCompletedWithValue(WriteReply.stored(true, null));
        assertThat(second).isNotDone();
    }

    @Test
    void aRequestWithoutAnswerFailsWithATimeoutNamingThePeer() {
        CompletableFuture<Message> future = new CompletableFuture<>();
        onLoop(() -> pending.register(completing(future), 50));

        await().atMost(Duration.ofSeconds(10)).until(future::isDone);
        assertThat(future).isCompletedExceptionally();
        assertThat(future.handle((reply, error) -> error).join())
                .isInstanceOf(PeerUnavailableException.class)
                .hasMessageContaining(PEER.toString())
                .hasMessageContaining("timed out after 50 ms");
    }

    @Test
    void anAnsweredRequestNeverTimesOut() {
        CompletableFuture<Message> answered = new CompletableFuture<>();
        CompletableFuture<Message> unanswered = new CompletableFuture<>();
        long id = onLoop(() -> pending.register(completing(answered), 50));
        onLoop(() -> pending.register(completing(unanswered), 50));
        onLoop(() -> {
            pending.complete(id, WriteReply.stored(true, null));
            return null;
        });

        // The unanswered one, registered after it with the same timeout, expiring proves the sweep passed it.
        await().atMost(Duration.ofSeconds(10)).until(unanswered::isDone);
        assertThat(unanswered).isCompletedExceptionally();
        assertThat(answered).isCompletedWithValue(WriteReply.stored(true, null));
    }

    @Test
    void aShortTimeoutRegisteredAfterLongOnesExpiresOnTime() {
        List<CompletableFuture<Message>> slow = registerMany(3, LONG_TIMEOUT_MS);
        CompletableFuture<Message> quick = new CompletableFuture<>();
        onLoop(() -> pending.register(completing(quick), 50));

        await().atMost(Duration.ofSeconds(10)).until(quick::isDone);
        assertThat(quick).isCompletedExceptionally();
        assertThat(slow).noneMatch(CompletableFuture::isDone);
    }

    @Test
    void timeoutsKeepExpiringAfterEarlierSweeps() {
        // Several rounds: each sweep must arm the next one.
        for (int round = 0; round < 3; round++) {
            CompletableFuture<Message> early = new CompletableFuture<>();
            CompletableFuture<Message> later = new CompletableFuture<>();
            onLoop(() -> pending.register(completing(early), 20));
            onLoop(() -> pending.register(completing(later), 120));
            await().atMost(Duration.ofSeconds(10)).until(later::isDone);
            assertThat(early).isCompletedExceptionally();
            assertThat(later).isCompletedExceptionally();
        }
    }

    @Test
    void aQueuedRequestsTimeoutStartsWhenItsFrameIsWritten() {
        CompletableFuture<Message> queued = new CompletableFuture<>();
        CompletableFuture<Message> clock = new CompletableFuture<>();
        long id = onLoop(() -> pending.registerQueued(completing(queued), 50, LONG_TIMEOUT_MS));
        onLoop(() -> pending.register(completing(clock), 300));

        await().atMost(Duration.ofSeconds(10)).until(clock::isDone);
        assertThat(queued).as("still unsent after six times its timeout").isNotDone();

        onLoop(() -> {
            pending.written(id);
            return null;
        });
        await().atMost(Duration.ofSeconds(10)).until(queued::isDone);
        assertThat(queued.handle((reply, error) -> error.getMessage()).join()).contains("timed out after 50 ms");
    }

    @Test
    void aQueuedRequestThatIsNeverWrittenFailsAtItsBackstop() {
        CompletableFuture<Message> queued = new CompletableFuture<>();
        onLoop(() -> pending.registerQueued(completing(queued), LONG_TIMEOUT_MS, 50));

        await().atMost(Duration.ofSeconds(10)).until(queued::isDone);
        assertThat(queued.handle((reply, error) -> error).join())
                .isInstanceOf(PeerUnavailableException.class)
                .hasMessageContaining("not sent within")
                .hasMessageContaining("backed up");
    }

    @Test
    void aQueuedRequestAnsweredBeforeTheBackstopNeverFails() {
        CompletableFuture<Message> queued = new CompletableFuture<>();
        CompletableFuture<Message> clock = new CompletableFuture<>();
        long id = onLoop(() -> pending.registerQueued(completing(queued), 50, 100));
        onLoop(() -> {
            pending.written(id);
            pending.complete(id, WriteReply.stored(true, null));
            return null;
        });
        onLoop(() -> pending.register(completing(clock), 300));

        await().atMost(Duration.ofSeconds(10)).until(clock::isDone);
        assertThat(queued).isCompletedWithValue(WriteReply.stored(true, null));
    }

    @Test
    void losingTheConnectionFailsEverythingStillWaiting() {
        List<CompletableFuture<Message>> futures = registerMany(5, LONG_TIMEOUT_MS);
        onLoop(() -> {
            pending.failAll("connection lost before it answered");
            return null;
        });

        assertThat(futures).allMatch(CompletableFuture::isCompletedExceptionally);
        assertThat(futures.get(0).handle((reply, error) -> error.getMessage()).join())
                .contains("connection lost before it answered");
    }

    @Test
    void anAnswerThatThrowsLeavesTheOtherRequestsAnswered() {
        CompletableFuture<Message> later = new CompletableFuture<>();
        long throwingId = onLoop(() -> pending.register((reply, failure) -> {
            throw new IllegalStateException("a bug in the caller's answer");
        }, LONG_TIMEOUT_MS));
        long laterId = onLoop(() -> pending.register(completing(later), LONG_TIMEOUT_MS));

        onLoop(() -> {
            pending.complete(throwingId, WriteReply.HINT_KEPT);
            pending.complete(laterId, WriteReply.stored(true, null));
            return null;
        });

        assertThat(later).isCompletedWithValue(WriteReply.stored(true, null));
    }

    private List<CompletableFuture<Message>> registerMany(int count, long timeoutMillis) {
        List<CompletableFuture<Message>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            CompletableFuture<Message> future = new CompletableFuture<>();
            futures.add(future);
            onLoop(() -> pending.register(completing(future), timeoutMillis));
        }
        return futures;
    }

    private <T> T onLoop(Callable<T> action) {
        return loop.submit(action).syncUninterruptibly().getNow();
    }
}
