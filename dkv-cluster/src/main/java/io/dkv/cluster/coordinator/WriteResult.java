package io.dkv.cluster.coordinator;

import io.dkv.core.version.Version;

/**
 * A write (or delete) that reached its consistency level.
 *
 * @param version  the version the write was stamped with
 * @param hadValue whether any replica that answered held a live value for the key before
 */
public record WriteResult(Version version, boolean hadValue) {
}
