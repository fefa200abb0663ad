/**
 * Data (a file, folder or object name, a message read from a file or a tool) as it may appear in
 * a line of output: control characters, line and paragraph separators are shown as escapes
 * (`\n`, `\r`, `\t`, `\u001b` ...), so a newline in data never starts a new output line and an
 * escape sequence never reaches the terminal.
 */
export function printable(data: string): string {
  return data.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
