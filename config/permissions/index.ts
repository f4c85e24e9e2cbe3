/**
 * What the roles of a realm permit: the router authorizes every action with it, and the config validator
 * checks with it that a market maker's role can do what the maker needs.
 */
export { AUTHID_PLACEHOLDER, RoleAuthorizer, TRUSTED_ROLE, type Action, type Decision } from './authorizer.js';
export {
  MAKER_NAMESPACE,
  META_NAMESPACE,
  PROVIDER_NAMESPACE,
  RESERVED_NAMESPACES,
  callerAlwaysDisclosed,
  isSingleUriComponent,
  patternRegistrationTrespass,
  reservedNamespaceOf,
} from './reserved.js';
