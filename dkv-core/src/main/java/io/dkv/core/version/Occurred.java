package io.dkv.core.version;

/**
 * Where one version stands relative to another. dkv's versions are totally ordered
 * (last write wins), so two versions are never concurrent; a vector-clock mode would add
 * a {@code CONCURRENT} value here.
 */
public enum Occurred {
    BEFORE,
    EQUAL,
    AFTER
}
