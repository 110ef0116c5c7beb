package io.dkv.cluster.coordinator;

import io.dkv.core.version.Version;

/**
 * A write (or delete) that reached its consistency level.
 *
 * @param version  the version the write was stamped with
 * @param hadValue whether any replica that answered held a live value for the key before
 * @param sloppy   whether stand-ins took part because fewer than the level's replicas were
 *                 up: such a write is outside the quorum guarantee (a later read may not see
 *                 it until hints are handed off)
 */
public record WriteResult(Version version, boolean hadValue, boolean sloppy) {
}
