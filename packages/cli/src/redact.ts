/**
 * Every line the CLI prints goes through `redact`, so a secret never reaches the terminal, logs
 * or --json, even when an adapter puts it in an error message (a URL with a token, say). The list
 * of secrets is sync-core's process-wide registry: the CLI adds the secret options it resolves,
 * adapters add what they read from credential files or obtain by refresh (see registerSecret).
 */
import { redactSecrets, registerSecret } from '@syncacross/sync-core';

/** Registers a resolved secret value (very short values are not worth masking and would mangle output). */
export const addSecret = (value: unknown): void => registerSecret(value);

export const redact = (text: string): string => redactSecrets(text);
