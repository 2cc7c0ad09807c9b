// Imported before register: keeps the fetch Node installed, for identity checks.
globalThis.__aimonTestPristineFetch = globalThis.fetch;
