package io.dkv.cli;

import io.dkv.cli.ChildProcesses.Result;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real browser: three node processes (RF 3), the page served by n1 opened
 * in headless Chromium by {@code src/test/browser/dashboard.test.mjs} (playwright-core), which
 * waits until the page shows every node up, kills n3 with {@code dkv cluster kill}, and must
 * see the page show n3 down within 10 s of the kill. Its screenshot of that page is kept as
 * {@code target/dashboard-artifacts/dashboard-node-down.png}.
 *
 * <p>Needs Node.js, Debian's Chromium at /usr/bin/chromium and {@code npm ci} run in
 * {@code dkv-cli/src/test/browser}; {@code .ci/run} sees to all three.
 */
class DashboardBrowserIT {

    private static final int NODES = 3;
    private static final String KILLED = "n3";
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private static ProcessCluster cluster;

    @BeforeAll
    static void clusterUp() {
        cluster = ProcessCluster.up("dashboard-browser-it", NODES);
    }

    @AfterAll
    static void clusterDown() {
        if (cluster != null) {
            cluster.down();
        }
    }

    @Test
    void theDashboardShowsAKilledNodeDownWithinTenSeconds() throws IOException {
        Path target = ChildProcesses.dkvJar().getParent();
        Path browserTest = target.getParent().resolve("src/test/browser");
        assertThat(browserTest.resolve("node_modules/playwright-core"))
                .as("playwright-core is not installed: run `npm ci` in %s (.ci/run does)", browserTest)
                .isDirectory();
        assertThat(Path.of("/usr/bin/chromium"))
                .as("Debian's Chromium is missing: apt-get install chromium (.ci/run does)")
                .isExecutable();

        Path artifacts = Files.createDirectories(target.resolve("dashboard-artifacts"));
        Path screenshot = artifacts.resolve("dashboard-node-down.png");
        Files.deleteIfExists(screenshot);
        Files.deleteIfExists(artifacts.resolve("dashboard-node-down-failed.png"));

        String dashboard = "http://127.0.0.1:" + httpPort("n1") + "/";
        awaitServing(URI.create(dashboard + "api/cluster"));

        List<String> command = new ArrayList<>(List.of("node", browserTest.resolve("dashboard.test.mjs").toString(),
                "--url", dashboard, "--nodes", String.valueOf(NODES), "--node", KILLED,
                "--screenshot", screenshot.toString(), "--"));
        command.addAll(ChildProcesses.dkvClientCommand("cluster", "kill", "--dir", cluster.dir().toString(), KILLED));
        Result browser = ChildProcesses.run(cluster.workDir(), command);
        System.out.print(browser.stdout());

        assertThat(browser.exitCode()).as(browser.describe()).isZero();
        assertThat(browser.stdout()).as(browser.describe())
                .contains("READY ", "killed " + KILLED + " (pid ", "DOWN " + KILLED + " shown down");
        assertNonTrivialPng(screenshot);
    }

    /** A node's HTTP port: base port + 2000 + its index counting from 0. */
    private static int httpPort(String node) {
        return cluster.httpPort(Integer.parseInt(node.substring(1)));
    }

    /** Waits until the node's HTTP server answers 200; the browser test then needs no retries to open the page. */
    private static void awaitServing(URI uri) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build();
        Awaitility.await("GET " + uri + " answering 200").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    private static void assertNonTrivialPng(Path png) throws IOException {
        assertThat(png).as("the screenshot").isRegularFile();
        byte[] bytes = Files.readAllBytes(png);
        assertThat(Arrays.copyOf(bytes, PNG_SIGNATURE.length)).as("PNG signature of %s", png).isEqualTo(PNG_SIGNATURE);
        assertThat(bytes.length).as("size of %s", png).isGreaterThan(10_000);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("%s decodes as an image", png).isNotNull();
        assertThat(image.getWidth()).as("width of %s", png).isGreaterThanOrEqualTo(800);
        assertThat(image.getHeight()).as("height of %s", png).isGreaterThanOrEqualTo(600);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 4) {
            for (int x = 0; x < image.getWidth(); x += 4) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertThat(colours.size()).as("distinct colours in %s (a blank page has one)", png).isGreaterThan(16);
    }
}
