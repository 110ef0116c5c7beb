package io.dkv.core;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.SplittableRandom;

/**
 * Gives every jqwik property a fixed seed, so that a run is repeatable, and prints the seed
 * with the command that replays it. jqwik itself picks a fresh random seed per run.
 *
 * <ul>
 *   <li>by default: {@link #DEFAULT_SEED};</li>
 *   <li>{@code -Ddkv.jqwik.seed=S}: seed S (to replay a printed run);</li>
 *   <li>{@code -Ddkv.jqwik.seed=random}: a fresh seed per property (to explore), printed too.</li>
 * </ul>
 * A property that names its own seed ({@code @Property(seed = "...")}) keeps it.
 *
 * <p>Registered for every property of this module in
 * {@code META-INF/services/net.jqwik.api.lifecycle.LifecycleHook}.
 */
public final class RepeatableJqwikSeeds implements AroundPropertyHook {

    static final String PROPERTY = "dkv.jqwik.seed";
    static final String DEFAULT_SEED = "20261130";

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        if (context.attributes().seed().isEmpty()) {
            context.attributes().setSeed(chosenSeed());
        }
        PropertyExecutionResult result = property.execute();
        String seed = result.seed().orElseGet(() -> context.attributes().seed().orElse("unknown"));
        System.out.println(context.containerClass().getSimpleName() + "." + context.targetMethod().getName()
                + " jqwik seed=" + seed + " (replay: " + replayCommand(context.containerClass(), seed) + ")");
        return result;
    }

    /** Registered once, for the whole run: applies to every property below. */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    /** Outermost, so that the seed is set before any other hook runs the property. */
    @Override
    public int aroundPropertyProximity() {
        return -100;
    }

    static String chosenSeed() {
        String configured = System.getProperty(PROPERTY);
        if (configured == null || configured.isBlank()) {
            return DEFAULT_SEED;
        }
        if (configured.trim().equalsIgnoreCase("random")) {
            return Long.toString(new SplittableRandom().nextLong());
        }
        return Long.toString(Long.parseLong(configured.trim()));
    }

    static String replayCommand(Class<?> container, String seed) {
        Class<?> topLevel = container;
        while (topLevel.getEnclosingClass() != null) {
            topLevel = topLevel.getEnclosingClass();
        }
        return "mvn -pl " + moduleOf(topLevel) + " -am test -Dtest=" + topLevel.getSimpleName()
                + " -Dsurefire.failIfNoSpecifiedTests=false -D" + PROPERTY + "=" + seed;
    }

    /** The module folder above {@code target/test-classes}, or {@code <module>} when loaded from elsewhere. */
    private static String moduleOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        try {
            Path target = source == null ? null : Path.of(source.getLocation().toURI()).getParent();
            if (target != null && target.getFileName().toString().equals("target")
                    && Files.isRegularFile(target.getParent().resolve("pom.xml"))) {
                return target.getParent().getFileName().toString();
            }
        } catch (URISyntaxException | RuntimeException e) {
            return "<module>";
        }
        return "<module>";
    }
}
