package io.dkv.cli.bench;

/** How GETs and SETs are mixed: {@code 9:1} is nine GETs for every SET, {@code 0:1} only SETs. */
record Ratio(int gets, int sets) {

    Ratio {
        if (gets < 0 || sets < 0) {
            throw new IllegalArgumentException("--ratio (" + gets + ":" + sets + ") must not have a negative part");
        }
        if (gets == 0 && sets == 0) {
            throw new IllegalArgumentException("--ratio (0:0) must have at least one GET or SET");
        }
    }

    /** Parses {@code GET:SET}, two whole numbers, naming the expected form when the text is not one. */
    static Ratio parse(String text) {
        String[] parts = text.trim().split(":", -1);
        if (parts.length != 2) {
            throw malformed(text);
        }
        try {
            return new Ratio(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw malformed(text);
        }
    }

    private static IllegalArgumentException malformed(String text) {
        return new IllegalArgumentException("--ratio must be GET:SET as two whole numbers, e.g. 1:1 or 9:1, not '" + text + "'");
    }

    /** The share of requests that are GETs, 0 to 1. */
    double getShare() {
        return gets / ((double) gets + sets);
    }

    @Override
    public String toString() {
        return gets + ":" + sets;
    }
}
