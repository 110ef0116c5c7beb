package io.dkv.server.resp;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzing {@link RespDecoder}: generated and mutated client input, cut into random reads.
 * Whatever arrives, the decoder either yields commands or fails with a RESP protocol error
 * (which closes the connection), never another exception, and the memory it holds and
 * allocates follows the bytes that arrived, not the lengths they announce.
 *
 * <p>CI runs {@code jqwik.tries.default} tries (see junit-platform.properties) with a fixed
 * seed; a long run: {@code -Djqwik.tries.default=1000000}.
 */
class RespDecoderFuzzProperties {

    static final String SEED = "20261130";
    private static final int MAX_ARGUMENT = 1 << 20;
    private static final long MAX_COMMAND = 4L << 20;

    private static final List<byte[]> SAMPLES = List.of(
            ascii("*3\r\n$3\r\nSET\r\n$5\r\nmykey\r\n$7\r\nmyvalue\r\n"),
            ascii("*2\r\n$3\r\nGET\r\n$5\r\nmykey\r\n*1\r\n$4\r\nPING\r\n"),
            ascii("*5\r\n$4\r\nMSET\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"),
            ascii("*1048576\r\n$16777216\r\n"),
            ascii("*2\r\n$4\r\nECHO\r\n$1048577\r\nxxxxxxxx"),
            ascii("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$-1\r\n"),
            ascii("PING\r\nECHO hello world\nSET k v\r\n"),
            ascii("*-1\r\n*0\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n"),
            ascii("*9999999999999999999\r\n"),
            ascii("$5\r\nhello\r\n:1\r\n+OK\r\n-ERR x\r\n"));

    @BeforeContainer
    static void printSeedAndWarmUp() {
        System.out.println("RespDecoderFuzzProperties jqwik seed=" + SEED);
        // The first pass through a path loads classes and links string concatenations, which
        // allocates far more than the decoder does: run every path before measuring.
        Random random = new Random(1);
        for (int i = 0; i < 3_000; i++) {
            byte[] input = i % 2 == 0 ? Mutations.mutate(SAMPLES.get(i % SAMPLES.size()), random, Mutations.RESP_ALPHABET)
                    : Mutations.randomFrom(Mutations.RESP_ALPHABET, random, random.nextInt(2048));
            feed(input, 1 + random.nextInt(64));
            harnessAllocation(input, 1 + random.nextInt(64));
        }
    }

