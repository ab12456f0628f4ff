export { registerSecret, registerSecretValues, redactSecrets, clearRegisteredSecrets, MIN_SECRET_LENGTH } from './registry.js';
