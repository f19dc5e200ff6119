import { describe, expect, it } from 'vitest';
import { processShellWord, ShellWordError } from './shell-word';

const vars = new Map<string, string | undefined>([
  ['APP', 'orders'],
  ['PATH_', 'apps/orders/src/main.ts'],
  ['EMPTY', ''],
  ['VERSION', '24.11.1'],
  ['UNSET', undefined],
]);
const word = (text: string, escape?: string) => processShellWord(text, vars, escape);

describe('processShellWord (a Dockerfile word as BuildKit reads it)', () => {
  it.each([
    ['apps/$APP/dist', 'apps/orders/dist'],
    ['apps/${APP}_v2', 'apps/orders_v2'],
    ['${MISSING}x', 'x'],
    ['${UNSET:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${APP:+set}', 'set'],
    ['${EMPTY:+set}', ''],
    ['${EMPTY+set}', 'set'],
    ['${MISSING:-apps/$APP}', 'apps/orders'],
    // Patterns (Dockerfile 1.7+): shortest and longest, from the start and the end.
    ['${PATH_#*/}', 'orders/src/main.ts'],
    ['${PATH_##*/}', 'main.ts'],
    ['${PATH_%/*}', 'apps/orders/src'],
    ['${PATH_%%/*}', 'apps'],
    ['${VERSION%.*}', '24.11'],
    ['${VERSION%%.*}', '24'],
    ['${VERSION#2?.}', '11.1'],
    ['${PATH_/orders/billing}', 'apps/billing/src/main.ts'],
    ['${VERSION//./-}', '24-11-1'],
    ['${APP/o*/x$&}', 'x$&'],
    // Quotes: single literal, double with $ expanded; escapes.
    ['"apps/$APP"/dist', 'apps/orders/dist'],
    ["'apps/$APP'", 'apps/$APP'],
    ['\\$APP', '$APP'],
    ['"a\\"b\\$APP\\x"', 'a"b$APP\\x'],
    ['$', '$'],
    ['a$-b', 'a$-b'],
    ['$1x', 'x'],
  ])('%s → %s', (text, expected) => expect(word(text)).toBe(expected));

  it('takes the escape character the Dockerfile sets', () => {
    expect(word('`$APP', '`')).toBe('$APP');
    expect(word('C:\\app', '`')).toBe('C:\\app');
  });

  it.each([
    ['"apps', 'matching double quote'],
    ["'apps", 'matching single quote'],
    ['${APP', 'matching }'],
    ['${:x}', 'bad substitution'],
    ['${APP:#x}', 'unsupported modifier (:#)'],
    ['${APP^^}', 'unsupported modifier (^)'],
    ['${UNSET:?set APP_NAME}', 'UNSET: set APP_NAME'],
    ['${EMPTY:?}', 'EMPTY: is not allowed to be empty'],
    ['${UNSET?}', 'UNSET: is not allowed to be unset'],
  ])('refuses %s as BuildKit does (%s)', (text, message) => {
    expect(() => word(text)).toThrow(ShellWordError);
    expect(() => word(text)).toThrow(message);
  });
});
