package io.dkv.cluster.coordinator;

import io.dkv.cluster.runtime.Cancellable;
import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.Scheduler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

import static org.assertj.core.api.Assertions.assertThat;

class SpeculationTimerTest {

    /** Virtual time: tasks run when {@link #advance} passes their time. */
    private static final class ManualTime implements Clock, Scheduler {
        private record Task(long at, long order, Runnable run) {
        }

        private final PriorityQueue<Task> tasks = new PriorityQueue<>(
                Comparator.comparingLong(Task::at).thenComparingLong(Task::order));
        private long now;
        private long order;
        int scheduled;

        void advance(long millis) {
            long until = now + millis;
            while (!tasks.isEmpty() && tasks.peek().at() <= until) {
                Task task = tasks.poll();
                now = task.at();
                task.run().run();
            }
            now = until;
        }

        @Override
        public long wallMillis() {
            return now;
        }

        @Override
        public long monotonicMillis() {
            return now;
        }

        @Override
        public long monotonicNanos() {
            return now * 1_000_000;
        }

        @Override
        public void execute(Runnable task) {
            schedule(0, task);
        }

        @Override
        public Cancellable schedule(long delayMillis, Runnable task) {
            scheduled++;
            tasks.add(new Task(now + delayMillis, order++, task));
            return () -> { };
        }

        @Override
        public Cancellable scheduleAtFixedRate(long initialDelayMillis, long periodMillis, Runnable task) {
            throw new UnsupportedOperationException();
        }
    }

    private final ManualTime time = new ManualTime();
    private final SpeculationTimer timer = new SpeculationTimer(time, time);
    private final List<String> ran = new ArrayList<>();

    @Test
    void runsEachEntryWhenDueWithOneTimerForMany() {
        for (int i = 0; i < 100; i++) {
            int read = i;
            timer.add(10, () -> ran.add("r" + read));
        }
        time.advance(9);
        assertThat(ran).isEmpty();
        time.advance(1);
        assertThat(ran).hasSize(100).startsWith("r0", "r1");
        assertThat(time.scheduled).as("one timer armed for a hundred reads").isEqualTo(1);
    }

    @Test
    void rearmsForWhatIsNotDueYetAndAfterGoingIdle() {
        timer.add(10, () -> ran.add("a"));
        time.advance(5);
        timer.add(10, () -> ran.add("b"));
        time.advance(5);
        assertThat(ran).containsExactly("a");
        time.advance(4);
        assertThat(ran).containsExactly("a");
        time.advance(1);
        assertThat(ran).containsExactly("a", "b");

        time.advance(100);
        timer.add(3, () -> ran.add("c"));
        time.advance(3);
        assertThat(ran).containsExactly("a", "b", "c");
    }

    @Test
    void oneFailingEntryDoesNotStopTheOthers() {
        timer.add(1, () -> {
            throw new IllegalStateException("broken");
        });
        timer.add(1, () -> ran.add("next"));
        time.advance(1);
        assertThat(ran).containsExactly("next");
    }
}
