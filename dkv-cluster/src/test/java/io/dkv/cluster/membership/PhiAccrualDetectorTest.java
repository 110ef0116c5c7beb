package io.dkv.cluster.membership;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PhiAccrualDetectorTest {

    private static PhiAccrualDetector regularHeartbeats(long pause) {
        PhiAccrualDetector detector = new PhiAccrualDetector(8, pause, 100, 1_000);
        for (long t = 0; t <= 60_000; t += 1_000) {
            detector.heartbeat(t);
        }
        return detector;
    }

    @Test
    void suspicionGrowsWithSilence() {
        PhiAccrualDetector detector = regularHeartbeats(0);

        assertThat(detector.phi(60_500)).isLessThan(1);
        assertThat(detector.phi(61_200)).isGreaterThan(detector.phi(60_800));
        assertThat(detector.phi(62_000)).isGreaterThan(8);
    }

    @Test
    void theFailureInstantMatchesPhiReachingTheThreshold() {
        PhiAccrualDetector detector = regularHeartbeats(500);
        long failAt = 60_000 + detector.millisUntilFailed(60_000);

        assertThat(detector.isFailed(failAt - 1)).isFalse();
        assertThat(detector.isFailed(failAt)).isTrue();
        assertThat(detector.phi(failAt)).isCloseTo(8, within(0.2));
        assertThat(detector.isSuspect(failAt - 1)).isTrue();
    }

    @Test
    void theAcceptablePauseDelaysFailureByThatMuch() {
        long withoutPause = regularHeartbeats(0).millisUntilFailed(60_000);
        long withPause = regularHeartbeats(2_000).millisUntilFailed(60_000);

        assertThat(withPause - withoutPause).isBetween(1_999L, 2_001L);
    }

    @Test
    void skippedHeartbeatsDoNotLookLikeASlowPeer() {
        PhiAccrualDetector skipping = new PhiAccrualDetector(8, 0, 100, 1_000);
        PhiAccrualDetector everyOne = new PhiAccrualDetector(8, 0, 100, 1_000);
        for (long t = 0; t <= 60_000; t += 3_000) {
            skipping.heartbeats(t, 3);
        }
        for (long t = 0; t <= 60_000; t += 1_000) {
            everyOne.heartbeat(t);
        }

        assertThat(skipping.millisUntilFailed(60_000)).isCloseTo(everyOne.millisUntilFailed(60_000), within(150L));
    }

    @Test
    void noHeartbeatNoSuspicion() {
        PhiAccrualDetector detector = new PhiAccrualDetector(8, 0, 100, 1_000);

        assertThat(detector.hasHeartbeat()).isFalse();
        assertThat(detector.phi(1_000_000)).isZero();
        assertThat(detector.isFailed(1_000_000)).isFalse();
    }
}
