package io.dkv.server.acl;

import io.dkv.testkit.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Glob matching: the same answers as the straightforward recursive matcher (Redis's
 * stringmatchlen, kept here as the reference) on random patterns and keys, in time linear
 * in the key for a pattern full of stars.
 */
class GlobTest {

    static LongStream seeds() {
        return Seeds.seeds();
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void agreesWithTheRecursiveMatcher(long seed) {
        System.out.println(Seeds.describe(GlobTest.class, "GlobTest.agreesWithTheRecursiveMatcher", seed));
        SplittableRandom random = new SplittableRandom(seed);
        byte[] patternBytes = "ab*?[]^-\\c".getBytes(StandardCharsets.US_ASCII);
        byte[] textBytes = "abc-]^*\\".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 20_000; i++) {
            byte[] pattern = draw(random, patternBytes, random.nextInt(8));
            byte[] text = draw(random, textBytes, random.nextInt(8));
            assertThat(Glob.matches(pattern, text)).as("'%s' against '%s'", ascii(pattern), ascii(text))
                    .isEqualTo(Reference.matches(pattern, text));
        }
    }

    @Test
    void examples() {
        assertThat(match("user:*", "user:1")).isTrue();
        assertThat(match("user:*", "users:1")).isFalse();
        assertThat(match("h?llo", "hello")).isTrue();
        assertThat(match("h[ae]llo", "hallo")).isTrue();
        assertThat(match("h[^e]llo", "hello")).isFalse();
        assertThat(match("h[a-b]llo", "hbllo")).isTrue();
        assertThat(match("\\*", "*")).isTrue();
        assertThat(match("\\*", "a")).isFalse();
        assertThat(match("*", "")).isTrue();
        assertThat(match("?", "")).isFalse();
        assertThat(match("a*b*c", "axxbyyc")).isTrue();
        assertThat(match("a*b*c", "axxbyy")).isFalse();
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void manyStarsAgainstALongKeyTakeLinearTime() {
        byte[] key = "a".repeat(1 << 16).getBytes(StandardCharsets.US_ASCII);
        byte[] pattern = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b".getBytes(StandardCharsets.US_ASCII);
        assertThat(Glob.matches(pattern, key)).isFalse();
    }

    private static boolean match(String pattern, String text) {
        return Glob.matches(pattern.getBytes(StandardCharsets.UTF_8), text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] draw(SplittableRandom random, byte[] alphabet, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = alphabet[random.nextInt(alphabet.length)];
        }
        return out;
    }

    private static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** The recursive matcher: exponential with many stars, obviously right otherwise. */
    private static final class Reference {

        static boolean matches(byte[] p, byte[] s) {
            return match(p, 0, s, 0);
        }

        private static boolean match(byte[] p, int pi, byte[] s, int si) {
            while (pi < p.length) {
                byte c = p[pi];
                if (c == '*') {
                    for (int from = si; from <= s.length; from++) {
                        if (match(p, pi + 1, s, from)) {
                            return true;
                        }
                    }
                    return false;
                }
                if (si >= s.length) {
                    return false;
                }
                if (c == '?') {
                    si++;
                    pi++;
                } else if (c == '[') {
                    int end = pi + 1;
                    boolean negate = end < p.length && p[end] == '^';
                    if (negate) {
                        end++;
                    }
                    boolean found = false;
                    while (end < p.length && p[end] != ']') {
                        if (p[end] == '\\' && end + 1 < p.length) {
                            end++;
                            found |= p[end] == s[si];
                        } else if (end + 2 < p.length && p[end + 1] == '-' && p[end + 2] != ']') {
                            int low = Math.min(p[end] & 0xff, p[end + 2] & 0xff);
                            int high = Math.max(p[end] & 0xff, p[end + 2] & 0xff);
                            found |= (s[si] & 0xff) >= low && (s[si] & 0xff) <= high;
                            end += 2;
                        } else {
                            found |= p[end] == s[si];
                        }
                        end++;
                    }
                    if (found == negate) {
                        return false;
                    }
                    si++;
                    pi = Math.min(end + 1, p.length);
                } else {
                    if (c == '\\' && pi + 1 < p.length) {
                        pi++;
                        c = p[pi];
                    }
                    if (s[si] != c) {
                        return false;
                    }
                    si++;
                    pi++;
                }
            }
            return si == s.length;
        }
    }
}
