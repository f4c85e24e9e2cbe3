/**
 * What the roles of a realm permit: the router authorizes every action with it, and the config validator
 * checks with it that a market maker's role can do what the maker needs.
 */
export { RoleAuthorizer } from './authorizer.js';
export { PROVIDER_NAMESPACE, callerAlwaysDisclosed, patternRegistrationTrespass } from './reserved.js';
