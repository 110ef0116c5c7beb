package io.dkv.cli.bench;

/** The two requests a bench run sends. */
enum Operation {
    GET,
    SET
}
