/**
 * The slash command's name, in one place: the handler registers it, the help and usage lines
 * quote it, and views suggest it. Renaming the command in the manifest means changing only this.
 */
export const SLASH_COMMAND = '/tics';
