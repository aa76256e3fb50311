package zisk.distributed.coordinator.api;

import java.util.regex.Pattern;
import zisk.distributed.api.v1.ExecuteTaskResponse;

/**
 * Tells a busy refusal (the prover runs another task) from a failure of the task. Workers set
 * {@code busy}; workers that predate the field answer a failure with exactly the text {@code
 * "prover busy with task <task> of job <job>"}, which is recognized too.
 */
final class BusyRefusals {

  private static final Pattern LEGACY_TEXT =
      Pattern.compile("prover busy with task \\S{1,128} of job \\S{1,128}");

  private BusyRefusals() {}

  static boolean isBusy(ExecuteTaskResponse response) {
    return !response.getSuccess()
        && (response.getBusy() || LEGACY_TEXT.matcher(response.getErrorMessage()).matches());
  }
}
