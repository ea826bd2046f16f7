/**
 * Whether `pattern` covers `target`. A target is a stream name, or a prefix query written as
 * `prefix*` (every stream starting with `prefix`; `*` = every stream). A pattern is an exact name
 * or a prefix ending in `*`; it covers a prefix query only when that query lies wholly inside it.
 */
export function patternCovers(pattern: string, target: string): boolean {
  const isPrefixPattern = pattern.endsWith('*');
  const isPrefixTarget = target.endsWith('*');
  if (!isPrefixPattern) return !isPrefixTarget && pattern === target;
  const stem = pattern.slice(0, -1);
  return (isPrefixTarget ? target.slice(0, -1) : target).startsWith(stem);
}

/** Whether any of `patterns` covers `target` (see `patternCovers`). */
export function patternsCover(patterns: readonly string[], target: string): boolean {
  return patterns.some((pattern) => patternCovers(pattern, target));
}
