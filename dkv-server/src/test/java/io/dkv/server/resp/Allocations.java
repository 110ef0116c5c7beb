package io.dkv.server.resp;

/** Measuring what a piece of code allocates, for tests that bound memory. */
public final class Allocations {

    private Allocations() {
    }

    /** Heap bytes this thread allocated while running {@code action} (HotSpot's per-thread counter). */
    public static long byThisThread(Runnable action) {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        action.run();
        return threads.getThreadAllocatedBytes(id) - before;
    }
}
