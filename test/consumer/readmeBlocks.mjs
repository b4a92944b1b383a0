// Code blocks of README.md tagged for the consumer test: a fence's info string `<lang> consumer:<name>`
// (GitHub shows the language and ignores the rest), e.g. ```sh consumer:setup or ```ts consumer:src/main.ts.
import fs from 'node:fs';

/**
 * @param {string} readmePath the README to read
 * @returns {Map<string, string>} block name → its text (without the fences)
 * @throws Error when a tag appears twice
 */
export function readConsumerBlocks(readmePath) {
  const text = fs.readFileSync(readmePath, 'utf8');
  const blocks = new Map();
  const fence = /^```[a-z]*[ \t]+consumer:(\S+)[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;
  for (const m of text.matchAll(fence)) {
    if (blocks.has(m[1])) throw new Error(`README.md: block consumer:${m[1]} appears twice`);
    blocks.set(m[1], m[2]);
  }
  return blocks;
}

/**
 * The commands of a shell block: one per line, comments (` # …`) and blank lines dropped.
 * @param {string} block the block's text
 * @returns {string[]}
 */
export function shellCommands(block) {
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
