package io.dkv.server.acl;

/**
 * Redis's glob matching ({@code stringmatchlen}) on raw key bytes: {@code *}, {@code ?},
 * {@code [abc]}, {@code [^a]}, {@code [a-z]} and {@code \} to escape. Stateless.
 */
public final class Glob {

    private Glob() {
    }

    /**
     * Whether {@code text} matches {@code pattern}. Every token but {@code *} matches exactly
     * one byte, so a mismatch only ever needs to go back to the last {@code *} and let it take
     * one byte more (the classic two-pointer wildcard match): at most pattern x text steps,
     * where trying every split recursively is exponential in the number of stars, and a
     * client's {@code KEYS *a*a*a*a*a*b} against a long key would hold a thread for ages.
     */
    public static boolean matches(byte[] pattern, byte[] text) {
        int pi = 0;
        int si = 0;
        int starPi = -1;
        int starSi = 0;
        while (si < text.length) {
            if (pi < pattern.length && pattern[pi] == '*') {
                while (pi < pattern.length && pattern[pi] == '*') {
                    pi++;
                }
                starPi = pi;
                starSi = si;
                continue;
            }
            int next = pi < pattern.length ? matchOne(pattern, pi, text[si]) : -1;
            if (next >= 0) {
                pi = next;
                si++;
            } else if (starPi < 0) {
                return false;
            } else {
                starSi++;
                si = starSi;
                pi = starPi;
            }
        }
        while (pi < pattern.length && pattern[pi] == '*') {
            pi++;
        }
        return pi == pattern.length;
    }

    /**
     * Matches the one-byte token at {@code p[pi]} ({@code ?}, a class {@code [...]}, an
     * escaped or a plain byte) against {@code b}: the index of the next token, or -1.
     */
    private static int matchOne(byte[] p, int pi, byte b) {
        byte c = p[pi];
        if (c == '?') {
            return pi + 1;
        }
        if (c == '[') {
            int end = pi + 1;
            boolean negate = end < p.length && p[end] == '^';
            if (negate) {
                end++;
            }
            boolean found = false;
            while (end < p.length && p[end] != ']') {
                if (p[end] == '\\' && end + 1 < p.length) {
                    end++;
                    found |= p[end] == b;
                } else if (end + 2 < p.length && p[end + 1] == '-' && p[end + 2] != ']') {
                    int low = Math.min(p[end] & 0xff, p[end + 2] & 0xff);
                    int high = Math.max(p[end] & 0xff, p[end + 2] & 0xff);
                    int v = b & 0xff;
                    found |= v >= low && v <= high;
                    end += 2;
                } else {
                    found |= p[end] == b;
                }
                end++;
            }
            return found == negate ? -1 : Math.min(end + 1, p.length);
        }
        if (c == '\\' && pi + 1 < p.length) {
            return p[pi + 1] == b ? pi + 2 : -1;
        }
        return c == b ? pi + 1 : -1;
    }
}
