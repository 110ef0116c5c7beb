package io.dkv.server.acl;

/**
 * Redis's glob matching ({@code stringmatchlen}) on raw key bytes: {@code *}, {@code ?},
 * {@code [abc]}, {@code [^a]}, {@code [a-z]} and {@code \} to escape. Stateless.
 */
public final class Glob {

    private Glob() {
    }

    public static boolean matches(byte[] pattern, byte[] text) {
        return match(pattern, 0, text, 0);
    }

    private static boolean match(byte[] p, int pi, byte[] s, int si) {
        while (pi < p.length) {
            byte c = p[pi];
            switch (c) {
                case '*' -> {
                    while (pi + 1 < p.length && p[pi + 1] == '*') {
                        pi++;
                    }
                    if (pi + 1 == p.length) {
                        return true;
                    }
                    for (int from = si; from <= s.length; from++) {
                        if (match(p, pi + 1, s, from)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> {
                    if (si >= s.length) {
                        return false;
                    }
                    si++;
                    pi++;
                }
                case '[' -> {
                    if (si >= s.length) {
                        return false;
                    }
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
                            int v = s[si] & 0xff;
                            found |= v >= low && v <= high;
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
                }
                default -> {
                    if (c == '\\' && pi + 1 < p.length) {
                        pi++;
                        c = p[pi];
                    }
                    if (si >= s.length || s[si] != c) {
                        return false;
                    }
                    si++;
                    pi++;
                }
            }
        }
        return si == s.length;
    }
}
