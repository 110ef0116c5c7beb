package io.dkv.server.net;

import io.dkv.core.Entry;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.version.Version;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FrameCoalescer} on an {@link EmbeddedChannel}, whose pending tasks stand for the
 * rest of the event-loop turn: frames written in a turn leave in one buffer when the turn
 * ends, and never out of the order they were written in. Writes and flushes go through the
 * pipeline: the channel's own methods run the pending tasks, ending the turn at once.
 */
class FrameCoalescerTest {

    private static final Version VERSION = new Version(1L << 16, 1);

    private final EmbeddedChannel channel = new EmbeddedChannel(new FrameEncoder(), new FrameCoalescer());

    @Test
    void framesOfOneTurnLeaveTogetherWhenTheTurnEnds() {
        for (long id = 1; id <= 3; id++) {
            channel.pipeline().write(request(id, 10), channel.voidPromise());
            channel.pipeline().flush();
        }
        assertThat(channel.outboundMessages()).as("nothing leaves before the turn ends").isEmpty();

        channel.runPendingTasks();

        assertThat(channel.outboundMessages()).hasSize(1);
        assertThat(idsOf(written())).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aWriteWithAListenerKeepsItsPlaceInTheOrder() {
        channel.pipeline().write(request(1, 10), channel.voidPromise());
        channel.pipeline().write(request(2, 10), channel.voidPromise());
        ChannelPromise third = channel.newPromise();
        channel.pipeline().write(request(3, 10), third);
        channel.pipeline().write(request(4, 10), channel.voidPromise());
        channel.pipeline().flush();
        channel.runPendingTasks();

        List<ByteBuf> buffers = written();
        assertThat(buffers).hasSize(3);
        assertThat(idsOf(buffers)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(third.isSuccess()).isTrue();
    }

    @Test
    void aLargeFrameLeavesOnItsOwnAfterWhatWasBatchedBeforeIt() {
        channel.pipeline().write(request(1, 10), channel.voidPromise());
        channel.pipeline().write(request(2, FrameCoalescer.LARGE_FRAME_BYTES), channel.voidPromise());
        channel.pipeline().write(request(3, 10), channel.voidPromise());
        channel.pipeline().flush();
        channel.runPendingTasks();

        List<ByteBuf> buffers = written();
        assertThat(buffers).hasSize(3);
        assertThat(buffers.get(1).readableBytes()).isGreaterThan(FrameCoalescer.LARGE_FRAME_BYTES);
        assertThat(idsOf(buffers)).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aFullBatchIsWrittenAndTheNextFramesStartAnother() {
        int frames = 3 * FrameCoalescer.MAX_BATCH_BYTES / 4000;
        for (long id = 1; id <= frames; id++) {
            channel.pipeline().write(request(id, 4000), channel.voidPromise());
        }
        channel.pipeline().flush();
        channel.runPendingTasks();

        List<ByteBuf> buffers = written();
        assertThat(buffers).hasSizeBetween(3, 4);
        int mostInOneBuffer = FrameCoalescer.MAX_BATCH_BYTES + FrameCoalescer.LARGE_FRAME_BYTES;
        assertThat(buffers).allSatisfy(buffer -> assertThat(buffer.readableBytes()).isLessThan(mostInOneBuffer));
        assertThat(idsOf(buffers)).hasSize(frames).isSorted();
    }

    @Test
    void closingWritesWhatWasBatchedFirst() {
        channel.pipeline().write(request(1, 10), channel.voidPromise());
        channel.pipeline().write(request(2, 10), channel.voidPromise());

        channel.close();

        assertThat(idsOf(written())).containsExactly(1L, 2L);
    }

    @Test
    void everyTurnEndsWithItsOwnWrite() {
        channel.pipeline().write(request(1, 10), channel.voidPromise());
        channel.pipeline().flush();
        channel.pipeline().flush();
        channel.runPendingTasks();
        channel.pipeline().write(request(2, 10), channel.voidPromise());
        channel.pipeline().flush();
        channel.runPendingTasks();

        List<ByteBuf> buffers = written();
        assertThat(buffers).as("one buffer per turn").hasSize(2);
        assertThat(idsOf(buffers)).containsExactly(1L, 2L);
    }

    private static Frame request(long id, int valueBytes) {
        return new Frame(Frame.Kind.REQUEST, id, new WriteRequest(3, "key".getBytes(StandardCharsets.UTF_8),
                Entry.value(new byte[valueBytes], VERSION)));
    }

    private List<ByteBuf> written() {
        List<ByteBuf> buffers = new ArrayList<>();
        for (Object message; (message = channel.readOutbound()) != null; ) {
            buffers.add((ByteBuf) message);
        }
        return buffers;
    }

    /** The correlation ids of the frames in {@code buffers}, decoded in order (releases them). */
    private static List<Long> idsOf(List<ByteBuf> buffers) {
        EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(1 << 20));
        List<Long> ids = new ArrayList<>();
        for (ByteBuf buffer : buffers) {
            decoder.writeInbound(buffer.retainedDuplicate());
            for (Frame frame; (frame = decoder.readInbound()) != null; ) {
                ids.add(frame.correlationId());
            }
        }
        buffers.forEach(ByteBuf::release);
        return ids;
    }
}
