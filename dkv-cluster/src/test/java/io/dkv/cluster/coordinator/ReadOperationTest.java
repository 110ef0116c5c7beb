package io.dkv.cluster.coordinator;

import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.NodeId;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.core.hash.Field;
import io.dkv.core.hash.HashFields;
import io.dkv.core.message.DigestReply;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.ReadReply;
import io.dkv.core.message.WriteReply;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@link ReadOperation} as a table: each case is the answers a read gets, in order, what the
 * operation says to send after each one (an upgrade, or nothing), and how the read ends.
 * The targets are always the three replicas n1, n2, n3 with the value asked of n1 (index 0);
 * an upgrade is a fourth slot (index 3), a second upgrade a fifth.
 */
class ReadOperationTest {

    private static final NodeId N1 = NodeId.of(1);
    private static final NodeId N2 = NodeId.of(2);
    private static final NodeId N3 = NodeId.of(3);
    private static final List<NodeId> REPLICAS = List.of(N1, N2, N3);

    private static final Version OLD = new Version(1_000L << 16, 1);
    private static final Version NEW = new Version(2_000L << 16, 2);
    private static final Entry OLD_VALUE = Entry.value(bytes("old"), OLD);
    private static final Entry NEW_VALUE = Entry.value(bytes("new"), NEW);
    private static final Entry NEW_TOMBSTONE = Entry.tombstone(NEW);
    private static final Version EXPIRED_AT = new Version(1_500L << 16, 3);
    /** OLD_VALUE after an EXPIRE at EXPIRED_AT: the value register of OLD, the expiry register of the EXPIRE. */
    private static final Entry OLD_EXPIRING = new Entry(bytes("old"), OLD, Expiry.at(1_700_000_060_000L, EXPIRED_AT));
    private static final Entry EXPIRY_ONLY = Entry.expiryOnly(Expiry.at(1_700_000_060_000L, EXPIRED_AT));
    private static final Entry NEW_KEEPING = Entry.keepingExpiry(bytes("kept"), NEW);
    /** Hashes: field a written through one node, field b through another, and a's HDEL after both. */
    private static final Version FIELD_A = new Version(2_100L << 16, 1);
    private static final Version FIELD_B = new Version(2_200L << 16, 2);
    private static final Version DELETE_A = new Version(2_300L << 16, 3);
    private static final Entry HASH_A = Entry.fieldsOnly(HashFields.of(bytes("a"), new Field(bytes("1"), FIELD_A)));
    private static final Entry HASH_B = Entry.fieldsOnly(HashFields.of(bytes("b"), new Field(bytes("2"), FIELD_B)));
    private static final Entry HASH_AB = Entry.merge(HASH_A, HASH_B);
    private static final Entry HASH_A_DELETED = Entry.fieldsOnly(HashFields.of(bytes("a"), Field.tombstone(DELETE_A)));
    /** A SET after both fields: it hides them. */
    private static final Entry NEWER_STRING = Entry.value(bytes("s"), new Version(2_400L << 16, 1));
    private static final String RECOVERING = "n2 is recovering (comparing its partitions with the other replicas)"
            + " and does not answer reads yet";

    /** One answer (a reply, or a failure when {@code reply} is null) and the send it must produce. */
    record Step(int index, Message reply, String failure, ReadOperation.Send expectedSend) {
    }

    /** How the read must end: with {@code entry} (null: absent), or failed, or not yet. */
    enum Ending { ENTRY, FAILED, PENDING }

