/** One recipe line of a Makefile: the shell command make runs (from the Makefile's folder) for a target. */
export interface MakeRecipe {
  target: string;
  command: string;
}

/** Make's own rule lines: `target [target…]: [prerequisites]`, not a variable assignment (`:=`, `::=`). */
const RULE = /^([^\s#=:][^#=:]*?)\s*::?(?![:=])/;

/**
 * The recipes of a Makefile, in order, each with the first target of its rule (`.PHONY`-like special
 * targets aside). Lines continued with a backslash are one command; the `@`, `-` and `+` prefixes are
 * dropped; `$$` is the shell's `$`, and a make variable (`$(NAME)`, `${NAME}`) stays, a value known only
 * when make runs. Conditionals, `define` blocks and included files are not followed.
 */
export function makefileRecipes(text: string): MakeRecipe[] {
  const recipes: MakeRecipe[] = [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let target: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i].replace(/^\t/, '')}`;
    if (line.startsWith('\t')) {
      const command = line.slice(1).replace(/^[\s@+-]+/, '').replace(/\$\$/g, '$');
      if (target !== undefined && command && !command.startsWith('#')) recipes.push({ target, command });
      continue;
    }
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const rule = RULE.exec(line);
    const first = rule?.[1].trim().split(/\s+/)[0];
    // Special targets (`.PHONY`, `.SILENT`) hold no recipe to run; a variable assignment ends the rule.
    target = first && !first.startsWith('.') ? first : undefined;
  }
  return recipes;
}
