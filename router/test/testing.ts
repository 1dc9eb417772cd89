// What other workspaces' tests use of the router's test helpers (`@flow/router/testing`).
export { silentLogger, usersOnlySupergraphPath } from './support';
