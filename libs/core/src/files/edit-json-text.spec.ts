import { describe, expect, it } from 'vitest';
import { editJsonText } from './edit-json-text';

describe('editJsonText', () => {
  it("keeps every line it does not change (inline arrays, comments, 4-space indents), adding in the file's own indentation", () => {
    // lukevella/rallly's turbo.json layout (biome): short arrays on one line.
    const original = [
      '{',
      '    // tasks turbo runs',
      '    "globalDependencies": [".env"],',
      '    "tasks": {',
      '        "build": { "dependsOn": ["^build"], "outputs": [".next/**"] }',
      '    }',
      '}',
      '',
    ].join('\n');
    const next = { globalDependencies: ['.env'], tasks: { build: { dependsOn: ['^build'], outputs: ['.next/**'] }, image: { cache: false } } };
    const edited = editJsonText(original, next);
    expect(edited).toContain('    // tasks turbo runs\n    "globalDependencies": [".env"],\n');
    expect(edited).toContain('        "build": { "dependsOn": ["^build"], "outputs": [".next/**"] },\n        "image": {\n            "cache": false\n        }\n');
    expect(JSON.parse(edited.replace('    // tasks turbo runs\n', ''))).toEqual(next);
  });

  it('changes, removes and adds nested properties; tabs and CRLF kept', () => {
    const original = '{\r\n\t"name": "web",\r\n\t"scripts": { "build": "vite build", "old": "x" }\r\n}\r\n';
    const edited = editJsonText(original, { name: 'web', scripts: { build: 'vite build --mode prod', image: 'hashdock image' }, nx: { targets: {} } });
    expect(JSON.parse(edited)).toEqual({ name: 'web', scripts: { build: 'vite build --mode prod', image: 'hashdock image' }, nx: { targets: {} } });
    expect(edited.startsWith('{\r\n\t"name": "web",\r\n')).toBe(true);
    expect(edited).not.toContain('"old"');
    expect(edited).toContain('\r\n\t"nx": {');
    expect(edited.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('writes new arrays as the formatters do: on one line when short, one item per line when not', () => {
    const edited = editJsonText('{\n  "tasks": {}\n}\n', { tasks: { image: { dependsOn: ['build', '^image'], passThroughEnv: ['DOCKER_*', 'SSH_AUTH_SOCK', 'GITHUB_STEP_SUMMARY', 'GITHUB_HEAD_REF', 'GITHUB_REF_NAME'] } } });
    expect(edited).toBe(
      [
        '{',
        '  "tasks": {',
        '    "image": {',
        '      "dependsOn": ["build", "^image"],',
        '      "passThroughEnv": [',
        '        "DOCKER_*",',
        '        "SSH_AUTH_SOCK",',
        '        "GITHUB_STEP_SUMMARY",',
        '        "GITHUB_HEAD_REF",',
        '        "GITHUB_REF_NAME"',
        '      ]',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it("appends items to an array whose items are unchanged (nx.json's plugins gaining an entry), the others as written", () => {
    const original = '{\n  "plugins": [\n    { "plugin": "@nx/js/typescript", "options": { "build": false } }\n  ],\n  "tags": ["a"]\n}\n';
    const entry = { plugin: '@hashdock/nx-plugin', options: { namespace: 'acme' } };
    const edited = editJsonText(original, { plugins: [{ plugin: '@nx/js/typescript', options: { build: false } }, entry], tags: ['a', 'b'] });
    expect(edited).toBe(
      [
        '{',
        '  "plugins": [',
        '    { "plugin": "@nx/js/typescript", "options": { "build": false } },',
        '    {',
        '      "plugin": "@hashdock/nx-plugin",',
        '      "options": {',
        '        "namespace": "acme"',
        '      }',
        '    }',
        '  ],',
        '  "tags": ["a", "b"]',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('is the original text itself when nothing changed', () => {
    const original = '{ "a": [1, 2], "b": { "c": true } }\n';
    expect(editJsonText(original, { a: [1, 2], b: { c: true } })).toBe(original);
  });
});
