package io.dkv.testkit.sim;

import io.dkv.cluster.runtime.Cancellable;
import io.dkv.cluster.runtime.Scheduler;

/**
 * One node incarnation's scheduler. When the node crashes, its tasks simply stop running:
 * a crashed process does nothing more.
 */
final class SimScheduler implements Scheduler {

    private final Simulation simulation;
    private boolean dead;

    SimScheduler(Simulation simulation) {
        this.simulation = simulation;
    }

    /** Stops every task of this incarnation, now and forever. */
    void kill() {
        dead = true;
    }

    boolean isDead() {
        return dead;
    }

    @Override
    public void execute(Runnable task) {
        schedule(0, task);
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
        return simulation.schedule(delayMillis, () -> {
            if (!dead) {
                task.run();
            }
        });
    }

    @Override
    public Cancellable scheduleAtFixedRate(long initialDelayMillis, long periodMillis, Runnable task) {
        Periodic periodic = new Periodic(periodMillis, task);
        periodic.next = schedule(initialDelayMillis, periodic);
        return periodic;
    }

    private final class Periodic implements Runnable, Cancellable {
        private final long periodMillis;
        private final Runnable task;
        private Cancellable next;
        private boolean cancelled;

        Periodic(long periodMillis, Runnable task) {
            this.periodMillis = periodMillis;
            this.task = task;
        }

        @Override
        public void run() {
            if (cancelled) {
                return;
            }
            next = schedule(periodMillis, this);
            task.run();
        }

        @Override
        public void cancel() {
            cancelled = true;
            next.cancel();
        }
    }
}
