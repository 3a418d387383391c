export { VtnError, VtnErrorCode } from './VtnError.js';
export type * from './store/VtnStore.js';
export { createSqliteStore, type SqliteStoreOptions } from './store/createSqliteStore.js';
export { createPostgresStore, type PostgresStoreOptions } from './store/createPostgresStore.js';
