package zisk.distributed.worker.config;

import zisk.distributed.common.config.ConfigKey;

/**
 * The TOML file {@code --generate-config} writes: every setting with its meaning, environment
 * variable and default, commented out. Left as generated the file changes nothing: a setting in the
 * file would beat its {@code DISTRIBUTED_*} variable, so a template that spelled out the defaults
 * would silently disable the environment. Uncommented, a setting with a fixed default shows exactly
 * that default; the machine-dependent ones (prover id, compute units) and the log file show
 * examples.
 */
public final class ConfigTemplate {

  private ConfigTemplate() {}

  public static String render() {
    StringBuilder out = new StringBuilder();
    out.append("# ZisK distributed worker configuration.\n")
        .append(
            "# Priority: command-line flags > this file (--config or CONFIG_PATH) > DISTRIBUTED_* variables > defaults.\n")
        .append("# Every setting is commented out: uncomment one to set it here.\n");

    out.append("\n[server]\n");
    setting(
        out,
        WorkerSettings.SERVER_URL,
        "url",
        quote(WorkerSettings.DEFAULT_SERVER_URL),
        true,
        "Example with failover: url = \"http://coord-a:8080,http://coord-b:8080\"");
    setting(
        out,
        WorkerSettings.CA_FILE,
        "ca_file",
        quote("/etc/zisk/ca.pem"),
        false,
        "Default: none (https:// URLs trust the system trust store).");
    setting(
        out,
        WorkerSettings.TLS_CERT_FILE,
        "tls_cert_file",
        quote("/etc/zisk/worker.pem"),
        false,
        "Default: none (no client certificate).");
    setting(
        out,
        WorkerSettings.TLS_KEY_FILE,
        "tls_key_file",
        quote("/etc/zisk/worker-key.pem"),
        false,
        "Default: none.");

    out.append("\n[prover]\n");
    setting(
        out,
        WorkerSettings.PROVER_ID,
        "prover_id",
        quote("my-prover-01"),
        false,
        "Default: a random UUID, new at every start.");
    setting(
        out, WorkerSettings.BACKEND, "backend", quote(WorkerSettings.DEFAULT_BACKEND), true, null);
    setting(
        out,
        WorkerSettings.INPUTS_DIRS,
        "inputs_dirs",
        "[" + quote(WorkerSettings.DEFAULT_INPUTS_DIR) + "]",
        true,
        "Example: inputs_dirs = [\"/srv/zisk/inputs\", \"/mnt/blocks\"]");
    setting(
        out,
        WorkerSettings.MAX_INPUT_BYTES,
        "max_input_bytes",
        Long.toString(WorkerSettings.DEFAULT_MAX_INPUT_BYTES),
        true,
        null);

    NativeProverTemplate.render(out);

    out.append("\n[prover.compute_capacity]\n");
    setting(
        out,
        WorkerSettings.COMPUTE_UNITS,
        "compute_units",
        "8",
        false,
        "Default: the number of CPUs of this machine.");

    out.append("\n[connection]\n");
    setting(
        out,
        WorkerSettings.RECONNECT_INTERVAL,
        "reconnect_interval_seconds",
        Long.toString(WorkerSettings.DEFAULT_RECONNECT_INTERVAL.toSeconds()),
        true,
        null);
    setting(
        out,
        WorkerSettings.MAX_RECONNECT_INTERVAL,
        "max_reconnect_interval_seconds",
        Long.toString(WorkerSettings.DEFAULT_MAX_RECONNECT_INTERVAL.toSeconds()),
        true,
        null);
    setting(
        out,
        WorkerSettings.HEARTBEAT_TIMEOUT,
        "heartbeat_timeout_seconds",
        Long.toString(WorkerSettings.DEFAULT_HEARTBEAT_TIMEOUT.toSeconds()),
        true,
        null);

    out.append("\n[inputs]\n");
    setting(
        out,
        InputCacheSettings.CACHE_DIR,
        "cache_dir",
        quote("/var/cache/zisk/inputs"),
        false,
        null);
    setting(
        out,
        InputCacheSettings.CACHE_MAX_BYTES,
        "cache_max_bytes",
        Long.toString(InputCacheSettings.DEFAULT_MAX_BYTES),
        true,
        null);

    out.append("\n[auth]\n");
    setting(
        out,
        WorkerSettings.TOKEN,
        "token",
        quote("<secret from `zisk token new --role prover`>"),
        false,
        "Default: none. Keep this file readable by the worker's user only.");

    out.append("\n[logging]\n");
    setting(
        out,
        WorkerSettings.LOGGING_LEVEL,
        "level",
        quote(WorkerSettings.DEFAULT_LOGGING_LEVEL),
        true,
        null);
    setting(
        out,
        WorkerSettings.LOGGING_FORMAT,
        "format",
        quote(WorkerSettings.DEFAULT_LOGGING_FORMAT),
        true,
        null);
    setting(
        out,
        WorkerSettings.LOGGING_FILE_PATH,
        "file_path",
        quote("/var/log/zisk-worker.log"),
        false,
        "Default: none (standard error).");

    out.append("\n[metrics]\n");
    setting(out, WorkerSettings.METRICS_PORT, "port", "9401", false, "Default: 0 (no endpoint).");
    setting(out, WorkerSettings.METRICS_HOST, "host", quote("0.0.0.0"), true, null);
    return out.toString();
  }

  static void setting(
      StringBuilder out,
      ConfigKey key,
      String name,
      String value,
      boolean fixedDefault,
      String note) {
    out.append("\n# ").append(key.description()).append('\n');
    out.append("# Environment: ").append(key.envVar()).append('\n');
    if (fixedDefault) {
      out.append("# Default: ").append(value).append('\n');
    }
    if (note != null) {
      out.append("# ").append(note).append('\n');
    }
    out.append("# ").append(name).append(" = ").append(value).append('\n');
  }

  static String quote(String text) {
    return '"' + text + '"';
  }
}
