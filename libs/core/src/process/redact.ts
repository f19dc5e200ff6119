const SECRET_KEY = /(pass(word)?|secret|token|auth|credential|api[_-]?key)/i;
/** `//user:password@` in a URL. */
const USER_PASSWORD = /\/\/([^/@:\s]+):[^/@\s]+@/g;

/**
 * Credentials in the URLs of a text, as it may be printed: `//user:password@` becomes `//user:***@`,
 * and a user alone (`//<token>@`, how tokens ride in git and download URLs) becomes `//***@`.
 */
export function redactUrls(text: string): string {
  return text.replace(USER_PASSWORD, '//$1:***@').replace(/\/\/[^/@:\s]+@/g, '//***@');
}

/**
 * Argv as it may be printed: values of `--build-arg NAME=...` whose name looks
 * secret, and any `user:password@` in a URL, become `***`.
 */
export function redactArgs(args: readonly string[]): string[] {
  return args.map((arg, index) => {
    let out = arg.replace(USER_PASSWORD, '//$1:***@');
    const previous = args[index - 1];
    if ((previous === '--build-arg' || previous === '--secret') && out.includes('=')) {
      const [name] = out.split('=', 1);
      if (SECRET_KEY.test(name) || previous === '--secret') out = `${name}=***`;
    }
    return out;
  });
}

export function formatCommand(file: string, args: readonly string[]): string {
  return [file, ...redactArgs(args)]
    .map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : JSON.stringify(part)))
    .join(' ');
}
