// Moved to util/ (profile validation uses it too); kept for the strict-schema check's import.
export * from '../util/validator-cache';
