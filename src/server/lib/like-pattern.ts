/** `text` as a LIKE/ILIKE pattern that matches it literally: `%`, `_` and `\` escaped (PostgreSQL's default escape). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
