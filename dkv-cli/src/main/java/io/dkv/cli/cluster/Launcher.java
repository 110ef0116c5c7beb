package io.dkv.cli.cluster;

import io.dkv.cli.Dkv;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

/** How to start another dkv process with the same Java and the same code as this one. */
final class Launcher {

    private Launcher() {
    }

    static List<String> javaCommand() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return List.of(java);
    }

    /** {@code -jar dkv.jar} when running from the jar; the class path and main class otherwise (tests). */
    static List<String> dkvMain() {
        try {
            Path location = Path.of(Dkv.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (location.toString().endsWith(".jar")) {
                return List.of("-jar", location.toString());
            }
        } catch (URISyntaxException | SecurityException e) {
            // Fall through to the class path.
        }
        return List.of("-cp", System.getProperty("java.class.path"), Dkv.class.getName());
    }

}
