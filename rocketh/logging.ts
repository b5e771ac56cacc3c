/**
 * How loud the deploy scripts are when run in-process (tests, fixtures).
 *
 * rocketh logs through `named-logs`, whose shared logger factory hardhat-deploy installs (`named-logs-console`) and
 * switches to the "info" level for the namespaces `rocketh` and `@rocketh/node` as soon as hardhat.config.ts loads
 * the plugin. Every fixture deployment then printed a dozen lines ("- Executing ...", "- Deploying ... with tx",
 * the addresses) into the test log. `named-logs` keeps that factory on `globalThis._logFactory` so that every copy
 * of the package shares it; this module sets the level through it, without depending on either package.
 */

/** The namespaces of rocketh's loggers (rocketh/src/internal/logging.ts and its extensions). */
export const ROCKETH_LOG_NAMESPACES = ["rocketh", "@rocketh/node", "@rocketh/deploy", "rocketh-provider"] as const;

/** named-logs levels: 1 error, 2 warn, 3 info (rocketh's progress lines), 4 debug, 5 trace. */
export type DeployLogLevel = 1 | 2 | 3 | 4 | 5;

type LogFactory = (namespace: string) => { level: number | undefined };

/**
 * Sets the level of rocketh's loggers; returns false when no logger factory is installed (nothing is printed then).
 * Errors (level 1) still show at every level.
 */
export function setDeployLogLevel(level: DeployLogLevel): boolean {
  const factory = (globalThis as { _logFactory?: LogFactory })._logFactory;
  if (typeof factory !== "function") return false;
  for (const namespace of ROCKETH_LOG_NAMESPACES) factory(namespace).level = level;
  return true;
}
