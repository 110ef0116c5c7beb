package io.dkv.server.acl;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The ACL categories of one command, and of its subcommands where they differ (Redis gives
 * {@code ACL WHOAMI} and {@code ACL LIST} different ones). Written as Redis prints them:
 * {@code CommandAcl.of("@read @string @fast")}.
 *
 * @param categories    the command's categories
 * @param subcommands   upper-case subcommand name to its categories; empty when the command has none
 */
public record CommandAcl(Set<AclCategory> categories, Map<String, Set<AclCategory>> subcommands) {

    public CommandAcl {
        if (categories.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least one ACL category");
        }
        categories = Set.copyOf(categories);
        subcommands = Map.copyOf(subcommands);
    }

    public static CommandAcl of(String categories) {
        return new CommandAcl(parse(categories), Map.of());
    }

    /** This command with subcommand {@code name} in the given categories. */
    public CommandAcl sub(String name, String categories) {
        Map<String, Set<AclCategory>> more = new LinkedHashMap<>(subcommands);
        more.put(name, parse(categories));
        return new CommandAcl(this.categories, more);
    }

    private static Set<AclCategory> parse(String text) {
        Set<AclCategory> set = EnumSet.noneOf(AclCategory.class);
        Arrays.stream(text.trim().split("\\s+")).filter(s -> !s.isEmpty()).map(AclCategory::parse).forEach(set::add);
        return set;
    }
}