    @Provide
    Arbitrary<byte[]> inputs() {
        Arbitrary<byte[]> mutated = Arbitraries.randomValue(random -> Mutations.mutate(
                SAMPLES.get(random.nextInt(SAMPLES.size())), random, Mutations.RESP_ALPHABET));
        Arbitrary<byte[]> alphabet = Arbitraries.randomValue(random -> Mutations.randomFrom(
                Mutations.RESP_ALPHABET, random, random.nextInt(2048)));
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(4096);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, mutated), net.jqwik.api.Tuple.of(3, alphabet), net.jqwik.api.Tuple.of(1, noise));
    }

    @Property(seed = SEED)
    void anyInputYieldsCommandsOrAProtocolErrorWithinTheMemoryBudget(
            @ForAll("inputs") byte[] input, @ForAll @IntRange(min = 1, max = 2048) int readSize) {
        Outcome outcome = feed(input, readSize);

        if (outcome.error != null) {
            assertThat(outcome.error).as("the only failure is a protocol error").hasCauseInstanceOf(RespProtocolException.class);
        }
        assertThat(outcome.worstRetainedOverArrived).as("bytes held beyond twice what arrived").isLessThanOrEqualTo(64 * 1024);
        // Less what the same reads allocate through a decoder that keeps nothing (wrappers, events).
        // A coarse bound (inline lines and protocol errors make short-lived strings and stack
        // traces): it catches the megabytes an allocation from an announced length would take.
        // What the decoder holds is bounded tightly above.
        long reads = (input.length + readSize - 1) / readSize;
        long decoderAllocated = outcome.allocated - harnessAllocation(input, readSize);
        assertThat(decoderAllocated).as("bytes the decoder allocated for %d bytes of input in %d reads", input.length, reads)
                .isLessThanOrEqualTo(128L * input.length + 256 * reads + (1 << 20));
    }

    /**
     * The long run, outside CI: {@code tries} inputs from the same generators (java.util.Random,
     * seeded), each checked as the property does; prints the count as it goes.
     */
    public static void main(String[] args) {
        long tries = Long.parseLong(args[0]);
        Random random = new Random(Long.parseLong(args.length > 1 ? args[1] : SEED));
        RespDecoderFuzzProperties properties = new RespDecoderFuzzProperties();
        printSeedAndWarmUp();
        for (long i = 1; i <= tries; i++) {
            byte[] input = switch (random.nextInt(10)) {
                case 0 -> Mutations.randomFrom(RANDOM_BYTES, random, random.nextInt(4096));
                case 1, 2, 3 -> Mutations.randomFrom(Mutations.RESP_ALPHABET, random, random.nextInt(2048));
                default -> Mutations.mutate(SAMPLES.get(random.nextInt(SAMPLES.size())), random, Mutations.RESP_ALPHABET);
            };
            properties.anyInputYieldsCommandsOrAProtocolErrorWithinTheMemoryBudget(input, 1 + random.nextInt(2048));
            if (i % 100_000 == 0 || i == tries) {
                System.out.println("RESP decoder fuzz: " + i + " inputs passed");
            }
        }
    }

    private static final byte[] RANDOM_BYTES = allBytes();

    private static byte[] allBytes() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        return all;
    }

    private static final class Outcome {
        DecoderException error;
        long worstRetainedOverArrived;
        long allocated;
    }

    private static long harnessAllocation(byte[] input, int readSize) {
        EmbeddedChannel channel = new EmbeddedChannel(new io.netty.handler.codec.ByteToMessageDecoder() {
            @Override
            protected void decode(io.netty.channel.ChannelHandlerContext ctx, io.netty.buffer.ByteBuf in, List<Object> out) {
                in.skipBytes(in.readableBytes());
            }
        });
        long allocated = Allocations.byThisThread(() -> {
            for (int offset = 0; offset < input.length; offset += readSize) {
                channel.writeInbound(Unpooled.wrappedBuffer(input, offset, Math.min(readSize, input.length - offset)));
            }
        });
        channel.finishAndReleaseAll();
        return allocated;
    }

    /** Feeds the input in reads of {@code readSize}; measures what the decoder holds and allocates. */
    static Outcome feed(byte[] input, int readSize) {
        RespDecoder decoder = new RespDecoder(MAX_ARGUMENT, "max-value-bytes", MAX_COMMAND);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        Outcome outcome = new Outcome();
        outcome.allocated = Allocations.byThisThread(() -> {
            try {
                for (int offset = 0; offset < input.length; offset += readSize) {
                    int length = Math.min(readSize, input.length - offset);
                    channel.writeInbound(Unpooled.wrappedBuffer(input, offset, length));
                    outcome.worstRetainedOverArrived = Math.max(outcome.worstRetainedOverArrived,
                            decoder.retainedBytes() - 2L * (offset + length));
                    for (Object out; (out = channel.readInbound()) != null; ) {
                        if (!(out instanceof RespCommand)) {
                            throw new AssertionError("decoded " + out);
                        }
                    }
                }
            } catch (DecoderException e) {
                outcome.error = e;
            }
        });
        channel.finishAndReleaseAll();
        return outcome;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Byte-level mutations shared by the fuzz properties: flips, splices, repeats, truncations. */
    static final class Mutations {
        static final byte[] RESP_ALPHABET = ascii("*$:+-\r\n0123456789 abcSETGET\"'\\");

        private Mutations() {
        }

        static byte[] randomFrom(byte[] alphabet, Random random, int length) {
            byte[] out = new byte[length];
            for (int i = 0; i < length; i++) {
                out[i] = alphabet[random.nextInt(alphabet.length)];
            }
            return out;
        }

        static byte[] mutate(byte[] sample, Random random, byte[] alphabet) {
            byte[] data = sample.clone();
            int rounds = 1 + random.nextInt(4);
            for (int r = 0; r < rounds; r++) {
                data = switch (random.nextInt(6)) {
                    case 0 -> flip(data, random);
                    case 1 -> insert(data, random, randomFrom(alphabet, random, 1 + random.nextInt(8)));
                    case 2 -> data.length == 0 ? data : java.util.Arrays.copyOf(data, random.nextInt(data.length));
                    case 3 -> repeat(data, random);
                    case 4 -> insert(data, random, String.valueOf(random.nextLong()).getBytes(StandardCharsets.US_ASCII));
                    default -> delete(data, random);
                };
            }
            return data;
        }

        private static byte[] flip(byte[] data, Random random) {
            if (data.length > 0) {
                data[random.nextInt(data.length)] = (byte) random.nextInt(256);
            }
            return data;
        }

        private static byte[] insert(byte[] data, Random random, byte[] piece) {
            int at = random.nextInt(data.length + 1);
            byte[] out = new byte[data.length + piece.length];
            System.arraycopy(data, 0, out, 0, at);
            System.arraycopy(piece, 0, out, at, piece.length);
            System.arraycopy(data, at, out, at + piece.length, data.length - at);
            return out;
        }

        private static byte[] delete(byte[] data, Random random) {
            if (data.length == 0) {
                return data;
            }
            int at = random.nextInt(data.length);
            int length = 1 + random.nextInt(Math.min(16, data.length - at));
            byte[] out = new byte[data.length - length];
            System.arraycopy(data, 0, out, 0, at);
            System.arraycopy(data, at + length, out, at, data.length - at - length);
            return out;
        }

        private static byte[] repeat(byte[] data, Random random) {
            int times = 1 + random.nextInt(Math.max(1, 8192 / Math.max(1, data.length)));
            byte[] out = new byte[data.length * Math.min(times, 64)];
            for (int i = 0; i < out.length; i += Math.max(1, data.length)) {
                System.arraycopy(data, 0, out, i, Math.min(data.length, out.length - i));
            }
            return out;
        }
    }
}
