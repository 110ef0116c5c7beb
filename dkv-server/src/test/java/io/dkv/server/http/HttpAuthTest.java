package io.dkv.server.http;

import io.dkv.core.InvalidConfigException;
import io.dkv.server.LocalCluster;
import io.dkv.server.config.SettingsBuilder;
import io.dkv.testkit.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** With {@code http-auth}, every page of the HTTP port asks for a user's credentials (HTTP Basic). */
class HttpAuthTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LocalCluster cluster;
    private static int httpPort;

    @BeforeAll
    static void start() {
        int basePort = Ports.freeBasePort(1);
        httpPort = basePort + 2000;
        cluster = LocalCluster.start(1, 1, basePort, builder -> builder.set("requirepass", "secret")
                .set("users", "user ops on >ops-pass ~* +@all").set("http-auth", "yes"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static HttpResponse<String> get(String path, String credentials) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(10));
        if (credentials != null) {
            request.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyPageNeedsCredentials() throws Exception {
        for (String path : new String[] {"/", "/health", "/metrics", "/api/cluster"}) {
            HttpResponse<String> anonymous = get(path, null);
            assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).as(path).hasValueSatisfying(
                    value -> assertThat(value).startsWith("Basic realm=\"dkv\""));
            assertThat(get(path, "ops:wrong").statusCode()).as(path).isEqualTo(401);
        }
        assertThat(get("/metrics", "ops:ops-pass").statusCode()).isEqualTo(200);
        assertThat(get("/health", "default:secret").statusCode()).isEqualTo(200);
        assertThat(get("/", ":secret").statusCode()).as("an empty user name is the default user").isEqualTo(200);
    }

    @Test
    void httpAuthWithoutAPasswordIsRefusedAtStart() {
        assertThatThrownBy(() -> new SettingsBuilder().set("http-auth", "yes").build())
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("http-auth (yes) needs a password");
    }
}
