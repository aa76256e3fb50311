package zisk.distributed.e2e;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * A fault test run once, or {@code -Dzisk.faults.trials=N} times (the fault suite's long mode):
 * each trial is a fresh test instance, so it starts its own cluster and temporary directory.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(FaultTrials.Repeater.class)
@interface FaultTrials {

  /** The same property as the reliability suite's. */
  String PROPERTY = "zisk.faults.trials";

  /** Provides one invocation per trial. */
  final class Repeater implements TestTemplateInvocationContextProvider {
    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
      return true;
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(
        ExtensionContext context) {
      int trials = Math.max(1, Integer.getInteger(PROPERTY, 1));
      return IntStream.rangeClosed(1, trials).mapToObj(Repeater::trial);
    }

    private static TestTemplateInvocationContext trial(int number) {
      return new TestTemplateInvocationContext() {
        @Override
        public String getDisplayName(int invocationIndex) {
          return "trial " + number;
        }
      };
    }
  }
}