    /**
     * @param stale       the replicas {@link ReadOperation#staleReplicas()} names once all answered
     *                    ({@code null}: not checked because not all answered)
     * @param allAnswered how often {@code onAllAnswered} must have run
     */
    record Case(String name, int required, List<Step> steps, Ending ending, Entry entry, List<NodeId> stale,
                int allAnswered) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("R=2: value and equal digest complete before the third answers", 2,
                        List.of(reply(0, new ReadReply(OLD_VALUE)), reply(1, DigestReply.of(OLD_VALUE))),
                        Ending.ENTRY, OLD_VALUE, null, 0),
                new Case("R=2: all answer, the one absent replica is stale", 2,
                        List.of(reply(0, new ReadReply(OLD_VALUE)), reply(1, DigestReply.of(OLD_VALUE)),
                                reply(2, DigestReply.MISSING)),
                        Ending.ENTRY, OLD_VALUE, List.of(N3), 1),
                new Case("R=2: absent on every replica reads as absent, nothing is stale", 2,
                        List.of(reply(0, ReadReply.MISSING), reply(1, DigestReply.MISSING), reply(2, DigestReply.MISSING)),
                        Ending.ENTRY, null, List.of(), 1),
                new Case("R=2: newest wins: a newer value over an older digest", 2,
                        List.of(reply(0, new ReadReply(NEW_VALUE)), reply(1, DigestReply.of(OLD_VALUE)),
                                reply(2, DigestReply.of(NEW_VALUE))),
                        Ending.ENTRY, NEW_VALUE, List.of(N2), 1),
                new Case("R=2: a digest's newer expiry joins the value from another replica; the value's holder is stale", 2,
                        List.of(reply(0, new ReadReply(OLD_VALUE)), reply(1, DigestReply.of(OLD_EXPIRING)),
                                reply(2, DigestReply.of(OLD_EXPIRING))),
                        Ending.ENTRY, OLD_EXPIRING, List.of(N1), 1),
                new Case("R=2: a newer value without expiry and an older expiry register elsewhere: both kept", 2,
                        List.of(reply(0, new ReadReply(NEW_KEEPING)), reply(1, DigestReply.of(OLD_EXPIRING)),
                                reply(2, DigestReply.MISSING)),
                        Ending.ENTRY, new Entry(bytes("kept"), NEW, OLD_EXPIRING.expiry()), List.of(N1, N2, N3), 1),
                new Case("R=2: an expiry written alone to a replica without the value: the value comes from the other", 2,
                        List.of(reply(0, new ReadReply(EXPIRY_ONLY)), reply(1, DigestReply.of(OLD_VALUE), upgrade(3, N2)),
                                reply(3, new ReadReply(OLD_VALUE)), reply(2, DigestReply.of(OLD_VALUE))),
                        Ending.ENTRY, OLD_EXPIRING, List.of(N1, N2, N3), 1),
                new Case("R=2: a newer tombstone value wins over an older digest", 2,
                        List.of(reply(0, new ReadReply(NEW_TOMBSTONE)), reply(1, DigestReply.of(OLD_VALUE)),
                                reply(2, DigestReply.MISSING)),
                        Ending.ENTRY, NEW_TOMBSTONE, List.of(N2, N3), 1),
                new Case("R=2: a newer tombstone digest needs no upgrade: a tombstone has no value", 2,
                        List.of(reply(0, new ReadReply(OLD_VALUE)), reply(1, DigestReply.of(NEW_TOMBSTONE)),
                                reply(2, DigestReply.of(NEW_TOMBSTONE))),
                        Ending.ENTRY, NEW_TOMBSTONE, List.of(N1), 1),
                new Case("R=2: a digest newer than the value upgrades to that replica, which then answers", 2,
                        List.of(reply(0, new ReadReply(OLD_VALUE)),
                                reply(1, DigestReply.of(NEW_VALUE), upgrade(3, N2)),
                                reply(3, new ReadReply(NEW_VALUE)),
                                reply(2, DigestReply.of(OLD_VALUE))),
                        Ending.ENTRY, NEW_VALUE, List.of(N1, N3), 1),
                new Case("R=2: newest wins although the value came from a replica that answered late", 2,
                        List.of(reply(1, DigestReply.of(NEW_VALUE)), reply(2, DigestReply.of(OLD_VALUE), upgrade(3, N2)),
                                reply(0, new ReadReply(OLD_VALUE)), reply(3, new ReadReply(NEW_VALUE))),
                        Ending.ENTRY, NEW_VALUE, List.of(N1, N3), 1),
                new Case("R=2: a failed upgrade moves on to another replica with the newest digest", 2,
                        List.of(reply(0, new ReadReply(OLD_VALUE)),
                                reply(1, DigestReply.of(NEW_VALUE), upgrade(3, N2)),
                                reply(2, DigestReply.of(NEW_VALUE)),
                                failure(3, "timed out", upgrade(4, N3)),
                                reply(4, new ReadReply(NEW_VALUE))),
                        Ending.ENTRY, NEW_VALUE, List.of(N1), 1),
                new Case("R=2: when no replica with the newest digest gives its value, the read fails", 2,
                        List.of(reply(0, new ReadReply(OLD_VALUE)),
                                reply(1, DigestReply.of(NEW_VALUE), upgrade(3, N2)),
                                failure(3, "timed out"),
                                reply(2, DigestReply.of(OLD_VALUE))),
                        Ending.FAILED, null, null, 1),
                new Case("R=2: one failure leaves R reachable; the failed replica is not stale", 2,
                        List.of(failure(1, "timed out"), reply(0, new ReadReply(OLD_VALUE)), reply(2, DigestReply.of(OLD_VALUE))),
                        Ending.ENTRY, OLD_VALUE, List.of(), 1),
                new Case("R=2: an ErrorReply and a failure make R unreachable", 2,
                        List.of(reply(0, new ErrorReply("storage broke")), failure(1, "timed out")),
                        Ending.FAILED, null, null, 0),
                new Case("R=2: the answer after a failed read still reports all answered, once", 2,
                        List.of(failure(0, "timed out"), failure(2, "connection closed"), reply(1, DigestReply.of(OLD_VALUE))),
                        Ending.FAILED, null, null, 1),
                new Case("R=2: a recovering replica's refusal is a failure, the others still make R", 2,
                        List.of(reply(0, new ReadReply(OLD_VALUE)), reply(1, new ErrorReply(RECOVERING)),
                                reply(2, DigestReply.of(OLD_VALUE))),
                        Ending.ENTRY, OLD_VALUE, List.of(), 1),
                new Case("R=3: a recovering replica's refusal fails the read at once", 3,
                        List.of(reply(0, new ReadReply(OLD_VALUE)), reply(1, new ErrorReply(RECOVERING))),
                        Ending.FAILED, null, null, 0),
                new Case("R=2: a recovering refusal and a timeout fail the read, not an absent answer", 2,
                        List.of(reply(0, ReadReply.MISSING), reply(1, new ErrorReply(RECOVERING)), failure(2, "timed out")),
                        Ending.FAILED, null, null, 1),
                new Case("R=2: an unexpected reply type counts as a failure", 2,
                        List.of(reply(0, WriteReply.stored(false, OLD)), failure(1, "timed out")),
                        Ending.FAILED, null, null, 0),
                new Case("R=1: the value alone completes", 1,
                        List.of(reply(0, new ReadReply(OLD_VALUE))),
                        Ending.ENTRY, OLD_VALUE, null, 0),
                new Case("R=1: a digest alone is not a value: it upgrades", 1,
                        List.of(reply(2, DigestReply.of(OLD_VALUE), upgrade(3, N3)), reply(3, new ReadReply(OLD_VALUE))),
                        Ending.ENTRY, OLD_VALUE, null, 0),
                new Case("R=1: two failures leave one replica, enough", 1,
                        List.of(failure(1, "timed out"), failure(2, "timed out")),
                        Ending.PENDING, null, null, 0),
                new Case("R=3: every replica must answer", 3,
                        List.of(reply(0, new ReadReply(OLD_VALUE)), reply(1, DigestReply.of(OLD_VALUE))),
                        Ending.PENDING, null, null, 0),
                new Case("R=2: hashes merge field by field: a field from each replica, neither replica's whole hash", 2,
                        List.of(reply(0, new ReadReply(HASH_A)), reply(1, new ReadReply(HASH_B)), reply(2, DigestReply.MISSING)),
                        Ending.ENTRY, HASH_AB, List.of(N1, N2, N3), 1),
                new Case("R=2: a field tombstone on one replica hides the field another still holds", 2,
                        List.of(reply(0, new ReadReply(HASH_AB)), reply(1, new ReadReply(HASH_A_DELETED)),
                                reply(2, new ReadReply(HASH_AB))),
                        Ending.ENTRY, Entry.merge(HASH_AB, HASH_A_DELETED), List.of(N1, N2, N3), 1),
                new Case("R=2: a hash on the digest replica (answered whole) joins an older string's value", 2,
                        List.of(reply(0, new ReadReply(OLD_VALUE)), reply(1, new ReadReply(Entry.merge(OLD_VALUE, HASH_A))),
                                reply(2, DigestReply.of(OLD_VALUE))),
                        Ending.ENTRY, Entry.merge(OLD_VALUE, HASH_A), List.of(N1, N3), 1),
                new Case("R=2: a newer string hides the fields another replica holds; the digest upgrades for its value", 2,
                        List.of(reply(0, new ReadReply(HASH_AB)), reply(1, DigestReply.of(NEWER_STRING), upgrade(3, N2)),
                                reply(3, new ReadReply(NEWER_STRING)), reply(2, new ReadReply(HASH_A))),
                        Ending.ENTRY, NEWER_STRING, List.of(N1, N3), 1),
                new Case("R=2: a digest whose fields differ from the value's upgrades, and the read merges both", 2,
                        List.of(reply(0, new ReadReply(HASH_A)), reply(1, DigestReply.of(HASH_B), upgrade(3, N2)),
                                reply(3, new ReadReply(HASH_B)), reply(2, DigestReply.MISSING)),
                        Ending.ENTRY, HASH_AB, List.of(N1, N2, N3), 1),
                new Case("R=2: an upgrade that brings more fields than its digest showed (a write came in between) settles the read", 2,
                        List.of(reply(0, new ReadReply(HASH_A)), reply(1, DigestReply.of(HASH_B), upgrade(3, N2)),
                                reply(3, new ReadReply(HASH_AB))),
                        Ending.ENTRY, HASH_AB, null, 0),
                new Case("R=2: a digest with the same fields needs no upgrade", 2,
                        List.of(reply(0, new ReadReply(HASH_AB)), reply(1, DigestReply.of(HASH_AB)),
                                reply(2, DigestReply.of(HASH_AB))),
                        Ending.ENTRY, HASH_AB, List.of(), 1),
                new Case("R=2: a digest whose fields a newer SET hides needs no upgrade", 2,
                        List.of(reply(0, new ReadReply(NEWER_STRING)), reply(1, DigestReply.of(HASH_AB)),
                                reply(2, DigestReply.of(NEWER_STRING))),
                        Ending.ENTRY, NEWER_STRING, List.of(N2), 1),
                new Case("R=2: the fields' upgrade fails over to another replica with the same fields, then fails", 2,
                        List.of(reply(0, new ReadReply(HASH_A)), reply(1, DigestReply.of(HASH_B), upgrade(3, N2)),
                                reply(2, DigestReply.of(HASH_B)), failure(3, "timed out", upgrade(4, N3)),
                                failure(4, "timed out")),
                        Ending.FAILED, null, null, 1),
                new Case("R=3: all three answer, the newest of them wins", 3,
                        List.of(reply(0, new ReadReply(NEW_VALUE)), reply(1, DigestReply.of(OLD_VALUE)),
                                reply(2, DigestReply.MISSING)),
                        Ending.ENTRY, NEW_VALUE, List.of(N2, N3), 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void answersDecideTheRead(Case c) {
        AtomicInteger allAnswered = new AtomicInteger();
        ReadOperation read = new ReadOperation(REPLICAS, 0, c.required(), done -> allAnswered.incrementAndGet());
        assertThat(read.initialRequests()).containsExactly(
                new ReadOperation.Send(0, N1, false), new ReadOperation.Send(1, N2, true), new ReadOperation.Send(2, N3, true));

        for (Step step : c.steps()) {
            ReadOperation.Send sent = step.reply() != null
                    ? read.onReply(step.index(), step.reply())
                    : read.onFailure(step.index(), step.failure());
            assertThat(sent).as("%s: what to send after the answer of slot %d", c, step.index()).isEqualTo(step.expectedSend());
        }

        switch (c.ending()) {
            case ENTRY -> {
                assertThat(read.result()).as(c.name()).isCompleted();
                assertThat(read.result().join()).as(c.name()).isEqualTo(c.entry());
            }
            case FAILED -> {
                assertThat(read.result()).as(c.name()).isCompletedExceptionally();
                Throwable failure = catchThrowable(() -> read.result().join());
                assertThat(failure).isInstanceOf(CompletionException.class);
                assertThat(failure.getCause()).as(c.name()).isInstanceOf(NotEnoughReplicasException.class);
                assertThat(((NotEnoughReplicasException) failure.getCause()).required()).isEqualTo(c.required());
            }
            case PENDING -> assertThat(read.result()).as(c.name()).isNotDone();
        }
        assertThat(allAnswered.get()).as("%s: onAllAnswered calls", c).isEqualTo(c.allAnswered());
        if (c.stale() != null) {
            assertThat(read.staleReplicas()).as("%s: stale replicas", c).containsExactlyInAnyOrderElementsOf(c.stale());
            assertThat(read.newest()).as(c.name()).isEqualTo(c.entry());
        }
    }

    @Test
    void theValueIsAskedOfTheDataIndexAndDigestsOfTheOthers() {
        ReadOperation read = new ReadOperation(REPLICAS, 1, 2, done -> { });

        assertThat(read.initialRequests()).containsExactly(
                new ReadOperation.Send(0, N1, true), new ReadOperation.Send(1, N2, false), new ReadOperation.Send(2, N3, true));
    }

    @Test
    void readsGoOnlyToTheUpReplicasAndFailWhenTheyCannotMakeR() {
        ReadOperation read = new ReadOperation(List.of(N1, N3), 0, 2, done -> { });

        assertThat(read.initialRequests()).extracting(ReadOperation.Send::node).containsExactly(N1, N3);
        assertThat(read.onReply(0, new ReadReply(OLD_VALUE))).isNull();
        assertThat(read.onFailure(1, "timed out")).isNull();

        assertThat(read.result()).isCompletedExceptionally();
        Throwable failure = catchThrowable(() -> read.result().join());
        assertThat(failure.getCause()).isInstanceOf(NotEnoughReplicasException.class)
                .hasMessageContaining("1 of 2").hasMessageContaining("n3: timed out");
    }

    @Test
    void aNewerDigestAfterTheReadDecidedNeitherUpgradesNorCountsAsStale() {
        List<List<NodeId>> staleAtTheEnd = new ArrayList<>();
        ReadOperation read = new ReadOperation(REPLICAS, 0, 2, done -> staleAtTheEnd.add(done.staleReplicas()));

        read.onReply(0, new ReadReply(OLD_VALUE));
        read.onReply(2, DigestReply.of(OLD_VALUE));
        assertThat(read.result()).isCompleted();
        ReadOperation.Send upgrade = read.onReply(1, DigestReply.of(NEW_VALUE));

        assertThat(upgrade).as("decided already: a late newer digest does not upgrade").isNull();
        assertThat(staleAtTheEnd).hasSize(1);
        assertThat(staleAtTheEnd.get(0)).as("the read settled on the older value; only older answers are stale").isEmpty();
    }

    private static Step reply(int index, Message reply) {
        return new Step(index, reply, null, null);
    }

    private static Step reply(int index, Message reply, ReadOperation.Send expected) {
        return new Step(index, reply, null, expected);
    }

    private static Step failure(int index, String reason) {
        return new Step(index, null, reason, null);
    }

    private static Step failure(int index, String reason, ReadOperation.Send expected) {
        return new Step(index, null, reason, expected);
    }

    private static ReadOperation.Send upgrade(int index, NodeId node) {
        return new ReadOperation.Send(index, node, false);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
