// zod's messages in English only, in place of its every locale (built into sync-core's `z`,
// tsup.config.ts): the others were a third of sync-core's build, compiled by every command.
export { default as en } from 'zod/v4/locales/en.js';
