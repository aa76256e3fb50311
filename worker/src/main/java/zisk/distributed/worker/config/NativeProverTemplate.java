package zisk.distributed.worker.config;

import static zisk.distributed.worker.config.ConfigTemplate.quote;
import static zisk.distributed.worker.config.ConfigTemplate.setting;

/** The {@code [prover.native]} part of the template {@code --generate-config} writes. */
final class NativeProverTemplate {

  private NativeProverTemplate() {}

  static void render(StringBuilder out) {
    NativeProverConfig defaults = NativeProverConfig.DEFAULT;
    out.append("\n# The native backend (backend = \"native\"): an external prover program that")
        .append(
            " speaks the\n# native prover contract on stdin/stdout (README, \"Native provers\").\n")
        .append("[prover.native]\n");
    setting(
        out,
        NativeProverSettings.COMMAND,
        "command",
        "[\"/opt/zisk/bin/zisk-prover-adaptor\", \"--proving-key\", \"/opt/zisk/provingKey\"]",
        false,
        "Default: none (required with backend = \"native\"). Flag: --prover-command \"CMD ARGS\".");
    setting(
        out,
        NativeProverSettings.GPUS,
        "gpus",
        quote("0,1"),
        false,
        "Default: unset (CUDA_VISIBLE_DEVICES as the worker has it). Flag: --gpus 0,1.");
    setting(
        out,
        NativeProverSettings.WORKING_DIR,
        "working_dir",
        quote("/var/lib/zisk"),
        false,
        "Default: the worker's working directory.");
    setting(
        out,
        NativeProverSettings.ENV,
        "env",
        "{ RUST_LOG = \"info\", ZISK_CACHE_DIR = \"/var/cache/zisk\" }",
        false,
        "Default: none. Flag: --prover-env NAME=VALUE (repeatable). The prover also gets the"
            + " worker's own environment, ZISK_PROVER_ID and, with gpus, CUDA_VISIBLE_DEVICES.");
    setting(
        out,
        NativeProverSettings.STARTUP_TIMEOUT,
        "startup_timeout_seconds",
        Long.toString(defaults.startupTimeout().toSeconds()),
        true,
        null);
    setting(
        out,
        NativeProverSettings.CANCEL_GRACE,
        "cancel_grace_seconds",
        Long.toString(defaults.cancelGrace().toSeconds()),
        true,
        null);
    setting(
        out,
        NativeProverSettings.KILL_GRACE,
        "kill_grace_seconds",
        Long.toString(defaults.killGrace().toSeconds()),
        true,
        null);

    out.append("\n[prover.native.timeouts]\n");
    setting(
        out,
        NativeProverSettings.CONTRIBUTE_TIMEOUT,
        "contribute_seconds",
        Long.toString(defaults.timeouts().contribute().toSeconds()),
        true,
        null);
    setting(
        out,
        NativeProverSettings.PROVE_TIMEOUT,
        "prove_seconds",
        Long.toString(defaults.timeouts().prove().toSeconds()),
        true,
        null);
    setting(
        out,
        NativeProverSettings.AGGREGATE_TIMEOUT,
        "aggregate_seconds",
        Long.toString(defaults.timeouts().aggregate().toSeconds()),
        true,
        null);
  }
}
