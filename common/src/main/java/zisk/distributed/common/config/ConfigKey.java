package zisk.distributed.common.config;

/**
 * One configuration setting as it is spelled in each source.
 *
 * @param fileKey dotted TOML key, for example {@code server.port}
 * @param envVar environment variable, for example {@code DISTRIBUTED_SERVER_PORT}
 * @param description one line for the configuration reference
 */
public record ConfigKey(String fileKey, String envVar, String description) {}
