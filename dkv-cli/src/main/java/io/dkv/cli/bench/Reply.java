package io.dkv.cli.bench;

/**
 * One whole reply as the bench sees it: success, or an error with its text. The content of
 * successful replies is skipped, never kept.
 */
record Reply(String error) {

    static final Reply OK = new Reply(null);

    boolean isError() {
        return error != null;
    }
}
