package io.dkv.server.acl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One user as Redis's ACL rules define it: {@code user alice on >secret ~app:* +@all -@admin}.
 * Immutable; passwords are kept only as SHA-256 hashes, as Redis keeps them.
 *
 * @param name           the user's name
 * @param enabled        {@code on} or {@code off}: a disabled user cannot authenticate
 * @param nopass         any password (or none) authenticates this user
 * @param passwordHashes lower-case hex SHA-256 of each accepted password
 * @param commandRules   the command rules in order ({@code +@all}, {@code -@admin}, {@code +get},
 *                       {@code -client|list}); {@code +@all} and {@code -@all} restart the list
 * @param keys           key patterns; none means no key may be touched
 * @param allChannels    {@code &*}: kept for ACL LIST, dkv has no channels
 */
public record AclUser(String name, boolean enabled, boolean nopass, List<String> passwordHashes,
                      List<String> commandRules, List<KeyPattern> keys, boolean allChannels) {

    public static final String DEFAULT = "default";

    public AclUser {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalArgumentException("user name '" + name + "' must be printable ASCII without spaces");
        }
        passwordHashes = List.copyOf(passwordHashes);
        commandRules = List.copyOf(commandRules);
        keys = List.copyOf(keys);
    }

    /** A user with no rules: off, no passwords, no commands, no keys (Redis's new user). */
    public static AclUser empty(String name) {
        return new AclUser(name, false, false, List.of(), List.of(), List.of(), false);
    }

    /**
     * Parses a Redis ACL line, {@code user NAME rule...} (the leading {@code user} may be left
     * out). Errors are {@link IllegalArgumentException}s that name the rule.
     */
    public static AclUser parse(String line) {
        List<String> words = new ArrayList<>(List.of(line.trim().split("\\s+")));
        if (!words.isEmpty() && words.get(0).equalsIgnoreCase("user")) {
            words.remove(0);
        }
        if (words.isEmpty() || words.get(0).isEmpty()) {
            throw new IllegalArgumentException("expected 'user NAME rules...', got '" + line + "'");
        }
        AclUser user = empty(words.get(0));
        for (String rule : words.subList(1, words.size())) {
            user = user.apply(rule);
        }
        return user;
    }

    /** This user with one more rule applied. */
    public AclUser apply(String rule) {
        String lower = rule.toLowerCase(Locale.ROOT);
        List<String> hashes = new ArrayList<>(passwordHashes);
        List<String> commands = new ArrayList<>(commandRules);
        List<KeyPattern> patterns = new ArrayList<>(keys);
        boolean on = enabled;
        boolean anyPassword = nopass;
        boolean channels = allChannels;
        switch (lower) {
            case "on" -> on = true;
            case "off" -> on = false;
            case "nopass" -> {
                anyPassword = true;
                hashes.clear();
            }
            case "resetpass" -> {
                anyPassword = false;
                hashes.clear();
            }
            case "allkeys" -> patterns = new ArrayList<>(List.of(new KeyPattern("*", true, true)));
            case "resetkeys" -> patterns.clear();
            case "allchannels" -> channels = true;
            case "resetchannels" -> channels = false;
            case "allcommands" -> commands = new ArrayList<>(List.of("+@all"));
            case "nocommands" -> commands = new ArrayList<>(List.of("-@all"));
            case "reset" -> {
                return empty(name);
            }
            default -> {
                char first = rule.isEmpty() ? ' ' : rule.charAt(0);
                switch (first) {
                    case '>' -> {
                        add(hashes, sha256(rule.substring(1)));
                        anyPassword = false;
                    }
                    case '<' -> hashes.remove(sha256(rule.substring(1)));
                    case '#' -> {
                        add(hashes, checkHash(rule.substring(1)));
                        anyPassword = false;
                    }
                    case '!' -> hashes.remove(checkHash(rule.substring(1)));
                    case '~' -> patterns.add(new KeyPattern(rule.substring(1), true, true));
                    case '%' -> patterns.add(readWritePattern(rule));
                    case '&' -> channels = channels || rule.equals("&*");
                    case '+', '-' -> {
                        String target = lower.substring(1);
                        if (target.isEmpty()) {
                            throw new IllegalArgumentException("Error in ACL SETUSER modifier '" + rule + "': Syntax error");
                        }
                        if (target.equals("@all")) {
                            commands.clear();
                        } else if (target.startsWith("@")) {
                            AclCategory.parse(target);
                        }
                        commands.add(first + target);
                    }
                    default -> throw new IllegalArgumentException("Error in ACL SETUSER modifier '" + rule + "': Syntax error");
                }
            }
        }
        return new AclUser(name, on, anyPassword, hashes, commands, patterns, channels);
    }

    /**
     * Whether {@code password} authenticates this user. Compares hashes in constant time
     * and always against every stored hash, so the reply time says nothing about them.
     */
    public boolean accepts(String password) {
        if (!enabled) {
            return false;
        }
        if (nopass) {
            return true;
        }
        byte[] given = HexFormat.of().parseHex(sha256(password));
        boolean match = false;
        for (String stored : passwordHashes) {
            match |= MessageDigest.isEqual(given, HexFormat.of().parseHex(stored));
        }
        return match;
    }

    /** The user as {@code ACL LIST} prints it. */
    public String describe() {
        StringBuilder text = new StringBuilder("user ").append(name).append(enabled ? " on" : " off");
        if (nopass) {
            text.append(" nopass");
        }
        passwordHashes.forEach(hash -> text.append(" #").append(hash));
        if (keys.size() == 1 && keys.get(0).matchesEverything() && keys.get(0).read() && keys.get(0).write()) {
            text.append(" ~*");
        } else if (keys.isEmpty()) {
            text.append(" resetkeys");
        } else {
            keys.forEach(key -> text.append(' ').append(key.describe()));
        }
        text.append(allChannels ? " &*" : " resetchannels");
        if (commandRules.isEmpty() || !commandRules.get(0).equals("+@all") && !commandRules.get(0).equals("-@all")) {
            text.append(" -@all");
        }
        commandRules.forEach(rule -> text.append(' ').append(rule));
        return text.toString();
    }

    /** Lower-case hex SHA-256 of a password, the form Redis stores and ACL LIST shows. */
    public static String sha256(String password) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    private static void add(List<String> hashes, String hash) {
        if (!hashes.contains(hash)) {
            hashes.add(hash);
        }
    }

    private static String checkHash(String hex) {
        if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("Error in ACL SETUSER modifier '#" + hex
                    + "': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters");
        }
        return hex.toLowerCase(Locale.ROOT);
    }

    private static KeyPattern readWritePattern(String rule) {
        int tilde = rule.indexOf('~');
        String flags = tilde < 0 ? "" : rule.substring(1, tilde).toUpperCase(Locale.ROOT);
        if (tilde < 0 || flags.isEmpty() || !flags.chars().allMatch(c -> c == 'R' || c == 'W')) {
            throw new IllegalArgumentException("Error in ACL SETUSER modifier '" + rule + "': Syntax error");
        }
        return new KeyPattern(rule.substring(tilde + 1), flags.indexOf('R') >= 0, flags.indexOf('W') >= 0);
    }
}
