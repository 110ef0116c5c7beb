package io.dkv.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Finds base ports whose whole dkv port layout (P+i, P+1000+i, P+2000+i, P+3000+i for TLS) is free on loopback. */
public final class Ports {

    private Ports() {
    }

    public static int freeBasePort(int nodes) {
        for (int attempt = 0; attempt < 200; attempt++) {
            // Below the kernel's ephemeral range (32768+), so outgoing connections cannot take our ports.
            int base = 10_000 + ThreadLocalRandom.current().nextInt(0, 1_900) * 10;
            if (allFree(base, nodes)) {
                return base;
            }
        }
        throw new IllegalStateException("no free base port found for " + nodes + " nodes");
    }

    private static boolean allFree(int base, int nodes) {
        for (int offset : new int[]{0, 1000, 2000, 3000}) {
            for (int i = 0; i < nodes; i++) {
                if (!free(base + offset + i)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
