package io.dkv.server.net;

import io.dkv.cluster.runtime.MessageHandler;
import io.dkv.core.NodeId;
import io.dkv.core.message.KeyCountReply;
import io.dkv.core.message.KeyCountRequest;
import io.dkv.core.message.Message;
import io.dkv.testkit.Ports;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes of one process talk on one event loop: the peer serves a request on the loop
 * that sent it ({@link LoopAffinity}), so a request crosses no thread. Nodes in another
 * process (another runtime here) are served wherever their accept lands, and still answered.
 */
class LoopAffinityTest {

    private static final NodeId N1 = NodeId.of(1);
    private static final NodeId N2 = NodeId.of(2);
    private static final int LOOPS = 3;

    @Test
    void aPeerInTheSameProcessServesEachRequestOnTheLoopThatSentIt() throws Exception {
        try (NettyRuntime runtime = new NettyRuntime(LOOPS)) {
            Map<EventLoop, Thread> servedOn = requestFromEveryLoop(runtime, runtime);

            servedOn.forEach((sender, server) -> assertThat(sender.inEventLoop(server))
                    .as("request sent on %s served on %s", sender, server.getName()).isTrue());
        }
    }

    @Test
    void aPeerInAnotherProcessIsServedOnItsOwnLoops() throws Exception {
        try (NettyRuntime first = new NettyRuntime(LOOPS); NettyRuntime second = new NettyRuntime(LOOPS)) {
            Map<EventLoop, Thread> servedOn = requestFromEveryLoop(first, second);

            assertThat(servedOn).hasSize(LOOPS);
            servedOn.values().forEach(server -> assertThat(runsOn(second, server))
                    .as("served on a loop of the peer's own runtime").isTrue());
        }
    }

    /** n1 on {@code senders} asks n2 on {@code servers} once from each of n1's loops; which thread served each. */
    private static Map<EventLoop, Thread> requestFromEveryLoop(NettyRuntime senders, NettyRuntime servers)
            throws Exception {
        int base = Ports.freeBasePort(2);
        InetSocketAddress at1 = new InetSocketAddress("127.0.0.1", base);
        InetSocketAddress at2 = new InetSocketAddress("127.0.0.1", base + 1);
        Map<NodeId, InetSocketAddress> addresses = Map.of(N1, at1, N2, at2);
        try (NettyTransport n1 = transport(N1, senders, at1, addresses);
             NettyTransport n2 = transport(N2, servers, at2, addresses)) {
            Map<EventLoop, Thread> servedOn = new HashMap<>();
            Map<Integer, Thread> byCall = new ConcurrentHashMap<>();
            n1.bind(answering(byCall));
            n2.bind(answering(byCall));
            List<EventLoop> loops = new ArrayList<>();
            senders.group().forEach(executor -> loops.add((EventLoop) executor));
            // Out of order (0, 2, 1): connections accepted in turn could then never all land on
            // their sender's loop by chance, as in-order ones would with one start in three.
            for (int call : new int[] {0, 2, 1}) {
                EventLoop loop = loops.get(call);
                CompletableFuture<Message> reply = loop.submit(
                        () -> n1.request(N2, new KeyCountRequest(new int[] {call}), 5_000)).get();
                assertThat(reply.get(10, TimeUnit.SECONDS)).isInstanceOf(KeyCountReply.class);
                servedOn.put(loop, byCall.get(call));
            }
            return servedOn;
        }
    }

    private static boolean runsOn(NettyRuntime runtime, Thread thread) {
        for (var executor : runtime.group()) {
            if (executor.inEventLoop(thread)) {
                return true;
            }
        }
        return false;
    }

    /** Answers every request, noting the thread it ran on under the partition number it carries. */
    private static MessageHandler answering(Map<Integer, Thread> byCall) {
        return new MessageHandler() {
            @Override
            public void onRequest(NodeId from, Message request, Consumer<Message> reply) {
                byCall.put(((KeyCountRequest) request).partitions()[0], Thread.currentThread());
                reply.accept(new KeyCountReply(new long[] {0}));
            }

            @Override
            public void onMessage(NodeId from, Message message) {
            }
        };
    }

    private static NettyTransport transport(NodeId self, NettyRuntime runtime, InetSocketAddress at,
                                            Map<NodeId, InetSocketAddress> addresses) {
        return new NettyTransport(self, runtime, at, addresses::get, 42, 1 << 20, null, NodeTls.OFF);
    }
}
