/** A string as a literal inside a RegExp (Node 20 has no RegExp.escape). */
export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
