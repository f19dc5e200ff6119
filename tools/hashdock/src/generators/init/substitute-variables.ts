/** `$NAME` and `${NAME}` in a shell command replaced where `variables` knows them; others left as they are. */
export function substituteVariables(text: string, variables: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    return Object.hasOwn(variables, name) ? variables[name] : whole;
  });
}
