// What other workspaces' tests use of the users subgraph's test helpers (`@flow/users/testing`).
export { createTestEnvironment, type UsersTestEnvironment } from './environment';
export { LOGIN, REGISTER, registration, type AuthPayload } from './queries';
