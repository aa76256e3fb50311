package zisk.distributed.common.inputs;

/**
 * A job's {@code input_path} broke one of the input rules ({@link InputFiles}). The message names
 * the rule and never the file's content, so it can go back to the coordinator as a task's error or
 * be kept as a verifier failure.
 */
public final class InputRefusedException extends Exception {

  public InputRefusedException(String rule) {
    super(rule, null, false, false);
  }
}
