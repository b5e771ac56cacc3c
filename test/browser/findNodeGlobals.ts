import { readFileSync } from "node:fs";
import path from "node:path";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

/** Globals Node has and a browser lacks. */
export const NODE_GLOBALS = ["Buffer", "process", "require", "module", "__dirname", "__filename", "setImmediate"] as const;

// Comments and string literals, matched left to right so a `//` inside a string is not a comment and vice versa.
const NOT_CODE = /\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g;
const GLOBAL_RE = new RegExp(`(?<![.\\w$])(?:${NODE_GLOBALS.join("|")})(?![\\w$])`, "g");

/**
 * The Node-only globals (`Buffer`, `process`, ...) that the code of each file (paths relative to the repository
 * root, or absolute) names outside comments and strings. A bundler resolves imports but not globals: these load fine and fail
 * in a browser only when the line runs. Property names (`x.process`) are not globals and are not reported.
 */
export function findNodeGlobals(files: readonly string[]): { file: string; name: string }[] {
  const found: { file: string; name: string }[] = [];
  for (const file of files) {
    const code = readFileSync(path.resolve(REPO_ROOT, file), "utf8").replace(NOT_CODE, " ");
    for (const name of new Set(code.match(GLOBAL_RE) ?? [])) found.push({ file, name });
  }
  return found;
}
