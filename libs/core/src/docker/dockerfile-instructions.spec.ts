import { describe, expect, it } from 'vitest';
import { heredocWords, parseDockerfile } from './dockerfile-instructions';

const read = (text: string) => parseDockerfile(text).instructions.map((instruction) => `${instruction.line} ${instruction.keyword}|${instruction.rest}`);

describe('parseDockerfile joins lines as BuildKit\'s parser does', () => {
  it.each([
    // A continuation line is appended as it is: no space added, its indentation kept.
    ['ENV PATH=/usr/local/bin:\\\n/opt/bin\n', ['1 ENV|PATH=/usr/local/bin:/opt/bin']],
    ['COPY dist\\\n/app\n', ['1 COPY|dist/app']],
    ['COPY a \\\n    b /x\n', ['1 COPY|a     b /x']],
    // Blanks after the escape character still continue; an escaped escape character does not.
    ['COPY a \\  \t\nb /x\n', ['1 COPY|a b /x']],
    ['RUN echo \\\\\nCOPY a /b\n', ['1 RUN|echo \\\\', '2 COPY|a /b']],
    // Empty lines and comments inside an instruction are skipped (BuildKit warns about the empty ones).
    ['COPY package.json \\\n\n   \n  # the lockfile too\n  package-lock.json ./\nCMD ["node"]\n', ['1 COPY|package.json   package-lock.json ./', '6 CMD|["node"]']],
    // The escape directive's character continues lines instead.
    ['# escape=`\nCOPY a `\n  b C:\\\\x\\\n', ['2 COPY|a   b C:\\\\x\\']],
    // Leading blanks of an instruction's first line are dropped; a file without a final newline ends its last instruction.
    ['   FROM x\n\tcopy a /b', ['1 FROM|x', '2 COPY|a /b']],
    ['FROM x\nRUN a \\', ['1 FROM|x', '2 RUN|a']],
  ])('%j', (text, expected) => {
    expect(read(text)).toEqual(expected);
  });
});

describe('heredocWords finds here-documents as BuildKit does (each word matching its reHeredoc)', () => {
  it.each([
    ['COPY <<EOF /etc/conf', [{ name: 'EOF', chomp: false }]],
    ['RUN <<-EOT bash', [{ name: 'EOT', chomp: true }]],
    ['COPY <<robots.txt <<humans.txt /usr/share/nginx/html/', [{ name: 'robots.txt', chomp: false }, { name: 'humans.txt', chomp: false }]],
    ['RUN <<"EOF" cat', [{ name: 'EOF', chomp: false }]],
    ["RUN python3 <<'my script' x", [{ name: 'my script', chomp: false }]],
    ['RUN 3<<EOF cat /dev/fd/3', [{ name: 'EOF', chomp: false }]],
    ['RUN cat <<<"a here-string"', []],
    ['RUN echo "a<<b" a<<b', []],
    ['RUN echo <<', []],
  ])('%s', (line, expected) => {
    expect(heredocWords(line)).toEqual(expected);
  });
});
