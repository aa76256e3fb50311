package zisk.distributed.worker.inputs;

/**
 * A task's {@code input_path} broke one of the worker's input rules. The message names the rule and
 * never the file's content, so it can go back to the coordinator as the task's error.
 */
public final class InputRefusedException extends Exception {

  public InputRefusedException(String rule) {
    super(rule, null, false, false);
  }
}
