package io.dkv.server.acl;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ACL lines, key globs, password hashes and the protected-mode rule, without a server. */
class AclRulesTest {

    @Test
    void rulesApplyInOrderAndPasswordsAreKeptHashed() {
        AclUser user = AclUser.parse("user alice on >pw1 #" + AclUser.sha256("pw2") + " ~app:* %R~shared:* +@all -@admin +config|get");
        assertThat(user.passwordHashes()).containsExactly(AclUser.sha256("pw1"), AclUser.sha256("pw2"));
        assertThat(user.accepts("pw1")).isTrue();
        assertThat(user.accepts("pw2")).isTrue();
        assertThat(user.accepts("pw3")).isFalse();
        assertThat(user.describe()).doesNotContain("pw1");
        assertThat(user.commandRules()).containsExactly("+@all", "-@admin", "+config|get");
        assertThat(user.apply("off").accepts("pw1")).as("a disabled user").isFalse();
        assertThat(user.apply("nopass").accepts("anything")).isTrue();
        assertThat(AclUser.parse("bob on").accepts("")).as("no password and no nopass: nobody gets in").isFalse();
        assertThat(user.apply("allcommands").commandRules()).containsExactly("+@all");
    }

    @Test
    void badRulesAreRefusedByName() {
        assertThatThrownBy(() -> AclUser.parse("user x on +@nosuch")).hasMessageContaining("Unknown category 'nosuch'");
        assertThatThrownBy(() -> AclUser.parse("user x on #abc")).hasMessageContaining("64 characters");
        assertThatThrownBy(() -> AclUser.parse("user x on what")).hasMessageContaining("'what'");
        assertThatThrownBy(() -> Users.of(null, List.of("user x on >p ~* +@all", "user x on >q"))).hasMessageContaining("defined twice");
        assertThatThrownBy(() -> Users.of("pw", List.of("user default on >p ~* +@all"))).hasMessageContaining("keep one");
        AccessControl access = new AccessControl(Users.of(null, List.of("user x on >p ~* +nosuchcommand")));
        access.register("get", Set.of(AclCategory.READ));
        assertThatThrownBy(access::seal).hasMessageContaining("'+nosuchcommand': Unknown command or category name in ACL");
    }

    @Test
    void aRuleNamingACommandDkvRefusesLoadsAndGrantsNothing() {
        AccessControl access = new AccessControl(Users.of(null, List.of("user x on >p ~* +get +incr -multi +hset|x")),
                Set.of("INCR", "MULTI", "HSET"));
        int get = access.register("get", Set.of(AclCategory.READ));

        Permissions x = access.seal().authenticate("x", "p");

        assertThat(x.mayRun(get)).isTrue();
        assertThatThrownBy(new AccessControl(Users.of(null, List.of("user y on >p +incrx")), Set.of("INCR"))::seal)
                .as("a name dkv does not know at all is still refused").hasMessageContaining("'+incrx': Unknown command");
    }

    @Test
    void permissionsAreOneBitPerCommandAndKeysMatchGlobs() {
        AccessControl access = new AccessControl(Users.of(null, List.of("user r on >p %R~* %W~w:* +@read +set -get")));
        int get = access.register("get", Set.of(AclCategory.READ, AclCategory.FAST));
        int mget = access.register("mget", Set.of(AclCategory.READ, AclCategory.FAST));
        int set = access.register("set", Set.of(AclCategory.WRITE, AclCategory.SLOW));
        int del = access.register("del", Set.of(AclCategory.WRITE, AclCategory.SLOW));
        Permissions r = access.seal().authenticate("r", "p");
        assertThat(r.mayRun(get)).isFalse();
        assertThat(r.mayRun(mget)).isTrue();
        assertThat(r.mayRun(set)).isTrue();
        assertThat(r.mayRun(del)).isFalse();
        assertThat(r.mayAccess(bytes("anything"), true, false)).isTrue();
        assertThat(r.mayAccess(bytes("w:1"), false, true)).isTrue();
        assertThat(r.mayAccess(bytes("x:1"), false, true)).isFalse();
        assertThat(access.onConnect()).as("the default user needs no password").isNotNull();
        assertThat(access.authenticate("r", "wrong")).isNull();
    }

    @Test
    void globsMatchAsRedisDoes() {
        assertThat(Glob.matches(bytes("app:*"), bytes("app:1"))).isTrue();
        assertThat(Glob.matches(bytes("app:*"), bytes("ap"))).isFalse();
        assertThat(Glob.matches(bytes("a?c"), bytes("abc"))).isTrue();
        assertThat(Glob.matches(bytes("[a-c]x"), bytes("bx"))).isTrue();
        assertThat(Glob.matches(bytes("[^a-c]x"), bytes("bx"))).isFalse();
        assertThat(Glob.matches(bytes("a\\*"), bytes("a*"))).isTrue();
        assertThat(Glob.matches(bytes("a\\*"), bytes("ab"))).isFalse();
        assertThat(Glob.matches(bytes("*:*:*"), bytes("a:b:c"))).isTrue();
    }

    @Test
    void protectedModeWarnsOnlyForAnOpenNodeBeyondLoopback() {
        Users open = Users.open();
        Users locked = Users.of("pw", List.of());
        assertThat(ProtectedMode.exposed("127.0.0.1", open)).isFalse();
        assertThat(ProtectedMode.exposed("localhost", open)).isFalse();
        assertThat(ProtectedMode.exposed("0.0.0.0", open)).isTrue();
        assertThat(ProtectedMode.exposed("10.1.2.3", open)).isTrue();
        assertThat(ProtectedMode.exposed("0.0.0.0", locked)).isFalse();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
