package io.dkv.cli;

import picocli.CommandLine;

/** Reports the version Maven stamped into the jar. */
final class DkvVersion implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = Dkv.class.getPackage().getImplementationVersion();
        return new String[]{"dkv " + (version == null ? "(development build)" : version)};
    }
}
